package cgroups

import (
	"fmt"
	"path/filepath"
	"strconv"
)

// Write is one value written to one control file of a group.
type Write struct {
	// Controller is the controller the file belongs to.
	Controller Controller
	// Dir is the group's directory in that controller's hierarchy.
	Dir string
	// File is the control file's name, e.g. "memory.max".
	File string
	// Value is written as is, without a trailing newline.
	Value string
}

// Path returns the control file's absolute path.
func (w Write) Path() string { return filepath.Join(w.Dir, w.File) }

// String returns "path=value" for logs and test failures.
func (w Write) String() string { return w.Path() + "=" + strconv.Quote(w.Value) }

// Probe reports whether file exists in the group's directory for
// controller c. Plan consults it only where libvirt chooses a file by its
// existence (the blkio weights); a nil Probe answers false.
type Probe func(c Controller, file string) bool

// Plan returns the writes that apply lim to the group at groupPath (see
// Naming.GroupPath), in libvirt's order: cputune, cpuset, blkiotune,
// memory and memtune, then pids. It assumes a freshly created group: on
// v2 a period without a quota is written as "max <period>".
func (l *Layout) Plan(groupPath string, lim Limits, probe Probe) ([]Write, error) {
	return l.plan(groupPath, lim, probe, "max")
}

// plan is Plan with the quota that a period-only cpu.max write keeps.
func (l *Layout) plan(groupPath string, lim Limits, probe Probe, curQuota string) ([]Write, error) {
	if probe == nil {
		probe = func(Controller, string) bool { return false }
	}
	p := &planner{l: l, rel: groupPath, probe: probe, curQuota: curQuota}
	for _, step := range []func(*Limits) error{p.cpu, p.cpuset, p.blkio, p.memory, p.pids} {
		if err := step(&lim); err != nil {
			return nil, err
		}
	}
	return p.out, nil
}

type planner struct {
	l        *Layout
	rel      string
	probe    Probe
	curQuota string
	out      []Write
}

// dir returns the group's directory for c and the hierarchy version.
func (p *planner) dir(c Controller) (string, int, error) {
	h, ok := p.l.Hierarchy(c)
	if !ok {
		return "", 0, fmt.Errorf("cgroup controller '%s' is not available", c)
	}
	return filepath.Join(h.Mount, p.l.UnifiedRel(h, p.rel)), h.Version, nil
}

func (p *planner) add(c Controller, dir, file, value string) {
	p.out = append(p.out, Write{Controller: c, Dir: dir, File: file, Value: value})
}

func (p *planner) cpu(lim *Limits) error {
	if lim.CPUShares == 0 && lim.CPUPeriod == 0 && lim.CPUQuota == 0 {
		return nil
	}
	dir, v, err := p.dir(CPU)
	if err != nil {
		return err
	}
	if s := lim.CPUShares; s != 0 {
		lo, hi, file := uint64(CPUSharesMinV1), uint64(CPUSharesMaxV1), "cpu.shares"
		if v == 2 {
			lo, hi, file = CPUWeightMin, CPUWeightMax, "cpu.weight"
		}
		if s < lo || s > hi {
			return fmt.Errorf("shares '%d' must be in range [%d, %d]", s, lo, hi)
		}
		p.add(CPU, dir, file, strconv.FormatUint(s, 10))
	}
	if per := lim.CPUPeriod; per != 0 {
		if per < CPUPeriodMin || per > CPUPeriodMax {
			return fmt.Errorf("cfs_period '%d' must be in range (%d, %d)", per, CPUPeriodMin, CPUPeriodMax)
		}
		if v == 1 {
			p.add(CPU, dir, "cpu.cfs_period_us", strconv.FormatUint(per, 10))
		} else {
			p.add(CPU, dir, "cpu.max", p.curQuota+" "+strconv.FormatUint(per, 10))
		}
	}
	if q := lim.CPUQuota; q != 0 {
		if q >= 0 && (q < CPUQuotaMin || q > CPUQuotaMax) {
			return fmt.Errorf("cfs_quota '%d' must be in range (%d, %d)", q, CPUQuotaMin, CPUQuotaMax)
		}
		switch {
		case v == 1:
			p.add(CPU, dir, "cpu.cfs_quota_us", strconv.FormatInt(q, 10))
		case q < 0 || q == CPUQuotaMax:
			p.add(CPU, dir, "cpu.max", "max")
		default:
			p.add(CPU, dir, "cpu.max", strconv.FormatInt(q, 10))
		}
	}
	return nil
}

func (p *planner) cpuset(lim *Limits) error {
	if lim.CpusetCpus == "" && lim.CpusetMems == "" {
		return nil
	}
	dir, _, err := p.dir(CPUSet)
	if err != nil {
		return err
	}
	if lim.CpusetCpus != "" {
		p.add(CPUSet, dir, "cpuset.cpus", lim.CpusetCpus)
	}
	if lim.CpusetMems != "" {
		p.add(CPUSet, dir, "cpuset.mems", lim.CpusetMems)
	}
	return nil
}

// InvalidError is a setting the host's groups cannot take (libvirt's
// VIR_ERR_OPERATION_INVALID), such as a weight without the bfq or cfq
// I/O scheduler.
type InvalidError struct{ Msg string }

func (e *InvalidError) Error() string { return e.Msg }

func (p *planner) blkio(lim *Limits) error {
	if lim.BlkioWeight == 0 && len(lim.BlkioDevices) == 0 {
		return nil
	}
	dir, v, err := p.dir(Blkio)
	if err != nil {
		return err
	}
	if w := lim.BlkioWeight; w != 0 {
		bfq, cfq, format := "blkio.bfq.weight", "blkio.weight", "%d"
		if v == 2 {
			bfq, cfq, format = "io.bfq.weight", "io.weight", "default %d"
		}
		switch {
		case p.probe(Blkio, bfq):
			p.add(Blkio, dir, bfq, strconv.FormatUint(uint64(w), 10))
		case p.probe(Blkio, cfq):
			p.add(Blkio, dir, cfq, fmt.Sprintf(format, w))
		default:
			return &InvalidError{"blkio weight is valid only for bfq or cfq scheduler"}
		}
	}
	for _, d := range lim.BlkioDevices {
		if err := p.blkioDevice(dir, v, d); err != nil {
			return err
		}
	}
	return nil
}

// blkioDevice adds one device's writes in libvirt's order: weight, read
// iops, write iops, read bps, write bps.
func (p *planner) blkioDevice(dir string, v int, d BlkioDevice) error {
	dev := fmt.Sprintf("%d:%d ", d.Major, d.Minor)
	if d.Weight != 0 {
		file := "blkio.weight_device"
		if v == 2 {
			file = "io.weight"
		}
		if !p.probe(Blkio, file) {
			return &InvalidError{"blkio device weight is valid only for cfq scheduler"}
		}
		p.add(Blkio, dir, file, dev+strconv.FormatUint(uint64(d.Weight), 10))
	}
	throttles := []struct {
		val        uint64
		v1File, v2 string
	}{
		{uint64(d.ReadIops), "blkio.throttle.read_iops_device", "riops="},
		{uint64(d.WriteIops), "blkio.throttle.write_iops_device", "wiops="},
		{d.ReadBps, "blkio.throttle.read_bps_device", "rbps="},
		{d.WriteBps, "blkio.throttle.write_bps_device", "wbps="},
	}
	for _, t := range throttles {
		if t.val == 0 && !d.Exact {
			continue
		}
		switch {
		case v == 1:
			p.add(Blkio, dir, t.v1File, dev+strconv.FormatUint(t.val, 10))
		case t.val == 0:
			p.add(Blkio, dir, "io.max", dev+t.v2+"max")
		default:
			p.add(Blkio, dir, "io.max", dev+t.v2+strconv.FormatUint(t.val, 10))
		}
	}
	return nil
}

func (p *planner) memory(lim *Limits) error {
	if lim.MemoryKiB == 0 && lim.HardLimitKiB == 0 && lim.SoftLimitKiB == 0 && lim.SwapHardLimitKiB == 0 {
		return nil
	}
	dir, v, err := p.dir(Memory)
	if err != nil {
		return err
	}
	files := [4]string{"memory.limit_in_bytes", "memory.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.memsw.limit_in_bytes"}
	if v == 2 {
		files = [4]string{"memory.max", "memory.max", "memory.high", "memory.swap.max"}
	}
	for i, kib := range [4]uint64{lim.MemoryKiB, lim.HardLimitKiB, lim.SoftLimitKiB, lim.SwapHardLimitKiB} {
		if kib == 0 {
			continue
		}
		val, err := memoryValue(kib, v)
		if err != nil {
			return err
		}
		p.add(Memory, dir, files[i], val)
	}
	return nil
}

// memoryValue formats a KiB amount the way libvirt writes it.
func memoryValue(kib uint64, version int) (string, error) {
	switch {
	case kib > UnlimitedKiB:
		return "", fmt.Errorf("memory '%d' must be less than %d", kib, UnlimitedKiB)
	case kib == UnlimitedKiB && version == 1:
		return "-1", nil
	case kib == UnlimitedKiB:
		return "max", nil
	}
	return strconv.FormatUint(kib<<10, 10), nil
}

func (p *planner) pids(lim *Limits) error {
	if lim.PidsMax == 0 {
		return nil
	}
	dir, _, err := p.dir(Pids)
	if err != nil {
		return err
	}
	val := "max"
	if lim.PidsMax > 0 {
		val = strconv.FormatInt(lim.PidsMax, 10)
	}
	p.add(Pids, dir, "pids.max", val)
	return nil
}
