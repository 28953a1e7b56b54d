package virsh

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// SortKeys are the columns top can sort by, with their interactive keys.
var SortKeys = []struct {
	Name string
	Key  byte
}{{"cpu", 'c'}, {"mem", 'm'}, {"name", 'n'}, {"id", 'i'}, {"time", 't'}, {"state", 's'}}

func validSortKey(name string) bool {
	for _, k := range SortKeys {
		if k.Name == name {
			return true
		}
	}
	return false
}

// SortRows orders rows by a sort key: cpu, mem and time descending, name,
// id and state ascending; ties by name.
func SortRows(rows []TopRow, key string) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch key {
		case "cpu":
			if a.CPUPercent != b.CPUPercent {
				return a.CPUPercent > b.CPUPercent
			}
		case "mem":
			if a.MemKiB != b.MemKiB {
				return a.MemKiB > b.MemKiB
			}
		case "time":
			if a.CPUTimeNs != b.CPUTimeNs {
				return a.CPUTimeNs > b.CPUTimeNs
			}
		case "id":
			if a.ID != b.ID {
				return uint32(a.ID) < uint32(b.ID)
			}
		case "state":
			if a.State != b.State {
				return a.State < b.State
			}
		}
		return a.Name < b.Name
	})
}

// TopHeader is the summary above the rows.
type TopHeader struct {
	Time     time.Time
	URI      string
	HostCPUs int32
	HostKiB  uint64
	SortKey  string
}

// RenderTop renders one frame of the top view.
func RenderTop(h TopHeader, rows []TopRow) string {
	var running, paused, inactive int
	var cpu float64
	var mem uint64
	for _, r := range rows {
		switch r.State {
		case stateRunning:
			running++
		case statePaused:
			paused++
		}
		if r.ID == -1 {
			inactive++
		}
		cpu += r.CPUPercent
		mem += r.MemKiB
	}
	var b lineBuilder
	b.f("virtlxc top - %s - %s\n", h.Time.Format("15:04:05"), h.URI)
	b.f("%d domains, %d active, %d running, %d paused, %d inactive   sorted by %s\n",
		len(rows), len(rows)-inactive, running, paused, inactive, h.SortKey)
	b.f("Host: %d CPU(s), %s memory   Containers: %.1f%% CPU, %s memory\n\n",
		h.HostCPUs, FormatKiB(h.HostKiB), cpu, FormatKiB(mem))
	b.f("%7s %-20s %-9s %6s %8s %8s %5s %10s %9s %9s %9s %9s\n",
		"ID", "NAME", "STATE", "%CPU", "MEM", "LIMIT", "%MEM", "TIME", "BLK-RD", "BLK-WR", "NET-RX", "NET-TX")
	for _, r := range rows {
		limit := "-"
		if r.MaxMemKiB > 0 {
			limit = FormatKiB(r.MaxMemKiB)
		}
		b.f("%7s %-20s %-9s %6.1f %8s %8s %5.1f %10s %9s %9s %9s %9s\n",
			idStr(r.ID), truncate(r.Name, 20), StateString(r.State), r.CPUPercent,
			FormatKiB(r.MemKiB), limit, r.MemPercent, FormatCPUTime(r.CPUTimeNs),
			FormatRate(r.BlkRdRate), FormatRate(r.BlkWrRate), FormatRate(r.NetRxRate), FormatRate(r.NetTxRate))
	}
	return b.String()
}

func idStr(id int32) string {
	if id == -1 {
		return "-"
	}
	return fmt.Sprint(id)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "~"
}

// topHelpLine is shown under an interactive frame.
func topHelpLine(delay time.Duration) string {
	keys := make([]string, 0, len(SortKeys))
	for _, k := range SortKeys {
		keys = append(keys, fmt.Sprintf("%c=%s", k.Key, k.Name))
	}
	return fmt.Sprintf("\nsort: %s   a=all/active   q=quit   (refresh every %s)\n", strings.Join(keys, " "), delay)
}
