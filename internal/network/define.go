package network

import (
	"fmt"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/virerr"
)

// prepare parses xml, checks it against the other networks (libvirt's
// virNetworkObjAssignDef rules) and fills in the defaults; the caller
// holds r.mu.
func (r *Registry) prepare(data []byte) (*libvirtxml.Network, *object, error) {
	n, err := Parse(data)
	if err != nil {
		return nil, nil, err
	}
	// The bridge first (networkValidate), then the name and UUID
	// (virNetworkObjAssignDef), as libvirt 9.0 checks them.
	if n.Bridge != nil && n.Bridge.Name != "" && !strings.Contains(n.Bridge.Name, "%d") {
		for name, o := range r.nets {
			if name != n.Name && o.def.Bridge != nil && o.def.Bridge.Name == n.Bridge.Name && managesBridge(n) {
				return nil, nil, virerr.New(virerr.ErrInternalError, virerr.FromNetwork,
					"bridge name '%s' already in use.", n.Bridge.Name)
			}
		}
	}
	existing := r.nets[n.Name]
	for _, o := range r.nets {
		if n.UUID == "" || o.def.UUID != n.UUID {
			continue
		}
		if o.def.Name != n.Name {
			return nil, nil, virerr.New(virerr.ErrOperationFailed, virerr.FromNetwork,
				"network '%s' is already defined with uuid %s", o.def.Name, n.UUID)
		}
	}
	if existing != nil {
		if n.UUID == "" {
			n.UUID = existing.def.UUID
		} else if n.UUID != existing.def.UUID {
			return nil, nil, virerr.New(virerr.ErrOperationFailed, virerr.FromNetwork,
				"network '%s' already exists with uuid %s", n.Name, existing.def.UUID)
		}
		if n.Bridge == nil && existing.def.Bridge != nil && managesBridge(n) {
			// A redefinition keeps the bridge it was given.
			n.Bridge = &libvirtxml.NetworkBridge{Name: existing.def.Bridge.Name}
		}
	}
	FillDefaults(n, r.freeBridge)
	return n, existing, nil
}

// freeBridge picks the first name from template (with %d) that no network
// uses and no device has; the caller holds r.mu.
func (r *Registry) freeBridge(template string) string {
	used := map[string]bool{}
	for _, o := range r.nets {
		for _, d := range []*libvirtxml.Network{o.def, o.live} {
			if d != nil && d.Bridge != nil {
				used[d.Bridge.Name] = true
			}
		}
	}
	for i := 0; ; i++ {
		cand := strings.Replace(template, "%d", fmt.Sprint(i), 1)
		if used[cand] {
			continue
		}
		if exists, _, err := r.links.Exists(cand); err == nil && exists {
			continue
		}
		return cand
	}
}

// Define adds or replaces the persistent definition of a network and
// saves it; an active network keeps running with its live definition.
func (r *Registry) Define(data []byte) (Info, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, existing, err := r.prepare(data)
	if err != nil {
		return Info{}, err
	}
	out, err := Format(n)
	if err != nil {
		return Info{}, err
	}
	if err := r.store.Save(n.Name, out); err != nil {
		return Info{}, virerr.Wrap(err, virerr.ErrOperationFailed, virerr.FromNetwork,
			"cannot save config of network '%s': %s", n.Name, err)
	}
	o := existing
	if o == nil {
		o = &object{}
		r.nets[n.Name] = o
	}
	o.def, o.persistent = n, true
	r.emit(o, EventDefined)
	return r.info(o), nil
}

// Undefine removes a network's persistent definition and autostart link;
// an active network stays, as a transient one, until destroyed.
func (r *Registry) Undefine(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.getPersistent(name, "can't undefine transient network")
	if err != nil {
		return err
	}
	if err := r.store.Delete(name); err != nil {
		return virerr.Wrap(err, virerr.ErrOperationFailed, virerr.FromNetwork,
			"cannot delete config of network '%s': %s", name, err)
	}
	o.persistent = false
	r.emit(o, EventUndefined)
	if o.live == nil {
		delete(r.nets, name)
	} else {
		o.def = o.live
	}
	return nil
}

// CreateXML defines a transient network and starts it.
func (r *Registry) CreateXML(data []byte) (Info, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, existing, err := r.prepare(data)
	if err != nil {
		return Info{}, err
	}
	if existing != nil {
		if existing.live != nil {
			return Info{}, invalid("network is already active as '%s'", n.Name)
		}
		return Info{}, virerr.New(virerr.ErrOperationFailed, virerr.FromNetwork,
			"network '%s' already exists with uuid %s", n.Name, existing.def.UUID)
	}
	o := &object{def: n}
	r.nets[n.Name] = o
	if err := r.start(o); err != nil {
		delete(r.nets, n.Name)
		return Info{}, err
	}
	r.emit(o, EventStarted)
	return r.info(o), nil
}
