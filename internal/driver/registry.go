package driver

import (
	"sort"

	"virtlxc/internal/domainxml"
)

// find returns the domain with ref's UUID, or libvirt's lookup error.
func (d *Driver) find(ref Ref) (*domain, error) {
	uuid, ok := domainxml.ParseUUID(ref.UUID)
	d.mu.RLock()
	dom := d.byUUID[uuid]
	d.mu.RUnlock()
	if !ok || dom == nil {
		return nil, errNoDomainRef(ref)
	}
	return dom, nil
}

// findLocked is find followed by locking the domain's mu.
func (d *Driver) findLocked(ref Ref) (*domain, error) {
	dom, err := d.find(ref)
	if err != nil {
		return nil, err
	}
	dom.mu.Lock()
	if dom.removed {
		dom.mu.Unlock()
		return nil, errNoDomainRef(ref)
	}
	return dom, nil
}

// findForJob finds the domain and takes its job. The caller calls endJob.
func (d *Driver) findForJob(ref Ref) (*domain, error) {
	dom, err := d.find(ref)
	if err != nil {
		return nil, err
	}
	if err := dom.beginJob(d.jobWait); err != nil {
		return nil, err
	}
	dom.mu.Lock()
	removed := dom.removed
	dom.mu.Unlock()
	if removed {
		dom.endJob()
		return nil, errNoDomainRef(ref)
	}
	return dom, nil
}

// LookupByName finds a domain by name (virDomainLookupByName).
func (d *Driver) LookupByName(name string) (Ref, error) {
	d.mu.RLock()
	dom := d.byName[name]
	d.mu.RUnlock()
	if dom == nil {
		return Ref{}, errNoDomainName(name)
	}
	dom.mu.Lock()
	defer dom.mu.Unlock()
	return dom.ref(), nil
}

// LookupByUUID finds a domain by UUID (virDomainLookupByUUID); the UUID
// may be in any form libvirt accepts.
func (d *Driver) LookupByUUID(uuid string) (Ref, error) {
	canon, ok := domainxml.ParseUUID(uuid)
	d.mu.RLock()
	dom := d.byUUID[canon]
	d.mu.RUnlock()
	if !ok || dom == nil {
		if ok {
			uuid = canon
		}
		return Ref{}, errNoDomainUUID(uuid)
	}
	dom.mu.Lock()
	defer dom.mu.Unlock()
	return dom.ref(), nil
}

// Resolve finds the domain a call's handle names (ref's UUID; its name is
// the client's): the current reference, or, for a handle whose domain has
// gone, the error of libvirt's lxcDomObjFromDomain, which names both.
func (d *Driver) Resolve(ref Ref) (Ref, error) {
	dom, err := d.findLocked(ref)
	if err != nil {
		return Ref{}, err
	}
	defer dom.mu.Unlock()
	return dom.ref(), nil
}

// LookupByID finds an active domain by id, the controller's pid
// (virDomainLookupByID).
func (d *Driver) LookupByID(id int) (Ref, error) {
	for _, dom := range d.all() {
		dom.mu.Lock()
		match := dom.id == id && dom.active()
		ref := dom.ref()
		dom.mu.Unlock()
		if match {
			return ref, nil
		}
	}
	return Ref{}, errNoDomainID(id)
}

// all returns every registered domain.
func (d *Driver) all() []*domain {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]*domain, 0, len(d.byUUID))
	for _, dom := range d.byUUID {
		out = append(out, dom)
	}
	return out
}

// ListAll returns the domains matching flags, as
// virConnectListAllDomains does: within each group of flags (active or
// inactive, persistent or transient, running/paused/shutoff/other,
// managed save, autostart, snapshot, checkpoint) a domain must match one
// of the given flags; a group with no flag set does not filter. LXC
// domains never have a managed save image, snapshot or checkpoint. The
// result is ordered as virsh lists domains: active ones by id, then
// inactive ones by name.
func (d *Driver) ListAll(flags uint32) ([]Ref, error) {
	if err := CheckFlags(flags, listAll, "lxcConnectListAllDomains"); err != nil {
		return nil, err
	}
	var out []Ref
	for _, dom := range d.all() {
		dom.mu.Lock()
		ok := dom.matches(flags)
		ref := dom.ref()
		dom.mu.Unlock()
		if ok {
			out = append(out, ref)
		}
	}
	sortRefs(out)
	return out, nil
}

// matches applies virDomainObjMatchFilter. Callers hold mu.
func (dom *domain) matches(flags uint32) bool {
	group := func(mask uint32, yes bool, yesFlag uint32) bool {
		if flags&mask == 0 || flags&mask == mask {
			return true
		}
		return (flags&yesFlag != 0) == yes
	}
	if !group(ListActive|ListInactive, dom.active(), ListActive) ||
		!group(ListPersistent|ListTransient, dom.persistent(), ListPersistent) ||
		!group(ListAutostart|ListNoAutostart, dom.autostart, ListAutostart) ||
		!group(ListManagedSave|ListNoManagedSave, false, ListManagedSave) ||
		!group(ListHasSnapshot|ListNoSnapshot, false, ListHasSnapshot) ||
		!group(ListHasCheckpoint|ListNoCheckpoint, false, ListHasCheckpoint) {
		return false
	}
	states := flags & (ListRunning | ListPaused | ListShutoff | ListOther)
	if states == 0 {
		return true
	}
	switch dom.state {
	case StateRunning:
		return states&ListRunning != 0
	case StatePaused:
		return states&ListPaused != 0
	case StateShutoff:
		return states&ListShutoff != 0
	}
	return states&ListOther != 0
}

// sortRefs orders active domains by id, then inactive ones by name.
func sortRefs(refs []Ref) {
	sort.Slice(refs, func(i, j int) bool {
		a, b := refs[i], refs[j]
		if (a.ID == -1) != (b.ID == -1) {
			return a.ID != -1
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Name < b.Name
	})
}

// ListIDs returns the ids of the active domains, in increasing order
// (virConnectListDomains).
func (d *Driver) ListIDs() []int {
	refs, _ := d.ListAll(ListActive)
	ids := make([]int, 0, len(refs))
	for _, r := range refs {
		ids = append(ids, r.ID)
	}
	return ids
}

// ListDefinedNames returns the names of the inactive domains, sorted
// (virConnectListDefinedDomains).
func (d *Driver) ListDefinedNames() []string {
	refs, _ := d.ListAll(ListInactive)
	names := make([]string, 0, len(refs))
	for _, r := range refs {
		names = append(names, r.Name)
	}
	return names
}

// NumOfDomains counts the active domains (virConnectNumOfDomains).
func (d *Driver) NumOfDomains() int { return len(d.ListIDs()) }

// NumOfDefinedDomains counts the inactive domains
// (virConnectNumOfDefinedDomains).
func (d *Driver) NumOfDefinedDomains() int { return len(d.ListDefinedNames()) }
