package driver

import (
	"virtlxc/internal/domainxml"
	"virtlxc/internal/virerr"
)

// GetXML returns a domain's definition (virDomainGetXMLDesc). A running
// domain shows its live definition unless XMLInactive asks for the config;
// a running transient domain's live definition is then shown without its
// live-only parts. XMLSecure and XMLMigratable are accepted and change
// nothing for LXC; XMLUpdateCPU is rejected.
func (d *Driver) GetXML(ref Ref, flags uint32) (string, error) {
	if err := CheckFlags(flags, XMLSecure|XMLInactive|XMLMigratable, "lxcDomainGetXMLDesc"); err != nil {
		return "", err
	}
	dom, err := d.findLocked(ref)
	if err != nil {
		return "", err
	}
	var def *domainxml.Domain
	switch {
	case flags&XMLInactive == 0 || dom.current() == nil:
		def = dom.current()
	case dom.persistent():
		def = dom.persistentDef
	default:
		def = inactiveView(dom.liveDef)
	}
	if flags&XMLInactive == 0 && !dom.active() && def == dom.liveDef && def != nil {
		def = inactiveView(def) // a transient definition about to start
	}
	dom.mu.Unlock()
	if def == nil {
		return "", errNoDomainRef(ref)
	}
	out, err := domainxml.Format(def)
	if err != nil {
		return "", asVirErr(err, "cannot format domain XML")
	}
	return string(out), nil
}

// GetInfo returns virDomainGetInfo's figures. While the domain runs,
// memory and CPU time come from its cgroup.
func (d *Driver) GetInfo(ref Ref) (Info, error) {
	dom, err := d.findLocked(ref)
	if err != nil {
		return Info{}, err
	}
	def := dom.current()
	info := Info{State: dom.state}
	if def.Memory != nil {
		info.MaxMemKiB = uint64(def.Memory.Value)
	}
	if def.CurrentMemory != nil {
		info.MemoryKiB = uint64(def.CurrentMemory.Value)
	}
	if def.VCPU != nil {
		info.NrVirtCPU = uint16(def.VCPU.Value)
	}
	active := dom.active()
	partition := partitionOf(def)
	group := dom.cgroupName()
	dom.mu.Unlock()
	if active {
		st, err := d.cg.Stats(group, partition)
		if err != nil {
			d.log.Warn("cannot read cgroup statistics", "domain", dom.name, "err", err)
		}
		info.MemoryKiB = st.MemoryUsage / 1024
		info.CPUTimeNs = st.CPUUsageNs
	}
	return info, nil
}

// GetState returns the domain's state and reason (virDomainGetState; no
// flag is supported).
func (d *Driver) GetState(ref Ref, flags uint32) (State, int, error) {
	if err := CheckFlags(flags, 0, "lxcDomainGetState"); err != nil {
		return 0, 0, err
	}
	dom, err := d.findLocked(ref)
	if err != nil {
		return 0, 0, err
	}
	defer dom.mu.Unlock()
	return dom.state, dom.reason, nil
}

// IsActive reports whether the domain runs (virDomainIsActive).
func (d *Driver) IsActive(ref Ref) (bool, error) {
	dom, err := d.findLocked(ref)
	if err != nil {
		return false, err
	}
	defer dom.mu.Unlock()
	return dom.active(), nil
}

// IsPersistent reports whether the domain has a config
// (virDomainIsPersistent).
func (d *Driver) IsPersistent(ref Ref) (bool, error) {
	dom, err := d.findLocked(ref)
	if err != nil {
		return false, err
	}
	defer dom.mu.Unlock()
	return dom.persistent(), nil
}

// IsUpdated is virDomainIsUpdated; LXC never marks a domain updated.
func (d *Driver) IsUpdated(ref Ref) (bool, error) {
	if _, err := d.find(ref); err != nil {
		return false, err
	}
	return false, nil
}

// GetOSType returns the domain's OS type, "exe" (virDomainGetOSType).
func (d *Driver) GetOSType(ref Ref) (string, error) {
	dom, err := d.findLocked(ref)
	if err != nil {
		return "", err
	}
	defer dom.mu.Unlock()
	if def := dom.current(); def.OS != nil && def.OS.Type != nil {
		return def.OS.Type.Type, nil
	}
	return "exe", nil
}

// GetMaxMemory returns <memory> in KiB (virDomainGetMaxMemory).
func (d *Driver) GetMaxMemory(ref Ref) (uint64, error) {
	dom, err := d.findLocked(ref)
	if err != nil {
		return 0, err
	}
	defer dom.mu.Unlock()
	if def := dom.current(); def.Memory != nil {
		return uint64(def.Memory.Value), nil
	}
	return 0, nil
}

// Autostart reports whether the domain starts with the daemon
// (virDomainGetAutostart).
func (d *Driver) Autostart(ref Ref) (bool, error) {
	dom, err := d.findLocked(ref)
	if err != nil {
		return false, err
	}
	defer dom.mu.Unlock()
	return dom.autostart, nil
}

// SetAutostart marks or unmarks the domain for autostart with the
// CONFIG/autostart/NAME.xml link (virDomainSetAutostart). Transient
// domains cannot be marked.
func (d *Driver) SetAutostart(ref Ref, on bool) error {
	dom, err := d.findForJob(ref)
	if err != nil {
		return err
	}
	defer dom.endJob()
	dom.mu.Lock()
	defer dom.mu.Unlock()
	if !dom.persistent() {
		return virerr.New(virerr.ErrOperationInvalid, virerr.FromLXC, "Cannot set autostart for transient domain")
	}
	if dom.autostart == on {
		return nil
	}
	if err := d.store.SetAutostart(dom.name, on); err != nil {
		return virerr.Wrap(err, virerr.ErrSystemError, virerr.FromLXC, "%s", err)
	}
	dom.autostart = on
	return nil
}
