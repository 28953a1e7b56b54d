package cgroups

import (
	"strings"
	"testing"
)

// fullLimits sets every field.
var fullLimits = Limits{
	MemoryKiB: 524288, HardLimitKiB: 1048576, SoftLimitKiB: 262144, SwapHardLimitKiB: 2097152,
	CPUShares: 2048, CPUPeriod: 100000, CPUQuota: 50000,
	CpusetCpus: "0-1", CpusetMems: "0",
	BlkioWeight: 500,
	BlkioDevices: []BlkioDevice{{Major: 8, Minor: 0, Weight: 300, ReadIops: 100, WriteIops: 200,
		ReadBps: 1048576, WriteBps: 2097152}},
	PidsMax: 1000,
}

// probeFiles answers true for the listed files.
func probeFiles(files ...string) Probe {
	return func(_ Controller, file string) bool {
		for _, f := range files {
			if f == file {
				return true
			}
		}
		return false
	}
}

func planStrings(t *testing.T, l *Layout, lim Limits, probe Probe) []string {
	t.Helper()
	writes, err := l.Plan("/machine/web.libvirt-lxc", lim, probe)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	var out []string
	for _, w := range writes {
		out = append(out, w.Path()+" "+w.Value)
	}
	return out
}

func checkPlan(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPlanV1(t *testing.T) {
	l := loadLayout(t, "v1-debian10", "")
	cpu := "/sys/fs/cgroup/cpu,cpuacct/machine/web.libvirt-lxc/"
	blk := "/sys/fs/cgroup/blkio/machine/web.libvirt-lxc/"
	mem := "/sys/fs/cgroup/memory/machine/web.libvirt-lxc/"
	got := planStrings(t, l, fullLimits, probeFiles("blkio.bfq.weight", "blkio.weight", "blkio.weight_device"))
	checkPlan(t, got, []string{
		cpu + "cpu.shares 2048",
		cpu + "cpu.cfs_period_us 100000",
		cpu + "cpu.cfs_quota_us 50000",
		"/sys/fs/cgroup/cpuset/machine/web.libvirt-lxc/cpuset.cpus 0-1",
		"/sys/fs/cgroup/cpuset/machine/web.libvirt-lxc/cpuset.mems 0",
		blk + "blkio.bfq.weight 500",
		blk + "blkio.weight_device 8:0 300",
		blk + "blkio.throttle.read_iops_device 8:0 100",
		blk + "blkio.throttle.write_iops_device 8:0 200",
		blk + "blkio.throttle.read_bps_device 8:0 1048576",
		blk + "blkio.throttle.write_bps_device 8:0 2097152",
		mem + "memory.limit_in_bytes 536870912",
		mem + "memory.limit_in_bytes 1073741824",
		mem + "memory.soft_limit_in_bytes 268435456",
		mem + "memory.memsw.limit_in_bytes 2147483648",
		"/sys/fs/cgroup/pids/machine/web.libvirt-lxc/pids.max 1000",
	})
	// Without bfq, the cfq file; unlimited and negative values.
	got = planStrings(t, l, Limits{BlkioWeight: 100, MemoryKiB: UnlimitedKiB, SoftLimitKiB: UnlimitedKiB,
		CPUQuota: -1, PidsMax: -1}, probeFiles("blkio.weight"))
	checkPlan(t, got, []string{
		cpu + "cpu.cfs_quota_us -1",
		blk + "blkio.weight 100",
		mem + "memory.limit_in_bytes -1",
		mem + "memory.soft_limit_in_bytes -1",
		"/sys/fs/cgroup/pids/machine/web.libvirt-lxc/pids.max max",
	})
}

func TestPlanV2(t *testing.T) {
	l := loadLayout(t, "v2-debian12", "cpuset cpu io memory hugetlb pids rdma misc")
	d := "/sys/fs/cgroup/machine/web.libvirt-lxc/"
	got := planStrings(t, l, fullLimits, probeFiles("io.weight"))
	checkPlan(t, got, []string{
		d + "cpu.weight 2048", // shares written unchanged, as libvirt does
		d + "cpu.max max 100000",
		d + "cpu.max 50000",
		d + "cpuset.cpus 0-1",
		d + "cpuset.mems 0",
		d + "io.weight default 500",
		d + "io.weight 8:0 300",
		d + "io.max 8:0 riops=100",
		d + "io.max 8:0 wiops=200",
		d + "io.max 8:0 rbps=1048576",
		d + "io.max 8:0 wbps=2097152",
		d + "memory.max 536870912",
		d + "memory.max 1073741824",
		d + "memory.high 268435456",
		d + "memory.swap.max 2147483648",
		d + "pids.max 1000",
	})
	got = planStrings(t, l, Limits{BlkioWeight: 100, MemoryKiB: UnlimitedKiB, SwapHardLimitKiB: UnlimitedKiB,
		CPUQuota: CPUQuotaMax}, probeFiles("io.bfq.weight", "io.weight"))
	checkPlan(t, got, []string{
		d + "cpu.max max",
		d + "io.bfq.weight 100",
		d + "memory.max max",
		d + "memory.swap.max max",
	})
	got = planStrings(t, l, Limits{CPUQuota: -1}, nil)
	checkPlan(t, got, []string{d + "cpu.max max"})
}

// TestPlanHybridHost: on this machine's layout every limit goes to v1,
// never to the unified hierarchy.
func TestPlanHybridHost(t *testing.T) {
	l := loadLayout(t, "hybrid-host", "hugetlb")
	got := planStrings(t, l, Limits{MemoryKiB: 1024, CPUShares: 100000, PidsMax: 5}, nil)
	checkPlan(t, got, []string{
		"/sys/fs/cgroup/cpu/machine/web.libvirt-lxc/cpu.shares 100000",
		"/sys/fs/cgroup/memory/machine/web.libvirt-lxc/memory.limit_in_bytes 1048576",
		"/sys/fs/cgroup/pids/machine/web.libvirt-lxc/pids.max 5",
	})
}

func TestPlanEmpty(t *testing.T) {
	l := loadLayout(t, "v2-debian12", "") // no controller delegated at all
	var lim Limits
	if !lim.IsZero() {
		t.Fatal("zero Limits not IsZero")
	}
	if got := planStrings(t, l, lim, nil); len(got) != 0 {
		t.Errorf("empty limits planned %v", got)
	}
}

func TestPlanErrors(t *testing.T) {
	v1 := loadLayout(t, "v1-debian10", "")
	v2 := loadLayout(t, "v2-debian12", "cpuset cpu io memory pids")
	v2mem := loadLayout(t, "v2-debian12", "memory")
	cases := []struct {
		l    *Layout
		lim  Limits
		want string
	}{
		{v2, Limits{CPUShares: 10001}, "shares '10001' must be in range [1, 10000]"},
		{v1, Limits{CPUShares: 1}, "shares '1' must be in range [2, 262144]"},
		{v1, Limits{CPUShares: 262145}, "shares '262145' must be in range [2, 262144]"},
		{v1, Limits{CPUPeriod: 999}, "cfs_period '999' must be in range (1000, 1000000)"},
		{v2, Limits{CPUPeriod: 1000001}, "cfs_period '1000001' must be in range"},
		{v1, Limits{CPUQuota: 999}, "cfs_quota '999' must be in range (1000, 17592186044415)"},
		{v2, Limits{CPUQuota: CPUQuotaMax + 1}, "cfs_quota"},
		{v1, Limits{MemoryKiB: UnlimitedKiB + 1}, "memory '9007199254740992' must be less than 9007199254740991"},
		{v2, Limits{HardLimitKiB: UnlimitedKiB + 1}, "must be less than"},
		{v1, Limits{BlkioWeight: 500}, "blkio weight is valid only for bfq or cfq scheduler"},
		{v2, Limits{BlkioDevices: []BlkioDevice{{Major: 8, Weight: 5}}}, "blkio device weight is valid only for cfq scheduler"},
		{v2mem, Limits{CPUShares: 100}, "cgroup controller 'cpu' is not available"},
		{v2mem, Limits{CpusetCpus: "0"}, "cgroup controller 'cpuset' is not available"},
		{v2mem, Limits{PidsMax: 3}, "cgroup controller 'pids' is not available"},
		{v2mem, Limits{BlkioDevices: []BlkioDevice{{ReadBps: 1}}}, "cgroup controller 'blkio' is not available"},
	}
	for _, c := range cases {
		_, err := c.l.Plan("/machine/x.libvirt-lxc", c.lim, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Plan(%+v): got %v, want error containing %q", c.lim, err, c.want)
		}
	}
}

func TestManagerPlan(t *testing.T) {
	m, err := NewManager(loadLayout(t, "v1-debian10", ""), Naming{Scope: "t9"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	writes, err := m.Plan("cpu", Limits{MemoryKiB: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "/sys/fs/cgroup/memory/machine/t9.partition/_cpu.libvirt-lxc/memory.limit_in_bytes=\"1024\""
	if len(writes) != 1 || writes[0].String() != want || writes[0].Controller != Memory {
		t.Errorf("got %v, want [%s]", writes, want)
	}
}

// A live device change writes the device's throttles whole: a zero
// removes that limit (v1 "0", v2 "max"); zero fields are skipped at start.
func TestPlanExactDevice(t *testing.T) {
	lim := Limits{BlkioDevices: []BlkioDevice{{Major: 7, Minor: 0, ReadBps: 5, Exact: true}}}
	blk := "/sys/fs/cgroup/blkio/machine/web.libvirt-lxc/"
	checkPlan(t, planStrings(t, loadLayout(t, "v1-debian10", ""), lim, probeFiles()), []string{
		blk + "blkio.throttle.read_iops_device 7:0 0",
		blk + "blkio.throttle.write_iops_device 7:0 0",
		blk + "blkio.throttle.read_bps_device 7:0 5",
		blk + "blkio.throttle.write_bps_device 7:0 0",
	})
	d := "/sys/fs/cgroup/machine/web.libvirt-lxc/"
	checkPlan(t, planStrings(t, loadLayout(t, "v2-debian12", "io"), lim, probeFiles()), []string{
		d + "io.max 7:0 riops=max", d + "io.max 7:0 wiops=max", d + "io.max 7:0 rbps=5", d + "io.max 7:0 wbps=max",
	})
	lim.BlkioDevices[0].Exact = false
	checkPlan(t, planStrings(t, loadLayout(t, "v1-debian10", ""), lim, probeFiles()), []string{blk + "blkio.throttle.read_bps_device 7:0 5"})
}
