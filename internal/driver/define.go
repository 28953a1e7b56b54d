package driver

import (
	"errors"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/paths"
	"virtlxc/internal/virerr"
)

// parseDef parses a definition given through the API.
func (d *Driver) parseDef(data []byte, validate bool) (*domainxml.Domain, error) {
	def, err := domainxml.Parse(data, domainxml.Options{Validate: validate, Emulator: d.emulator, Logger: d.log})
	if err != nil {
		return nil, err
	}
	if err := paths.ValidName(def.Name); err != nil {
		var ne *paths.NameError
		if errors.As(err, &ne) {
			return nil, virerr.New(virerr.ErrXMLError, virerr.FromDomain, "%s", ne.Msg)
		}
		return nil, err
	}
	return def, nil
}

// lookupForAdd applies virDomainObjListAdd's conflict rules for def and
// returns the existing domain with the same name and UUID, or nil when
// def is new. With checkLive (create), an existing domain must be an
// inactive persistent one. Callers hold d.mu.
func (d *Driver) lookupForAdd(def *domainxml.Domain, checkLive bool) (*domain, error) {
	if dom := d.byUUID[def.UUID]; dom != nil {
		dom.mu.Lock()
		active, persistent := dom.active(), dom.persistent()
		dom.mu.Unlock()
		if dom.name != def.Name {
			return nil, virerr.New(virerr.ErrOperationFailed, virerr.FromDomain,
				"domain '%s' is already defined with uuid %s", dom.name, dom.uuid)
		}
		if checkLive && active {
			return nil, virerr.New(virerr.ErrOperationInvalid, virerr.FromDomain, "domain '%s' is already active", dom.name)
		}
		if checkLive && !persistent {
			return nil, virerr.New(virerr.ErrOperationInvalid, virerr.FromDomain, "domain '%s' is already being started", dom.name)
		}
		return dom, nil
	}
	if dom := d.byName[def.Name]; dom != nil {
		return nil, virerr.New(virerr.ErrOperationFailed, virerr.FromDomain,
			"domain '%s' already exists with uuid %s", def.Name, dom.uuid)
	}
	return nil, nil
}

// DefineXML defines or redefines a persistent domain
// (virDomainDefineXMLFlags; flag DefineValidate). Redefining a running
// domain changes only its config, used from its next start. Events:
// DEFINED/ADDED for a new (or so far transient) domain, DEFINED/UPDATED
// otherwise.
func (d *Driver) DefineXML(data []byte, flags uint32) (Ref, error) {
	if err := CheckFlags(flags, DefineValidate, "lxcDomainDefineXMLFlags"); err != nil {
		return Ref{}, err
	}
	def, err := d.parseDef(data, flags&DefineValidate != 0)
	if err != nil {
		return Ref{}, err
	}
	if err := domainxml.CheckDefineName(def.Name); err != nil {
		return Ref{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	dom, err := d.lookupForAdd(def, false)
	if err != nil {
		return Ref{}, err
	}
	if err := d.saveConfig(def.Name, def); err != nil {
		return Ref{}, err
	}
	detail := DetailDefinedAdded
	if dom == nil {
		dom = newDomain(def.Name, def.UUID)
		d.register(dom)
	}
	dom.mu.Lock()
	if dom.persistent() {
		detail = DetailDefinedUpdated
	}
	dom.persistentDef = def
	ref := dom.ref()
	dom.mu.Unlock()
	d.emit(ref, EventDefined, detail)
	return ref, nil
}

// Undefine removes a domain's config and autostart link
// (virDomainUndefineFlags; no flag is supported). A running domain
// becomes transient and disappears when it stops; an inactive one
// disappears at once. Event UNDEFINED/REMOVED.
func (d *Driver) Undefine(ref Ref, flags uint32) error {
	if err := CheckFlags(flags, 0, "lxcDomainUndefineFlags"); err != nil {
		return err
	}
	dom, err := d.find(ref)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	dom.mu.Lock()
	defer dom.mu.Unlock()
	if dom.removed {
		return errNoDomainRef(ref)
	}
	if !dom.persistent() {
		return virerr.New(virerr.ErrOperationInvalid, virerr.FromLXC, "Cannot undefine transient domain")
	}
	if err := d.store.Delete(dom.name); err != nil {
		return internalError(err, "cannot delete config of domain '%s'", dom.name)
	}
	dom.autostart = false
	// A domain running (or being started from a create-XML definition)
	// stays, as a transient one.
	keep := dom.active() || dom.liveDef != nil
	dom.persistentDef = nil
	if !keep {
		d.unregister(dom)
	}
	d.emit(dom.ref(), EventUndefined, DetailUndefinedRemoved)
	return nil
}
