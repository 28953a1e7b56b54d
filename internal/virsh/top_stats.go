package virsh

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
)

// Stats groups and list flags of CONNECT_GET_ALL_DOMAIN_STATS.
const (
	statsState     = 1
	statsCPUTotal  = 2
	statsBalloon   = 4
	statsInterface = 16
	statsBlock     = 32
)

// DomSample is one domain's counters at one moment; -1 marks a counter
// the server did not report.
type DomSample struct {
	Name      string
	ID        int32
	UUID      string
	State     int
	CPUTimeNs uint64
	MemKiB    uint64
	MaxMemKiB uint64
	BlkRd     int64
	BlkWr     int64
	NetRx     int64
	NetTx     int64
}

// Sample is every domain's counters at one moment.
type Sample struct {
	At   time.Time
	Doms []DomSample
}

// statsSource fetches samples: CONNECT_GET_ALL_DOMAIN_STATS while the
// server answers it, else DOMAIN_GET_INFO per domain (libvirt's own LXC
// driver lacks the bulk call).
type statsSource struct {
	c        *Conn
	fallback bool
}

func (src *statsSource) sample(all bool) (Sample, error) {
	now := time.Now()
	if !src.fallback {
		doms, err := src.bulk(all)
		if err == nil {
			return Sample{At: now, Doms: doms}, nil
		}
		if !isNoSupport(err) {
			return Sample{}, err
		}
		src.fallback = true
	}
	doms, err := src.perDomain(all)
	return Sample{At: now, Doms: doms}, err
}

func (src *statsSource) bulk(all bool) ([]DomSample, error) {
	flags := uint32(listActive)
	if all {
		flags = 0
	}
	var ret libvirt.ConnectGetAllDomainStatsRet
	err := src.c.call(proto.ProcConnectGetAllDomainStats, &libvirt.ConnectGetAllDomainStatsArgs{
		Stats: statsState | statsCPUTotal | statsBalloon | statsInterface | statsBlock, Flags: flags}, &ret)
	if err != nil {
		return nil, err
	}
	out := make([]DomSample, 0, len(ret.RetStats))
	for _, rec := range ret.RetStats {
		out = append(out, SampleFromStats(rec))
	}
	return out, nil
}

// SampleFromStats reads a domain stats record's typed parameters.
func SampleFromStats(rec libvirt.DomainStatsRecord) DomSample {
	d := DomSample{Name: rec.Dom.Name, ID: rec.Dom.ID, UUID: formatUUID(rec.Dom.UUID),
		State: stateShutoff, BlkRd: -1, BlkWr: -1, NetRx: -1, NetTx: -1}
	add := func(p *int64, v uint64) {
		if *p < 0 {
			*p = 0
		}
		*p += int64(v)
	}
	for _, p := range rec.Params {
		u := paramUint(p)
		f := p.Field
		switch {
		case f == "state.state":
			d.State = int(u)
		case f == "cpu.time":
			d.CPUTimeNs = u
		case f == "balloon.current":
			d.MemKiB = u
		case f == "balloon.maximum":
			d.MaxMemKiB = u
		case strings.HasPrefix(f, "block.") && strings.HasSuffix(f, ".rd.bytes"):
			add(&d.BlkRd, u)
		case strings.HasPrefix(f, "block.") && strings.HasSuffix(f, ".wr.bytes"):
			add(&d.BlkWr, u)
		case strings.HasPrefix(f, "net.") && strings.HasSuffix(f, ".rx.bytes"):
			add(&d.NetRx, u)
		case strings.HasPrefix(f, "net.") && strings.HasSuffix(f, ".tx.bytes"):
			add(&d.NetTx, u)
		}
	}
	return d
}

// paramUint reads any numeric typed parameter as an unsigned number.
func paramUint(p libvirt.TypedParam) uint64 {
	switch v := p.Value.I.(type) {
	case uint64:
		return v
	case int64:
		return uint64(v)
	case uint32:
		return uint64(v)
	case int32:
		return uint64(v)
	case string:
		u, _ := strconv.ParseUint(v, 10, 64)
		return u
	}
	return 0
}

func (src *statsSource) perDomain(all bool) ([]DomSample, error) {
	flags := uint32(listActive)
	if all {
		flags = listActive | listInactive
	}
	doms, err := src.c.listAllDomains(flags)
	if err != nil {
		return nil, err
	}
	out := make([]DomSample, 0, len(doms))
	for _, dom := range doms {
		info, err := src.c.domainInfo(dom)
		if err != nil {
			continue // gone meanwhile
		}
		state := int(info.State)
		if st, _, err := src.c.domainState(dom); err == nil {
			state = st
		}
		out = append(out, DomSample{Name: dom.Name, ID: dom.ID, UUID: formatUUID(dom.UUID), State: state,
			CPUTimeNs: info.CPUTime, MemKiB: info.Memory, MaxMemKiB: info.MaxMem,
			BlkRd: -1, BlkWr: -1, NetRx: -1, NetTx: -1})
	}
	return out, nil
}

// TopRow is one line of the top view.
type TopRow struct {
	DomSample
	CPUPercent float64
	MemPercent float64
	// Rates in bytes per second, -1 when unknown.
	BlkRdRate, BlkWrRate, NetRxRate, NetTxRate float64
}

// ComputeRows derives per-domain rates from two samples (prev may be
// empty: the rates are then 0). CPU % is of one host CPU, as top shows it.
func ComputeRows(prev, cur Sample) []TopRow {
	old := map[string]DomSample{}
	for _, d := range prev.Doms {
		old[d.UUID] = d
	}
	secs := cur.At.Sub(prev.At).Seconds()
	rows := make([]TopRow, 0, len(cur.Doms))
	for _, d := range cur.Doms {
		r := TopRow{DomSample: d, BlkRdRate: -1, BlkWrRate: -1, NetRxRate: -1, NetTxRate: -1}
		if d.MaxMemKiB > 0 {
			r.MemPercent = float64(d.MemKiB) * 100 / float64(d.MaxMemKiB)
		}
		p, ok := old[d.UUID]
		if ok && secs > 0 && p.ID == d.ID {
			if d.CPUTimeNs >= p.CPUTimeNs {
				r.CPUPercent = float64(d.CPUTimeNs-p.CPUTimeNs) / (secs * 1e9) * 100
			}
			r.BlkRdRate = rate(p.BlkRd, d.BlkRd, secs)
			r.BlkWrRate = rate(p.BlkWr, d.BlkWr, secs)
			r.NetRxRate = rate(p.NetRx, d.NetRx, secs)
			r.NetTxRate = rate(p.NetTx, d.NetTx, secs)
		} else {
			r.BlkRdRate, r.BlkWrRate = zeroIfKnown(d.BlkRd), zeroIfKnown(d.BlkWr)
			r.NetRxRate, r.NetTxRate = zeroIfKnown(d.NetRx), zeroIfKnown(d.NetTx)
		}
		rows = append(rows, r)
	}
	return rows
}

func rate(a, b int64, secs float64) float64 {
	if a < 0 || b < 0 || b < a {
		return zeroIfKnown(b)
	}
	return float64(b-a) / secs
}

func zeroIfKnown(v int64) float64 {
	if v < 0 {
		return -1
	}
	return 0
}

// FormatKiB renders a size in KiB compactly: 640K, 128.0M, 4.9G.
func FormatKiB(kib uint64) string {
	switch {
	case kib < 1024:
		return fmt.Sprintf("%dK", kib)
	case kib < 1024*1024:
		return fmt.Sprintf("%.1fM", float64(kib)/1024)
	case kib < 1024*1024*1024:
		return fmt.Sprintf("%.1fG", float64(kib)/(1024*1024))
	}
	return fmt.Sprintf("%.1fT", float64(kib)/(1024*1024*1024))
}

// FormatRate renders bytes per second; "-" when unknown.
func FormatRate(bps float64) string {
	if bps < 0 {
		return "-"
	}
	return FormatKiB(uint64(bps/1024)) + "/s"
}

// FormatCPUTime renders nanoseconds as top's M:SS.hh.
func FormatCPUTime(ns uint64) string {
	cs := ns / 1e7
	return fmt.Sprintf("%d:%02d.%02d", cs/6000, cs/100%60, cs%100)
}
