package controller

import (
	"os"
	"strings"
	"sync"
	"syscall"

	"virtlxc/internal/cgroups"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/plan"
	"virtlxc/internal/spec"
)

// hostLayout is the host's cgroup layout, read once per process: a spare
// reads it while it waits, and the start it is claimed for reuses it (the
// spare has not moved, so its own groups, Hierarchy.Self, are unchanged).
var hostLayout = sync.OnceValues(cgroups.Detect)

// hostInfo describes this machine for the plan: whether cgroup namespaces
// exist and which hierarchies the container gets (its own subtree of each).
func hostInfo(l *cgroups.Layout) plan.Host {
	h := plan.Host{}
	if _, err := os.Stat("/proc/self/ns/cgroup"); err == nil {
		h.CgroupNS = true
	}
	for _, v1 := range l.V1 {
		h.Cgroups = append(h.Cgroups, spec.CgroupMount{
			Target:  v1.Mount,
			Options: strings.Join(v1.Controllers, ","),
		})
	}
	if l.V2 != nil {
		h.Cgroups = append(h.Cgroups, spec.CgroupMount{Target: l.V2.Mount, V2: true})
	}
	return h
}

// idMaps converts <idmap> into the form os/exec writes to uid_map/gid_map.
func idMaps(d *domainxml.Domain) (uids, gids []syscall.SysProcIDMap) {
	if d.IDMap == nil {
		return nil, nil
	}
	for _, r := range d.IDMap.UIDs {
		uids = append(uids, syscall.SysProcIDMap{ContainerID: int(r.Start), HostID: int(r.Target), Size: int(r.Count)})
	}
	for _, r := range d.IDMap.GIDs {
		gids = append(gids, syscall.SysProcIDMap{ContainerID: int(r.Start), HostID: int(r.Target), Size: int(r.Count)})
	}
	return uids, gids
}

// limits maps the domain's tunables onto cgroup limits, as libvirt applies
// them at start (spec §2.12.1), plus virtlxc's pids limit.
func limits(d *domainxml.Domain) cgroups.Limits {
	var l cgroups.Limits
	if d.Memory != nil {
		l.MemoryKiB = uint64(d.Memory.Value)
	}
	if mt := d.MemoryTune; mt != nil {
		set := func(dst *uint64, v *domainxml.MemoryTuneLimit) {
			if v != nil && v.Value < cgroups.UnlimitedKiB {
				*dst = v.Value
			}
		}
		set(&l.HardLimitKiB, mt.HardLimit)
		set(&l.SoftLimitKiB, mt.SoftLimit)
		set(&l.SwapHardLimitKiB, mt.SwapHardLimit)
	}
	if ct := d.CPUTune; ct != nil {
		if ct.Shares != nil {
			l.CPUShares = uint64(ct.Shares.Value)
		}
		if ct.Period != nil {
			l.CPUPeriod = uint64(ct.Period.Value)
		}
		if ct.Quota != nil {
			l.CPUQuota = ct.Quota.Value
		}
	}
	if d.VCPU != nil && d.VCPU.Placement != "auto" {
		l.CpusetCpus = d.VCPU.CPUSet
	}
	if nt := d.NUMATune; nt != nil && nt.Memory != nil && nt.Memory.Mode != "strict" {
		l.CpusetMems = nt.Memory.Nodeset
	}
	if bt := d.BlockIOTune; bt != nil {
		l.BlkioWeight = bt.Weight
	}
	// virtlxc's own pids limit (metadata, checked by plan.Build).
	if sec, err := plan.SecurityFromMetadata(d); err == nil {
		l.PidsMax = sec.PidsMax
	}
	return l
}

// blkioDevices resolves the domain's <blkiotune><device> paths on the host
// into the device numbers the groups take, as libvirt_lxc does at start:
// a path that is missing or not a block device fails the start with
// libvirt's words (cgroups.BlockDevice).
func blkioDevices(d *domainxml.Domain) ([]cgroups.BlkioDevice, error) {
	bt := d.BlockIOTune
	if bt == nil {
		return nil, nil
	}
	var out []cgroups.BlkioDevice
	for _, dev := range bt.Device {
		if dev.Weight == 0 && dev.ReadIopsSec == 0 && dev.WriteIopsSec == 0 && dev.ReadBytesSec == 0 && dev.WriteBytesSec == 0 {
			continue
		}
		major, minor, err := cgroups.BlockDevice(dev.Path)
		if err != nil {
			return nil, err
		}
		out = append(out, cgroups.BlkioDevice{Major: major, Minor: minor, Weight: dev.Weight,
			ReadIops: dev.ReadIopsSec, WriteIops: dev.WriteIopsSec,
			ReadBps: uint64(dev.ReadBytesSec), WriteBps: uint64(dev.WriteBytesSec)})
	}
	return out, nil
}

// bindCgroupRoots names, as each v1 hierarchy's Source, the directory of
// joined (the stage's cgroup namespace roots) below its mount, so that the
// stage binds it instead of mounting the hierarchy afresh.
func bindCgroupRoots(mounts []spec.CgroupMount, joined []string) {
	for i, m := range mounts {
		if m.V2 || m.Link != "" {
			continue
		}
		for _, dir := range joined {
			if strings.HasPrefix(dir, m.Target+"/") {
				mounts[i].Source = dir
				break
			}
		}
	}
}
