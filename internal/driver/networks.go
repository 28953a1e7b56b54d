package driver

import "virtlxc/internal/domainxml"

// Networks resolves libvirt networks for <interface type='network'>: the
// daemon's network registry implements it.
type Networks interface {
	// Bridge returns the bridge of the active network name, or a
	// libvirt error (no such network, network not active).
	Bridge(name string) (string, error)
}

// resolveNetworks rewrites live's type='network' interfaces with their
// network's bridge (<source network='N' bridge='virbrK'/>), as libvirt's
// live XML shows them, so the controller only ever sees bridges. Without
// a resolver, such interfaces are left for the plan to refuse.
func (d *Driver) resolveNetworks(live *domainxml.Domain) error {
	if d.networks == nil || live.Devices == nil {
		return nil
	}
	for i := range live.Devices.Interfaces {
		n := &live.Devices.Interfaces[i]
		if n.Source == nil || n.Source.Network == nil {
			continue
		}
		br, err := d.networks.Bridge(n.Source.Network.Network)
		if err != nil {
			return err
		}
		n.Source.Network.Bridge = br
	}
	return nil
}

// Iface is one interface of a running domain, for
// virDomainInterfaceAddresses.
type Iface struct {
	// Dev is the host-side device (<target dev>), MAC the container's.
	Dev, MAC string
	// Network is the network of a type='network' interface, else "".
	Network string
}

// Interfaces lists the interfaces of a running domain's live definition.
func (d *Driver) Interfaces(ref Ref) ([]Iface, error) {
	dom, err := d.findLocked(ref)
	if err != nil {
		return nil, err
	}
	defer dom.mu.Unlock()
	if !dom.active() {
		return nil, errNotRunning()
	}
	var out []Iface
	if dom.liveDef.Devices == nil {
		return out, nil
	}
	for _, n := range dom.liveDef.Devices.Interfaces {
		i := Iface{}
		if n.Target != nil {
			i.Dev = n.Target.Dev
		}
		if n.MAC != nil {
			i.MAC = n.MAC.Address
		}
		if n.Source != nil && n.Source.Network != nil {
			i.Network = n.Source.Network.Network
		}
		out = append(out, i)
	}
	return out, nil
}
