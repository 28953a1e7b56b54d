package driver

import (
	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/network"
)

// Networks hands out ports of libvirt networks to <interface
// type='network'>s (libvirt's networkAllocatePort, networkNotifyPort,
// networkReleasePort): the daemon's network registry implements it.
type Networks interface {
	// AllocatePort takes a port on the active network name, or returns a
	// libvirt error (no such network, not active, no device free).
	AllocatePort(name string) (network.Port, error)
	// ReclaimPort counts a port a running domain holds again.
	ReclaimPort(name string, p network.Port) error
	// ReleasePort gives a port back.
	ReleasePort(name string, p network.Port)
}

// resolveNetworks takes a port for each of live's type='network'
// interfaces and records it there, as libvirt's live XML shows it: a
// bridge network's bridge (<source network='N' bridge='virbrK'/>), a
// direct network's device and mode (the interface then shows as
// type='direct', <source network='N' dev='eth1' mode='bridge'/>). The
// controller so only sees bridges and macvlans. On failure no port is
// held. Without a registry, such interfaces are left for the plan to
// refuse.
func (d *Driver) resolveNetworks(live *domainxml.Domain) error {
	if d.networks == nil || live.Devices == nil {
		return nil
	}
	for i := range live.Devices.Interfaces {
		n := &live.Devices.Interfaces[i]
		if n.Source == nil || n.Source.Network == nil {
			continue
		}
		if err := d.plugNetwork(n); err != nil {
			d.releasePorts(live)
			return err
		}
	}
	return nil
}

// plugNetwork takes a port of type='network' interface n's network and
// records it in n.
func (d *Driver) plugNetwork(n *libvirtxml.DomainInterface) error {
	p, err := d.networks.AllocatePort(n.Source.Network.Network)
	if err != nil {
		return err
	}
	if p.Dev != "" {
		n.Source.Direct = &libvirtxml.DomainInterfaceSourceDirect{Dev: p.Dev, Mode: p.Mode}
	} else {
		n.Source.Network.Bridge = p.Bridge
	}
	// libvirt names each port with a UUID, shown in the live XML.
	n.Source.Network.PortID = domainxml.NewUUID()
	return nil
}

// portOf returns the network and port interface n holds, if any.
func portOf(n *libvirtxml.DomainInterface) (string, network.Port, bool) {
	if n.Source == nil || n.Source.Network == nil {
		return "", network.Port{}, false
	}
	name := n.Source.Network.Network
	switch {
	case n.Source.Direct != nil:
		return name, network.Port{Dev: n.Source.Direct.Dev, Mode: n.Source.Direct.Mode}, true
	case n.Source.Network.Bridge != "":
		return name, network.Port{Bridge: n.Source.Network.Bridge}, true
	}
	return "", network.Port{}, false
}

// releasePort gives back the port interface n holds and forgets it there,
// so that it is given back once.
func (d *Driver) releasePort(n *libvirtxml.DomainInterface) {
	name, p, ok := portOf(n)
	if !ok || d.networks == nil {
		return
	}
	d.networks.ReleasePort(name, p)
	n.Source.Direct = nil
	n.Source.Network.Bridge, n.Source.Network.PortID = "", ""
}

// releasePorts gives back every port def's interfaces hold.
func (d *Driver) releasePorts(def *domainxml.Domain) {
	if def == nil || def.Devices == nil {
		return
	}
	for i := range def.Devices.Interfaces {
		d.releasePort(&def.Devices.Interfaces[i])
	}
}

// reclaimPorts counts again the ports of a running domain found at the
// daemon's start; one its network no longer knows is logged.
func (d *Driver) reclaimPorts(name string, def *domainxml.Domain) {
	if d.networks == nil || def == nil || def.Devices == nil {
		return
	}
	for i := range def.Devices.Interfaces {
		if netName, p, ok := portOf(&def.Devices.Interfaces[i]); ok {
			if err := d.networks.ReclaimPort(netName, p); err != nil {
				d.log.Warn("cannot count a network port of a running domain", "domain", name, "network", netName, "err", err)
			}
		}
	}
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
