package hostinfo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Stat is one field of a node statistics answer (NODE_GET_CPU_STATS,
// NODE_GET_MEMORY_STATS).
type Stat struct {
	Field string
	Value uint64
}

// NumCPUStats is how many fields a CPU statistics answer has.
const NumCPUStats = 4

// nsPerTick is 1e9 / USER_HZ: /proc/stat counts in 1/100 s on Linux.
const nsPerTick = 10_000_000

// ErrNoSuchCPU means /proc/stat has no line for the CPU asked for.
var ErrNoSuchCPU = errors.New("no such cpu in /proc/stat")

// CPUStats reads root's proc/stat ("" is "/") as libvirt's
// virHostCPUGetStatsLinux: for cpu (-1: all CPUs) the kernel, user, idle
// and iowait times in nanoseconds, kernel counting irq and softirq, user
// counting nice.
func CPUStats(root string, cpu int) ([]Stat, error) {
	if root == "" {
		root = "/"
	}
	text, err := reader{root: root}.read("proc/stat")
	if err != nil {
		return nil, err
	}
	return parseCPUStats(text, cpu)
}

func parseCPUStats(text string, cpu int) ([]Stat, error) {
	header := "cpu "
	if cpu >= 0 {
		header = "cpu" + strconv.Itoa(cpu) + " "
	}
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(line, header)
		if !ok {
			continue
		}
		var v [10]uint64
		n := 0
		for _, f := range strings.Fields(rest) {
			if n == len(v) {
				break
			}
			x, err := strconv.ParseUint(f, 10, 64)
			if err != nil {
				break
			}
			v[n] = x
			n++
		}
		if n < 4 {
			continue // sscanf needs user, nice, system and idle
		}
		usr, nice, sys, idle, iowait, irq, softirq := v[0], v[1], v[2], v[3], v[4], v[5], v[6]
		return []Stat{
			{"kernel", (sys + irq + softirq) * nsPerTick},
			{"user", (usr + nice) * nsPerTick},
			{"idle", idle * nsPerTick},
			{"iowait", iowait * nsPerTick},
		}, nil
	}
	return nil, ErrNoSuchCPU
}

// MemoryStats is libvirt's virHostMemGetStats from the snapshot h: for
// cell -1 the host's total, free, buffers and cached memory in KiB, for a
// NUMA cell its total and free.
func MemoryStats(h Host, cell int) ([]Stat, error) {
	if cell < 0 {
		m := h.Meminfo
		return []Stat{{"total", m.TotalKiB}, {"free", m.FreeKiB}, {"buffers", m.BuffersKiB}, {"cached", m.CachedKiB}}, nil
	}
	if !h.NUMA || len(h.Nodes) == 0 {
		return nil, ErrNoNUMA
	}
	maxNode := h.Nodes[len(h.Nodes)-1].ID
	if cell > maxNode {
		return nil, &CellRangeError{Max: maxNode}
	}
	for _, n := range h.Nodes {
		if n.ID == cell {
			return []Stat{{"total", n.MemTotalKiB}, {"free", n.MemFreeKiB}}, nil
		}
	}
	return nil, fmt.Errorf("cannot open /sys/devices/system/node/node%d/meminfo", cell)
}

// ErrNoNUMA is virNumaGetMaxNode's refusal on a host without NUMA.
var ErrNoNUMA = errors.New("NUMA isn't available on this host")

// CellRangeError is a memory statistics request for a cell beyond the
// host's last NUMA node.
type CellRangeError struct{ Max int }

func (e *CellRangeError) Error() string {
	return fmt.Sprintf("cellNum in virHostMemGetStats must be less than or equal to %d", e.Max)
}

// CPUMap is libvirt's virHostCPUGetMap: the number of CPUs present and
// the online ones, a bitmap of that many bits (bit i of byte i/8).
func CPUMap(h Host) (present int, online []byte, count int) {
	present = len(h.CPUPresent)
	if len(h.CPUPresent) > 0 {
		present = h.CPUPresent[len(h.CPUPresent)-1] + 1
	}
	online = make([]byte, (present+7)/8)
	for _, c := range h.CPUOnline {
		if c < present {
			online[c/8] |= 1 << (c % 8)
			count++
		}
	}
	return present, online, count
}

// KSMParam is one node memory parameter (NODE_GET_MEMORY_PARAMETERS):
// a kernel same-page merging setting or counter.
type KSMParam struct {
	Field string
	Value uint64
	// Wide is true for an unsigned long long, false for an unsigned int.
	Wide bool
}

// ksmFiles are libvirt's node memory parameters in its order, each with
// its /sys/kernel/mm/ksm file.
var ksmFiles = []struct {
	field, file string
	wide        bool
}{
	{"shm_pages_to_scan", "pages_to_scan", false},
	{"shm_sleep_millisecs", "sleep_millisecs", false},
	{"shm_pages_shared", "pages_shared", true},
	{"shm_pages_sharing", "pages_sharing", true},
	{"shm_pages_unshared", "pages_unshared", true},
	{"shm_pages_volatile", "pages_volatile", true},
	{"shm_full_scans", "full_scans", true},
	{"shm_merge_across_nodes", "merge_across_nodes", false},
}

// NumKSMParams is how many node memory parameters libvirt reports.
var NumKSMParams = len(ksmFiles)

// KSMParams reads the first n node memory parameters from root's
// sys/kernel/mm/ksm (virHostMemGetParameters); merge_across_nodes is left
// out on kernels without it.
func KSMParams(root string, n int) ([]KSMParam, error) {
	if root == "" {
		root = "/"
	}
	r := reader{root: root}
	var out []KSMParam
	for i, k := range ksmFiles {
		if i >= n {
			break
		}
		text, err := r.read("sys/kernel/mm/ksm/" + k.file)
		if err != nil {
			if k.file == "merge_across_nodes" {
				continue
			}
			return nil, fmt.Errorf("cannot read /sys/kernel/mm/ksm/%s: %w", k.file, err)
		}
		v, err := strconv.ParseUint(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("failed to parse %s", k.file)
		}
		out = append(out, KSMParam{k.field, v, k.wide})
	}
	return out, nil
}

// FreePages is libvirt's virHostMemGetFreePages: for each NUMA cell from
// start (at most count cells) and each page size (KiB), the free pages:
// for the system page size the cell's free memory less what huge pages
// hold, else the cell's free huge pages of that size, read under root.
func FreePages(h Host, root string, sizes []uint32, start, count int) ([]uint64, error) {
	if root == "" {
		root = "/"
	}
	if !h.NUMA || len(h.Nodes) == 0 {
		return nil, nil
	}
	last := h.Nodes[len(h.Nodes)-1].ID
	if start > last {
		return nil, fmt.Errorf("start cell %d out of range (0-%d)", start, last)
	}
	last = min(last, start+count-1)
	r := reader{root: root}
	var out []uint64
	for cell := start; cell <= last; cell++ {
		var node *Node
		for i := range h.Nodes {
			if h.Nodes[i].ID == cell {
				node = &h.Nodes[i]
			}
		}
		for _, size := range sizes {
			if uint64(size) == h.PageSizeKiB {
				free := uint64(0)
				if node != nil {
					free = node.MemFreeKiB
				}
				var held uint64
				for _, hp := range h.HugePageSizesKiB {
					n, _ := r.readInt(fmt.Sprintf("sys/devices/system/node/node%d/hugepages/hugepages-%dkB/nr_hugepages", cell, hp))
					held += uint64(n) * hp
				}
				out = append(out, (free-min(free, held))/h.PageSizeKiB)
				continue
			}
			n, ok := r.readInt(fmt.Sprintf("sys/devices/system/node/node%d/hugepages/hugepages-%dkB/free_hugepages", cell, size))
			if !ok {
				return nil, &PageSizeError{Size: size, Cell: cell}
			}
			out = append(out, uint64(n))
		}
	}
	return out, nil
}

// PageSizeError is a free pages request for a page size a cell lacks.
type PageSizeError struct {
	Size uint32
	Cell int
}

func (e *PageSizeError) Error() string {
	return fmt.Sprintf("page size %d is not available on node %d", e.Size, e.Cell)
}
