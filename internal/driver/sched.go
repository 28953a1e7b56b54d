package driver

import (
	"fmt"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/cgroups"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/virerr"
)

// Defaults of a group's CFS bandwidth when nothing is set.
const (
	defaultCPUPeriod uint64 = 100000
	defaultCPUQuota  int64  = -1
)

// SchedulerParams are a domain's CPU scheduler settings (virsh schedinfo).
type SchedulerParams struct {
	CPUShares  uint64 // "cpu_shares"
	VCPUPeriod uint64 // "vcpu_period", µs
	VCPUQuota  int64  // "vcpu_quota", µs; negative means unlimited
}

// SchedulerUpdate lists the scheduler settings to change; nil fields stay.
type SchedulerUpdate struct {
	CPUShares  *uint64
	VCPUPeriod *uint64
	VCPUQuota  *int64
}

// SchedulerType returns the scheduler name and the number of its
// parameters (virDomainGetSchedulerType): "posix" with cpu_shares,
// vcpu_period and vcpu_quota.
func (d *Driver) SchedulerType(ref Ref) (string, int, error) {
	if _, err := d.find(ref); err != nil {
		return "", 0, err
	}
	return "posix", 3, nil
}

// GetSchedulerParameters returns the scheduler settings
// (virDomainGetSchedulerParametersFlags; flags AffectLive, AffectConfig,
// TypedParamStringOkay). The config shows what it states (0 for unset);
// a running domain shows what its cgroup has. Unlike libvirt 9.0, which
// crashes here, an inactive domain answers from its config.
func (d *Driver) GetSchedulerParameters(ref Ref, flags uint32) (SchedulerParams, error) {
	if err := CheckFlags(flags, AffectLive|AffectConfig|TypedParamStringOkay, "lxcDomainGetSchedulerParametersFlags"); err != nil {
		return SchedulerParams{}, err
	}
	dom, live, config, err := d.lockedDefs(ref, flags)
	if err != nil {
		return SchedulerParams{}, err
	}
	defer dom.mu.Unlock()
	if config != nil {
		return schedOf(config, 0, 0, 0), nil
	}
	return schedOf(live, d.cg.DefaultCPUShares(), defaultCPUPeriod, defaultCPUQuota), nil
}

// schedOf returns def's <cputune> settings, with the given values for
// those it does not state.
func schedOf(def *domainxml.Domain, shares, period uint64, quota int64) SchedulerParams {
	p := SchedulerParams{CPUShares: shares, VCPUPeriod: period, VCPUQuota: quota}
	if ct := def.CPUTune; ct != nil {
		if ct.Shares != nil {
			p.CPUShares = uint64(ct.Shares.Value)
		}
		if ct.Period != nil {
			p.VCPUPeriod = ct.Period.Value
		}
		if ct.Quota != nil {
			p.VCPUQuota = ct.Quota.Value
		}
	}
	return p
}

// SetSchedulerParameters changes scheduler settings
// (virDomainSetSchedulerParametersFlags; flags AffectLive, AffectConfig).
// Live values go to the cgroup; a period or quota of 0 changes nothing
// there.
func (d *Driver) SetSchedulerParameters(ref Ref, u SchedulerUpdate, flags uint32) error {
	if err := CheckFlags(flags, AffectLive|AffectConfig, "lxcDomainSetSchedulerParametersFlags"); err != nil {
		return err
	}
	dom, live, config, release, err := d.defsForJob(ref, flags)
	if err != nil {
		return err
	}
	defer release()
	if live != nil {
		if err := checkBandwidth(u); err != nil {
			return err
		}
		var lim cgroups.Limits
		if u.CPUShares != nil {
			lim.CPUShares = *u.CPUShares
		}
		if u.VCPUPeriod != nil {
			lim.CPUPeriod = *u.VCPUPeriod
		}
		if u.VCPUQuota != nil {
			lim.CPUQuota = *u.VCPUQuota
		}
		if err := d.cg.Set(dom.cgroupName(), partitionOf(live), lim); err != nil {
			return virerr.Wrap(err, virerr.ErrInvalidArg, virerr.FromCgroup, "%s", cgroupErrText(err))
		}
		setCPUTune(live, u, true)
		d.saveStatusLogged(dom)
	}
	if config != nil {
		cfg := domainxml.Clone(config)
		setCPUTune(cfg, u, false)
		return d.commitConfig(dom, cfg)
	}
	return nil
}

// checkBandwidth applies the cgroup's CFS ranges with libvirt's messages.
func checkBandwidth(u SchedulerUpdate) error {
	if p := u.VCPUPeriod; p != nil && *p != 0 && (*p < cgroups.CPUPeriodMin || *p > cgroups.CPUPeriodMax) {
		return virerr.New(virerr.ErrInvalidArg, virerr.FromCgroup, "cfs_period '%d' must be in range (%d, %d)",
			*p, cgroups.CPUPeriodMin, cgroups.CPUPeriodMax)
	}
	if q := u.VCPUQuota; q != nil && *q > 0 && (*q < cgroups.CPUQuotaMin || *q > cgroups.CPUQuotaMax) {
		return virerr.New(virerr.ErrInvalidArg, virerr.FromCgroup, "cfs_quota '%d' must be in range (%d, %d)",
			*q, cgroups.CPUQuotaMin, cgroups.CPUQuotaMax)
	}
	return nil
}

// cgroupErrText drops the cgroups package's context prefix from err.
func cgroupErrText(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

// setCPUTune records scheduler settings in def. In the live definition a
// period or quota of 0 (nothing written) is not recorded.
func setCPUTune(def *domainxml.Domain, u SchedulerUpdate, live bool) {
	if def.CPUTune == nil {
		def.CPUTune = alloc(def.CPUTune)
	}
	ct := def.CPUTune
	if u.CPUShares != nil {
		ct.Shares = alloc(ct.Shares)
		ct.Shares.Value = uint(*u.CPUShares)
	}
	if u.VCPUPeriod != nil && !(live && *u.VCPUPeriod == 0) {
		ct.Period = alloc(ct.Period)
		ct.Period.Value = *u.VCPUPeriod
	}
	if u.VCPUQuota != nil && !(live && *u.VCPUQuota == 0) {
		ct.Quota = alloc(ct.Quota)
		ct.Quota.Value = *u.VCPUQuota
	}
}

// BlkioTune is a domain's block I/O tuning (virsh blkiotune). The device
// lists are libvirt's "path,value,path,value" strings.
type BlkioTune struct {
	Weight              uint32 // "weight"; 0 when unset
	DeviceWeight        string // "device_weight"
	DeviceReadIopsSec   string // "device_read_iops_sec"
	DeviceWriteIopsSec  string // "device_write_iops_sec"
	DeviceReadBytesSec  string // "device_read_bytes_sec"
	DeviceWriteBytesSec string // "device_write_bytes_sec"
}

// GetBlkioParameters returns the block I/O tuning
// (virDomainGetBlkioParameters; flags AffectLive, AffectConfig,
// TypedParamStringOkay), from the config or the live definition.
func (d *Driver) GetBlkioParameters(ref Ref, flags uint32) (BlkioTune, error) {
	if err := CheckFlags(flags, AffectLive|AffectConfig|TypedParamStringOkay, "lxcDomainGetBlkioParameters"); err != nil {
		return BlkioTune{}, err
	}
	dom, live, config, err := d.lockedDefs(ref, flags)
	if err != nil {
		return BlkioTune{}, err
	}
	def := config
	if def == nil {
		def = live
	}
	t := blkioOf(def)
	group, partition := dom.cgroupName(), partitionOf(def)
	dom.mu.Unlock()
	if config == nil {
		// A running domain's weight is its cgroup's, as libvirt reads it.
		st, err := d.cg.Stats(group, partition)
		if err != nil {
			return BlkioTune{}, internalError(err, "cannot read the block I/O weight of domain '%s'", ref.Name)
		}
		t.Weight = uint32(st.BlkioWeight)
	}
	return t, nil
}

// blkioParamCount is how many parameters GetBlkioParameters returns.
const blkioParamCount = 6

// BlkioParameterCount answers virDomainGetBlkioParameters' size query
// (nparams 0) as lxcDomainGetBlkioParameters does: once the flags are
// valid and the domain exists, before it looks at the definitions (so a
// transient domain's count with AffectConfig succeeds; the values then
// fail).
func (d *Driver) BlkioParameterCount(ref Ref, flags uint32) (int, error) {
	if err := CheckFlags(flags, AffectLive|AffectConfig|TypedParamStringOkay, "lxcDomainGetBlkioParameters"); err != nil {
		return 0, err
	}
	dom, err := d.findLocked(ref)
	if err != nil {
		return 0, err
	}
	dom.mu.Unlock()
	return blkioParamCount, nil
}

// blkioOf returns def's <blkiotune>.
func blkioOf(def *domainxml.Domain) BlkioTune {
	var t BlkioTune
	bt := def.BlockIOTune
	if bt == nil {
		return t
	}
	t.Weight = uint32(bt.Weight)
	var w, ri, wi, rb, wb []string
	for _, dev := range bt.Device {
		if dev.Weight != 0 {
			w = append(w, fmt.Sprintf("%s,%d", dev.Path, dev.Weight))
		}
		if dev.ReadIopsSec != 0 {
			ri = append(ri, fmt.Sprintf("%s,%d", dev.Path, dev.ReadIopsSec))
		}
		if dev.WriteIopsSec != 0 {
			wi = append(wi, fmt.Sprintf("%s,%d", dev.Path, dev.WriteIopsSec))
		}
		if dev.ReadBytesSec != 0 {
			rb = append(rb, fmt.Sprintf("%s,%d", dev.Path, dev.ReadBytesSec))
		}
		if dev.WriteBytesSec != 0 {
			wb = append(wb, fmt.Sprintf("%s,%d", dev.Path, dev.WriteBytesSec))
		}
	}
	t.DeviceWeight, t.DeviceReadIopsSec, t.DeviceWriteIopsSec = strings.Join(w, ","), strings.Join(ri, ","), strings.Join(wi, ",")
	t.DeviceReadBytesSec, t.DeviceWriteBytesSec = strings.Join(rb, ","), strings.Join(wb, ",")
	return t
}

// SetBlkioWeight changes the block I/O weight (virDomainSetBlkioParameters
// with "weight"; flags AffectLive, AffectConfig). As in libvirt 9.0, the
// value is not range-checked here (the 100..1000 check went with older
// releases): the config takes any value, the kernel judges the live one.
func (d *Driver) SetBlkioWeight(ref Ref, weight uint32, flags uint32) error {
	return d.setBlkio(ref, flags, blkioChange{
		limits: func(*domainxml.Domain) (cgroups.Limits, error) {
			return cgroups.Limits{BlkioWeight: uint(weight)}, nil
		},
		edit: func(bt *libvirtxml.DomainBlockIOTune) { bt.Weight = uint(weight) },
	})
}

// blkioChange is one virDomainSetBlkioParameters parameter: check runs
// once the domain and its definitions are found (nil: nothing to check),
// limits gives what the live groups take, edit changes a <blkiotune>.
type blkioChange struct {
	check  func() error
	limits func(live *domainxml.Domain) (cgroups.Limits, error)
	edit   func(*libvirtxml.DomainBlockIOTune)
}

// setBlkio applies ch (flags AffectLive, AffectConfig): to the live groups
// and definition, then to the config.
func (d *Driver) setBlkio(ref Ref, flags uint32, ch blkioChange) error {
	if err := CheckFlags(flags, AffectLive|AffectConfig, "lxcDomainSetBlkioParameters"); err != nil {
		return err
	}
	dom, live, config, release, err := d.defsForJob(ref, flags)
	if err != nil {
		return err
	}
	defer release()
	if ch.check != nil {
		if err := ch.check(); err != nil {
			return err
		}
	}
	if live != nil {
		lim, err := ch.limits(live)
		if err != nil {
			return err
		}
		if err := d.cg.Set(dom.cgroupName(), partitionOf(live), lim); err != nil {
			return blkioSetError(err)
		}
		if live.BlockIOTune == nil {
			live.BlockIOTune = alloc(live.BlockIOTune)
		}
		ch.edit(live.BlockIOTune)
		d.saveStatusLogged(dom)
	}
	if config != nil {
		cfg := domainxml.Clone(config)
		if cfg.BlockIOTune == nil {
			cfg.BlockIOTune = alloc(cfg.BlockIOTune)
		}
		ch.edit(cfg.BlockIOTune)
		return d.commitConfig(dom, cfg)
	}
	return nil
}
