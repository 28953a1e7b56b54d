package driver

import (
	"virtlxc/internal/cgroups"
	"virtlxc/internal/virerr"
)

// MemoryStat is one virDomainMemoryStat: a tag and its value in KiB.
type MemoryStat struct {
	Tag int32
	Val uint64
}

// Memory statistic tags (virDomainMemoryStatTags) libvirt's LXC driver
// reports.
const (
	MemStatSwapIn        = 0 // VIR_DOMAIN_MEMORY_STAT_SWAP_IN
	MemStatActualBalloon = 6 // VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON
	MemStatRSS           = 7 // VIR_DOMAIN_MEMORY_STAT_RSS
)

// MemoryStats is virDomainMemoryStats as libvirt's LXC driver answers it
// (lxcDomainMemoryStats): the current memory, the "swap" figure (the
// cgroup's memory+swap usage, as libvirt reads it) and the memory usage,
// in KiB; only for a running domain.
func (d *Driver) MemoryStats(ref Ref) ([]MemoryStat, error) {
	var actual uint64
	st, err := d.liveStats(ref, "memory", func(dom *domain) {
		if def := dom.liveDef; def != nil && def.CurrentMemory != nil {
			actual = uint64(def.CurrentMemory.Value)
		}
	})
	if err != nil {
		return nil, err
	}
	return []MemoryStat{
		{Tag: MemStatActualBalloon, Val: actual},
		{Tag: MemStatSwapIn, Val: st.SwapUsage / 1024},
		{Tag: MemStatRSS, Val: st.MemoryUsage / 1024},
	}, nil
}

// CPUStats is a running domain's total CPU time and its user and system
// parts in ns (virDomainGetCPUStats with start_cpu -1).
func (d *Driver) CPUStats(ref Ref) (total, user, system uint64, err error) {
	st, err := d.liveStats(ref, "CPU", nil)
	if err != nil {
		return 0, 0, 0, err
	}
	return st.CPUUsageNs, st.CPUUserNs, st.CPUSystemNs, nil
}

// PerCPUStats is a running domain's CPU time on each possible CPU, in ns
// (cgroup v1 cpuacct.usage_percpu); unsupported on cgroup v2.
func (d *Driver) PerCPUStats(ref Ref) ([]uint64, error) {
	st, err := d.liveStats(ref, "CPU", nil)
	if err != nil {
		return nil, err
	}
	if st.PerCPUNs == nil {
		return nil, virerr.New(virerr.ErrOperationUnsupported, virerr.FromCgroup, "per-CPU statistics are not available on cgroup v2")
	}
	return st.PerCPUNs, nil
}

// liveStats reads a running domain's cgroup statistics; with, if not
// nil, runs with the domain locked first.
func (d *Driver) liveStats(ref Ref, what string, with func(dom *domain)) (cgroups.Stats, error) {
	dom, err := d.findLocked(ref)
	if err != nil {
		return cgroups.Stats{}, err
	}
	if _, err := activeRun(dom); err != nil {
		dom.mu.Unlock()
		return cgroups.Stats{}, err
	}
	if with != nil {
		with(dom)
	}
	group, partition := dom.cgroupName(), partitionOf(dom.liveDef)
	dom.mu.Unlock()
	st, err := d.cg.Stats(group, partition)
	if err != nil {
		return st, internalError(err, "cannot read the %s statistics of domain '%s'", what, ref.Name)
	}
	return st, nil
}

// BlockStats is a running domain's block I/O: read and write requests
// and bytes.
type BlockStats struct {
	RdReq, RdBytes, WrReq, WrBytes int64
}

// BlockStats is virDomainBlockStats as libvirt's LXC driver answers it:
// with an empty path the whole container's I/O from its blkio cgroup;
// otherwise path must name one of its disks.
func (d *Driver) BlockStats(ref Ref, path string) (BlockStats, error) {
	found, ran := path == "", false
	st, err := d.liveStats(ref, "block", func(dom *domain) {
		ran = true
		if def := dom.liveDef; !found && def.Devices != nil {
			for _, disk := range def.Devices.Disks {
				found = found || disk.Target != nil && disk.Target.Dev == path
			}
		}
	})
	switch {
	case err != nil && !ran: // no such domain, or not running
		return BlockStats{}, err
	case !found:
		return BlockStats{}, virerr.New(virerr.ErrInvalidArg, virerr.FromLXC, "invalid path: %s", path)
	case path != "":
		// libvirt reads a disk's figures by its device alias, which
		// its LXC driver never assigns.
		return BlockStats{}, virerr.New(virerr.ErrInternalError, virerr.FromLXC, "missing disk device alias name for %s", path)
	case err != nil:
		return BlockStats{}, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromLXC, "domain stats query failed")
	}
	return BlockStats{RdReq: int64(st.IOReadOps), RdBytes: int64(st.IOReadBytes), WrReq: int64(st.IOWriteOps), WrBytes: int64(st.IOWriteBytes)}, nil
}
