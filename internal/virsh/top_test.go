package virsh

import (
	"strings"
	"testing"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/xdr"
)

func TestParseTopArgs(t *testing.T) {
	o, err := ParseTopArgs([]string{"-b", "-n", "3", "-d", "0.5", "-o", "mem", "--all"})
	if err != nil || !o.batch || o.iterations != 3 || o.delay != 500*time.Millisecond || o.sort != "mem" || !o.all {
		t.Errorf("%+v %v", o, err)
	}
	o, err = ParseTopArgs([]string{"--batch", "--iterations=1", "--delay", "2", "--sort", "name"})
	if err != nil || !o.batch || o.iterations != 1 || o.delay != 2*time.Second || o.sort != "name" {
		t.Errorf("%+v %v", o, err)
	}
	if o, _ := ParseTopArgs(nil); o.delay != 3*time.Second || o.sort != "cpu" || o.batch {
		t.Errorf("defaults %+v", o)
	}
	for _, bad := range [][]string{{"-d", "0"}, {"-d", "x"}, {"-o", "nosuch"}, {"-n", "-1"}, {"extra"}, {"-z"}} {
		if _, err := ParseTopArgs(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestComputeAndSortRows(t *testing.T) {
	t0 := time.Unix(1000, 0)
	prev := Sample{At: t0, Doms: []DomSample{
		{Name: "a", UUID: "1", ID: 10, State: stateRunning, CPUTimeNs: 1e9, MemKiB: 100, MaxMemKiB: 1000, BlkRd: 0, BlkWr: -1, NetRx: -1, NetTx: -1},
		{Name: "b", UUID: "2", ID: 11, State: stateRunning, CPUTimeNs: 5e9, MemKiB: 900, MaxMemKiB: 1000, BlkRd: -1, BlkWr: -1, NetRx: -1, NetTx: -1},
	}}
	cur := Sample{At: t0.Add(2 * time.Second), Doms: []DomSample{
		{Name: "a", UUID: "1", ID: 10, State: stateRunning, CPUTimeNs: 2e9, MemKiB: 100, MaxMemKiB: 1000, BlkRd: 4096, BlkWr: -1, NetRx: -1, NetTx: -1},
		{Name: "b", UUID: "2", ID: 11, State: stateRunning, CPUTimeNs: 5.2e9, MemKiB: 900, MaxMemKiB: 1000, BlkRd: -1, BlkWr: -1, NetRx: -1, NetTx: -1},
		{Name: "c", UUID: "3", ID: 12, State: statePaused, CPUTimeNs: 1e9, MemKiB: 50, BlkRd: -1, BlkWr: -1, NetRx: -1, NetTx: -1},
	}}
	rows := ComputeRows(prev, cur)
	if rows[0].CPUPercent != 50 || rows[1].CPUPercent < 9.99 || rows[1].CPUPercent > 10.01 || rows[2].CPUPercent != 0 {
		t.Errorf("cpu %%: %v %v %v", rows[0].CPUPercent, rows[1].CPUPercent, rows[2].CPUPercent)
	}
	if rows[0].BlkRdRate != 2048 || rows[0].BlkWrRate != -1 || rows[1].MemPercent != 90 {
		t.Errorf("rates %+v", rows[0])
	}
	SortRows(rows, "cpu")
	if rows[0].Name != "a" || rows[1].Name != "b" {
		t.Errorf("cpu order %s %s", rows[0].Name, rows[1].Name)
	}
	SortRows(rows, "mem")
	if rows[0].Name != "b" || rows[2].Name != "c" {
		t.Errorf("mem order %s %s %s", rows[0].Name, rows[1].Name, rows[2].Name)
	}
	SortRows(rows, "name")
	if rows[0].Name != "a" || rows[2].Name != "c" {
		t.Error("name order")
	}
	frame := RenderTop(TopHeader{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), URI: "lxc:///system", HostCPUs: 2, HostKiB: 4 << 20, SortKey: "name"}, rows)
	want := `virtlxc top - 03:04:05 - lxc:///system
3 domains, 3 active, 2 running, 1 paused, 0 inactive   sorted by name
Host: 2 CPU(s), 4.0G memory   Containers: 60.0% CPU, 1.0M memory

     ID NAME                 STATE       %CPU      MEM    LIMIT  %MEM       TIME    BLK-RD    BLK-WR    NET-RX    NET-TX
     10 a                    running     50.0     100K    1000K  10.0    0:02.00      2K/s         -         -         -
     11 b                    running     10.0     900K    1000K  90.0    0:05.20         -         -         -         -
     12 c                    paused       0.0      50K        -   0.0    0:01.00         -         -         -         -
`
	if frame != want {
		t.Errorf("frame:\n%s\nwant\n%s", frame, want)
	}
}

func TestFormatters(t *testing.T) {
	for kib, want := range map[uint64]string{640: "640K", 131072: "128.0M", 5334812: "5.1G", 3 << 30: "3.0T"} {
		if got := FormatKiB(kib); got != want {
			t.Errorf("FormatKiB(%d) = %s, want %s", kib, got, want)
		}
	}
	if got := FormatCPUTime(61_230_000_000); got != "1:01.23" {
		t.Errorf("FormatCPUTime %s", got)
	}
	if FormatRate(-1) != "-" || FormatRate(2048) != "2K/s" {
		t.Error("FormatRate")
	}
	rec := libvirt.DomainStatsRecord{Dom: libvirt.Domain{Name: "x", ID: 5}, Params: []libvirt.TypedParam{
		{Field: "state.state", Value: libvirt.TypedParamValue{D: xdr.ParamInt, I: int32(1)}},
		ullongParam("cpu.time", 7), ullongParam("balloon.current", 8), ullongParam("balloon.maximum", 9),
		ullongParam("net.0.rx.bytes", 10), ullongParam("net.1.rx.bytes", 5), ullongParam("block.0.wr.bytes", 3),
	}}
	d := SampleFromStats(rec)
	if d.State != 1 || d.CPUTimeNs != 7 || d.MemKiB != 8 || d.MaxMemKiB != 9 || d.NetRx != 15 || d.BlkWr != 3 || d.BlkRd != -1 || d.NetTx != -1 {
		t.Errorf("%+v", d)
	}
}

// TestTopUsesBulkStatsOrFallsBack runs "top -b" against a daemon that
// answers CONNECT_GET_ALL_DOMAIN_STATS and one that does not (libvirt's
// LXC driver), which top serves from DOMAIN_GET_INFO instead.
func TestTopUsesBulkStatsOrFallsBack(t *testing.T) {
	for _, noStats := range []bool{false, true} {
		f := newFake(t)
		f.doms = []*fakeDomain{runningBasic(), inactiveBasic()}
		f.doms[1].dom.Name = "off"
		f.noStats = noStats
		r := f.run("top", "-b", "-n", "1", "-d", "0.05")
		if r.rc != 0 || !strings.Contains(r.stdout, "  10323 anchor-basic         running") || strings.Contains(r.stdout, " off ") {
			t.Errorf("noStats=%v: %+v", noStats, r)
		}
		if f.called(proto.ProcDomainGetInfo) != noStats {
			t.Errorf("noStats=%v: GET_INFO called = %v", noStats, !noStats)
		}
		if !noStats && !strings.Contains(r.stdout, "0K/s") {
			t.Errorf("block rate not shown from bulk stats:\n%s", r.stdout)
		}
		r = f.run("top", "-b", "-n", "1", "-d", "0.05", "--all")
		if !strings.Contains(r.stdout, " off ") {
			t.Errorf("noStats=%v --all: %s", noStats, r.stdout)
		}
	}
}
