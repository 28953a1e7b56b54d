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
