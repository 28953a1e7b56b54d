package driver

import "virtlxc/internal/virerr"

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
	dom, err := d.findLocked(ref)
	if err != nil {
		return nil, err
	}
	if _, err := activeRun(dom); err != nil {
		dom.mu.Unlock()
		return nil, err
	}
	var actual uint64
	if def := dom.liveDef; def != nil && def.CurrentMemory != nil {
		actual = uint64(def.CurrentMemory.Value)
	}
	group, partition := dom.cgroupName(), partitionOf(dom.liveDef)
	dom.mu.Unlock()
	st, err := d.cg.Stats(group, partition)
	if err != nil {
		return nil, internalError(err, "cannot read the memory statistics of domain '%s'", ref.Name)
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
	dom, err := d.findLocked(ref)
	if err != nil {
		return 0, 0, 0, err
	}
	if _, err := activeRun(dom); err != nil {
		dom.mu.Unlock()
		return 0, 0, 0, err
	}
	group, partition := dom.cgroupName(), partitionOf(dom.liveDef)
	dom.mu.Unlock()
	st, err := d.cg.Stats(group, partition)
	if err != nil {
		return 0, 0, 0, internalError(err, "cannot read the CPU statistics of domain '%s'", ref.Name)
	}
	return st.CPUUsageNs, st.CPUUserNs, st.CPUSystemNs, nil
}

// PerCPUStats is a running domain's CPU time on each possible CPU, in ns
// (cgroup v1 cpuacct.usage_percpu); unsupported on cgroup v2.
func (d *Driver) PerCPUStats(ref Ref) ([]uint64, error) {
	dom, err := d.findLocked(ref)
	if err != nil {
		return nil, err
	}
	if _, err := activeRun(dom); err != nil {
		dom.mu.Unlock()
		return nil, err
	}
	group, partition := dom.cgroupName(), partitionOf(dom.liveDef)
	dom.mu.Unlock()
	st, err := d.cg.Stats(group, partition)
	if err != nil {
		return nil, internalError(err, "cannot read the CPU statistics of domain '%s'", ref.Name)
	}
	if st.PerCPUNs == nil {
		return nil, virerr.New(virerr.ErrOperationUnsupported, virerr.FromCgroup, "per-CPU statistics are not available on cgroup v2")
	}
	return st.PerCPUNs, nil
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
	dom, err := d.findLocked(ref)
	if err != nil {
		return BlockStats{}, err
	}
	if _, err := activeRun(dom); err != nil {
		dom.mu.Unlock()
		return BlockStats{}, err
	}
	found := path == ""
	if def := dom.liveDef; !found && def.Devices != nil {
		for _, disk := range def.Devices.Disks {
			if disk.Target != nil && disk.Target.Dev == path {
				found = true
			}
		}
	}
	group, partition := dom.cgroupName(), partitionOf(dom.liveDef)
	dom.mu.Unlock()
	if !found {
		return BlockStats{}, virerr.New(virerr.ErrInvalidArg, virerr.FromLXC, "invalid path: %s", path)
	}
	if path != "" {
		// libvirt reads a disk's figures by its device alias, which
		// its LXC driver never assigns.
		return BlockStats{}, virerr.New(virerr.ErrInternalError, virerr.FromLXC, "missing disk device alias name for %s", path)
	}
	st, err := d.cg.Stats(group, partition)
	if err != nil {
		return BlockStats{}, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromLXC, "domain stats query failed")
	}
	return BlockStats{RdReq: int64(st.IOReadOps), RdBytes: int64(st.IOReadBytes), WrReq: int64(st.IOWriteOps), WrBytes: int64(st.IOWriteBytes)}, nil
}
