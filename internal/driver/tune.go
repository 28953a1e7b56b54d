package driver

import (
	"virtlxc/internal/cgroups"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/virerr"
)

// defsFor resolves modification-impact flags as
// virDomainObjUpdateModificationImpact does and returns the definitions
// to act on: the live one (AffectLive; the domain must run) and the
// config (AffectConfig; the domain must be persistent). AffectCurrent
// means live for a running domain, else config. Callers hold dom.mu.
func (dom *domain) defsFor(flags uint32) (live, config *domainxml.Domain, err error) {
	flags &= AffectLive | AffectConfig
	if flags == AffectCurrent {
		flags = AffectConfig
		if dom.active() {
			flags = AffectLive
		}
	}
	if flags&AffectLive != 0 {
		if !dom.active() {
			return nil, nil, errNotRunning()
		}
		live = dom.liveDef
	}
	if flags&AffectConfig != 0 {
		if !dom.persistent() {
			return nil, nil, errTransientConfig()
		}
		config = dom.persistentDef
	}
	return live, config, nil
}

// defsForJob starts a job on ref's domain, locks it and returns the
// definitions flags select (defsFor); release unlocks and ends the job.
func (d *Driver) defsForJob(ref Ref, flags uint32) (dom *domain, live, config *domainxml.Domain, release func(), err error) {
	dom, err = d.findForJob(ref)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	dom.mu.Lock()
	release = func() {
		dom.mu.Unlock()
		dom.endJob()
	}
	live, config, err = dom.defsFor(flags)
	if err != nil {
		release()
		return nil, nil, nil, nil, err
	}
	return dom, live, config, release, nil
}

// lockedDefs returns ref's domain locked, with the definitions flags
// select (defsFor); the caller unlocks dom.mu.
func (d *Driver) lockedDefs(ref Ref, flags uint32) (dom *domain, live, config *domainxml.Domain, err error) {
	dom, err = d.findLocked(ref)
	if err != nil {
		return nil, nil, nil, err
	}
	live, config, err = dom.defsFor(flags)
	if err != nil {
		dom.mu.Unlock()
		return nil, nil, nil, err
	}
	return dom, live, config, nil
}

// commitConfig saves a changed copy of dom's config and makes it the
// config. Callers hold dom.mu.
func (d *Driver) commitConfig(dom *domain, def *domainxml.Domain) error {
	if err := d.saveConfig(dom.name, def); err != nil {
		return err
	}
	dom.persistentDef = def
	return nil
}

// SetMemory changes a domain's current memory in KiB, or with MemMaximum
// its maximum (virDomainSetMemoryFlags; flags AffectLive, AffectConfig,
// MemMaximum). virDomainSetMemory is AffectLive and virDomainSetMaxMemory
// is MemMaximum. The live value is the cgroup's memory limit.
func (d *Driver) SetMemory(ref Ref, kib uint64, flags uint32) error {
	if err := CheckFlags(flags, AffectLive|AffectConfig|MemMaximum, "lxcDomainSetMemoryFlags"); err != nil {
		return err
	}
	dom, live, config, release, err := d.defsForJob(ref, flags)
	if err != nil {
		return err
	}
	defer release()
	if flags&MemMaximum != 0 {
		if live != nil {
			return virerr.New(virerr.ErrOperationInvalid, virerr.FromLXC, "Cannot resize the max memory on an active domain")
		}
		cfg := domainxml.Clone(config)
		setMemoryKiB(cfg, kib, true)
		return d.commitConfig(dom, cfg)
	}
	var maxKiB uint64
	for _, def := range []*domainxml.Domain{live, config} {
		if def != nil && def.Memory != nil && (maxKiB == 0 || uint64(def.Memory.Value) < maxKiB) {
			maxKiB = uint64(def.Memory.Value)
		}
	}
	if kib > maxKiB {
		return virerr.New(virerr.ErrInvalidArg, virerr.FromLXC, "Cannot set memory higher than max memory")
	}
	if live != nil {
		if err := d.cg.Set(dom.cgroupName(), partitionOf(live), cgroups.Limits{MemoryKiB: kib}); err != nil {
			return virerr.Wrap(err, virerr.ErrOperationFailed, virerr.FromLXC, "Failed to set memory for domain")
		}
		setMemoryKiB(live, kib, false)
		d.saveStatusLogged(dom)
	}
	if config != nil {
		cfg := domainxml.Clone(config)
		setMemoryKiB(cfg, kib, false)
		return d.commitConfig(dom, cfg)
	}
	return nil
}

// SetMaxMemory is virDomainSetMaxMemory: SetMemory with MemMaximum.
func (d *Driver) SetMaxMemory(ref Ref, kib uint64) error {
	return d.SetMemory(ref, kib, MemMaximum)
}

// setMemoryKiB sets <currentMemory>, or <memory> (max) lowering
// <currentMemory> to fit.
func setMemoryKiB(def *domainxml.Domain, kib uint64, max bool) {
	if def.CurrentMemory == nil {
		def.CurrentMemory = alloc(def.CurrentMemory)
	}
	if max {
		if def.Memory == nil {
			def.Memory = alloc(def.Memory)
		}
		def.Memory.Value, def.Memory.Unit = uint(kib), "KiB"
		if uint64(def.CurrentMemory.Value) > kib {
			def.CurrentMemory.Value = uint(kib)
		}
		def.CurrentMemory.Unit = "KiB"
		return
	}
	def.CurrentMemory.Value, def.CurrentMemory.Unit = uint(kib), "KiB"
}

// MemoryTune is a domain's memory tuning in KiB (virsh memtune);
// MemoryParamUnlimited means no limit.
type MemoryTune struct {
	HardLimit     uint64 // "hard_limit"
	SoftLimit     uint64 // "soft_limit"
	SwapHardLimit uint64 // "swap_hard_limit"
}

// MemoryTuneUpdate lists the memory limits to change, in KiB; nil fields
// stay as they are.
type MemoryTuneUpdate struct {
	HardLimit     *uint64
	SoftLimit     *uint64
	SwapHardLimit *uint64
}

// memtuneValue returns one <memtune> limit in KiB, unlimited when unset.
func memtuneValue(l *domainxml.MemoryTuneLimit) uint64 {
	if l == nil || l.Value == 0 || l.Value >= MemoryParamUnlimited {
		return MemoryParamUnlimited
	}
	return l.Value
}

// memtuneOf returns the limits def states.
func memtuneOf(def *domainxml.Domain) MemoryTune {
	mt := def.MemoryTune
	if mt == nil {
		return MemoryTune{MemoryParamUnlimited, MemoryParamUnlimited, MemoryParamUnlimited}
	}
	return MemoryTune{memtuneValue(mt.HardLimit), memtuneValue(mt.SoftLimit), memtuneValue(mt.SwapHardLimit)}
}

// setMemtune records limits in def; unlimited values are not written,
// as libvirt prints only limits that are set.
func setMemtune(def *domainxml.Domain, u MemoryTuneUpdate) {
	if def.MemoryTune == nil {
		def.MemoryTune = alloc(def.MemoryTune)
	}
	mt := def.MemoryTune
	set := func(dst **domainxml.MemoryTuneLimit, v *uint64) {
		switch {
		case v == nil:
		case *v == 0 || *v >= MemoryParamUnlimited:
			*dst = nil
		default:
			*dst = &domainxml.MemoryTuneLimit{Value: *v, Unit: "KiB"}
		}
	}
	set(&mt.HardLimit, u.HardLimit)
	set(&mt.SoftLimit, u.SoftLimit)
	set(&mt.SwapHardLimit, u.SwapHardLimit)
	if mt.HardLimit == nil && mt.SoftLimit == nil && mt.SwapHardLimit == nil && mt.MinGuarantee == nil {
		def.MemoryTune = nil
	}
}

// GetMemoryParameters returns the memory limits
// (virDomainGetMemoryParameters; flags AffectLive, AffectConfig,
// TypedParamStringOkay): the config's, or while running the cgroup's.
func (d *Driver) GetMemoryParameters(ref Ref, flags uint32) (MemoryTune, error) {
	if err := CheckFlags(flags, AffectLive|AffectConfig|TypedParamStringOkay, "lxcDomainGetMemoryParameters"); err != nil {
		return MemoryTune{}, err
	}
	dom, err := d.findLocked(ref)
	if err != nil {
		return MemoryTune{}, err
	}
	live, config, err := dom.defsFor(flags)
	dom.mu.Unlock()
	if err != nil {
		return MemoryTune{}, err
	}
	if config != nil {
		return memtuneOf(config), nil
	}
	out := memtuneOf(live)
	st, err := d.cg.Stats(dom.cgroupName(), partitionOf(live))
	if err != nil {
		return MemoryTune{}, virerr.Wrap(err, virerr.ErrOperationFailed, virerr.FromLXC, "unable to get memory parameters")
	}
	out.HardLimit = limitKiB(st.MemoryLimit)
	out.SwapHardLimit = limitKiB(st.SwapLimit)
	return out, nil
}

// limitKiB converts a cgroup limit in bytes to KiB, unlimited as libvirt
// reports it.
func limitKiB(bytes uint64) uint64 {
	if bytes == cgroups.UnlimitedBytes || bytes/1024 >= MemoryParamUnlimited {
		return MemoryParamUnlimited
	}
	return bytes / 1024
}

// SetMemoryParameters changes memory limits (virDomainSetMemoryParameters;
// flags AffectLive, AffectConfig), in libvirt's order: soft limit, hard
// limit first when it decreases, swap limit, hard limit. The hard limit
// may not exceed the swap limit.
func (d *Driver) SetMemoryParameters(ref Ref, u MemoryTuneUpdate, flags uint32) error {
	if err := CheckFlags(flags, AffectLive|AffectConfig, "lxcDomainSetMemoryParameters"); err != nil {
		return err
	}
	for _, v := range []*uint64{u.HardLimit, u.SoftLimit, u.SwapHardLimit} {
		if v != nil && *v > MemoryParamUnlimited {
			return virerr.New(virerr.ErrInvalidArg, virerr.FromCgroup, "Memory '%d' must be less than '%d'", *v, MemoryParamUnlimited)
		}
	}
	dom, live, config, release, err := d.defsForJob(ref, flags)
	if err != nil {
		return err
	}
	defer release()
	if u.HardLimit != nil || u.SwapHardLimit != nil {
		cur := memtuneOf(dom.current())
		hard, swap := cur.HardLimit, cur.SwapHardLimit
		if u.HardLimit != nil {
			hard = *u.HardLimit
		}
		if u.SwapHardLimit != nil {
			swap = *u.SwapHardLimit
		}
		if hard > swap {
			// domain_cgroup.c's check: VIR_FROM_DOMAIN.
			return virerr.New(virerr.ErrInvalidArg, virerr.FromDomain,
				"memory hard_limit tunable value must be lower than or equal to swap_hard_limit")
		}
	}
	if live != nil {
		if err := d.applyMemtune(dom, live, u); err != nil {
			return err
		}
		d.saveStatusLogged(dom)
	}
	if config != nil {
		cfg := domainxml.Clone(config)
		setMemtune(cfg, u)
		return d.commitConfig(dom, cfg)
	}
	return nil
}

// applyMemtune writes the limits to the cgroup in libvirt's order and
// records each one in the live definition once written.
func (d *Driver) applyMemtune(dom *domain, live *domainxml.Domain, u MemoryTuneUpdate) error {
	part := partitionOf(live)
	write := func(lim cgroups.Limits, rec MemoryTuneUpdate) error {
		if err := d.cg.Set(dom.cgroupName(), part, lim); err != nil {
			return virerr.Wrap(err, virerr.ErrOperationFailed, virerr.FromCgroup, "%s", err)
		}
		setMemtune(live, rec)
		return nil
	}
	if u.SoftLimit != nil {
		if err := write(cgroups.Limits{SoftLimitKiB: orUnlimited(*u.SoftLimit)}, MemoryTuneUpdate{SoftLimit: u.SoftLimit}); err != nil {
			return err
		}
	}
	hardDone := false
	if u.HardLimit != nil && memtuneOf(live).HardLimit > *u.HardLimit {
		if err := write(cgroups.Limits{HardLimitKiB: orUnlimited(*u.HardLimit)}, MemoryTuneUpdate{HardLimit: u.HardLimit}); err != nil {
			return err
		}
		hardDone = true
	}
	if u.SwapHardLimit != nil {
		if err := write(cgroups.Limits{SwapHardLimitKiB: orUnlimited(*u.SwapHardLimit)}, MemoryTuneUpdate{SwapHardLimit: u.SwapHardLimit}); err != nil {
			return err
		}
	}
	if u.HardLimit != nil && !hardDone {
		return write(cgroups.Limits{HardLimitKiB: orUnlimited(*u.HardLimit)}, MemoryTuneUpdate{HardLimit: u.HardLimit})
	}
	return nil
}

// orUnlimited maps 0, which cgroups.Limits reads as "not set", to no
// limit.
func orUnlimited(kib uint64) uint64 {
	if kib == 0 {
		return MemoryParamUnlimited
	}
	return kib
}
