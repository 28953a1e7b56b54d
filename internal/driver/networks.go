package driver

import (
	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/network"
	"virtlxc/internal/virerr"
)

// Networks hands out ports of libvirt networks to <interface
// type='network'>s (libvirt's networkAllocatePort, networkNotifyPort,
// networkReleasePort): the daemon's network registry implements it.
type Networks interface {
	// AllocatePort takes a port on the active network name for req (its
	// owner, MAC, options), or returns a libvirt error (no such network,
	// not active, no device free).
	AllocatePort(name string, req network.Port) (network.Port, error)
	// ReclaimPort counts again a port a running domain holds.
	ReclaimPort(name string, p network.Port) (network.Port, error)
	// ReleasePort gives port uuid back.
	ReleasePort(name, uuid string)
}

// resolveNetworks takes a port for each of live's type='network'
// interfaces and records it there, as libvirt's live XML shows it: its
// UUID (portid) and a bridge network's bridge (<source network='N'
// portid='…' bridge='virbrK'/>), or a direct network's device and mode
// (the interface then shows as type='direct', <source network='N'
// portid='…' dev='eth1' mode='bridge'/>). The controller so only sees
// bridges and macvlans. On failure no port is held. Without a registry,
// such interfaces are left for the plan to refuse.
func (d *Driver) resolveNetworks(live *domainxml.Domain) error {
	if d.networks == nil || live.Devices == nil {
		return nil
	}
	for i := range live.Devices.Interfaces {
		n := &live.Devices.Interfaces[i]
		if n.Source == nil || n.Source.Network == nil {
			continue
		}
		if err := d.plugNetwork(live, n); err != nil {
			d.releasePorts(live)
			return err
		}
	}
	return nil
}

// portFor is what a port of def's interface n records of them.
func portFor(def *domainxml.Domain, n *libvirtxml.DomainInterface) network.Port {
	p := network.Port{Owner: def.Name, OwnerUUID: def.UUID, Group: n.Source.Network.PortGroup, Bandwidth: n.Bandwidth, VLAN: n.VLan}
	if n.MAC != nil {
		p.MAC = n.MAC.Address
	}
	if n.PortOptions != nil && n.PortOptions.Isolated != "" {
		p.Isolated, p.IsolatedSet = n.PortOptions.Isolated == "yes", true
	}
	return p
}

// plugNetwork takes a port of type='network' interface n's network for
// def and records it in n.
func (d *Driver) plugNetwork(def *domainxml.Domain, n *libvirtxml.DomainInterface) error {
	p, err := d.networks.AllocatePort(n.Source.Network.Network, portFor(def, n))
	if err != nil {
		return err
	}
	if p.Isolated && p.Dev != "" {
		d.networks.ReleasePort(n.Source.Network.Network, p.UUID)
		return virerr.New(virerr.ErrConfigUnsupported, virerr.FromDomain,
			"interface %s - <port isolated='yes'/> is not supported for network interfaces with type='direct'", p.MAC)
	}
	setPort(n, p)
	if n.VLan == nil && p.VLAN != nil {
		// The network's VLAN, as libvirt's actual definition shows it
		// (the plan refuses it where the port cannot take one).
		n.VLan = p.VLAN
	}
	if p.Isolated && n.PortOptions == nil {
		// The network's isolation, shown in the live XML as libvirt's
		// actual definition shows it, and applied to the bridge port.
		n.PortOptions = &libvirtxml.DomainInterfacePortOptions{Isolated: "yes"}
	}
	return nil
}

// setPort records port p in interface n.
func setPort(n *libvirtxml.DomainInterface, p network.Port) {
	n.Source.Network.PortID = p.UUID
	if p.Dev != "" {
		n.Source.Direct = &libvirtxml.DomainInterfaceSourceDirect{Dev: p.Dev, Mode: p.Mode}
	} else {
		n.Source.Network.Bridge = p.Bridge
	}
}

// heldPort returns the network and port interface n holds, if any.
func heldPort(def *domainxml.Domain, n *libvirtxml.DomainInterface) (string, network.Port, bool) {
	if n.Source == nil || n.Source.Network == nil {
		return "", network.Port{}, false
	}
	p := portFor(def, n)
	p.UUID = n.Source.Network.PortID
	switch {
	case n.Source.Direct != nil:
		p.Dev, p.Mode = n.Source.Direct.Dev, n.Source.Direct.Mode
	case n.Source.Network.Bridge != "":
		p.Bridge = n.Source.Network.Bridge
	default:
		return "", network.Port{}, false
	}
	return n.Source.Network.Network, p, true
}

// releasePort gives back the port interface n holds and forgets it there,
// so that it is given back once.
func (d *Driver) releasePort(n *libvirtxml.DomainInterface) {
	if n.Source == nil || n.Source.Network == nil || d.networks == nil {
		return
	}
	if id := n.Source.Network.PortID; id != "" {
		d.networks.ReleasePort(n.Source.Network.Network, id)
	}
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
// daemon's start (a port recorded without a UUID gets one); one its
// network no longer knows is logged. The caller holds dom.mu.
func (d *Driver) reclaimPorts(def *domainxml.Domain) {
	if d.networks == nil || def == nil || def.Devices == nil {
		return
	}
	for i := range def.Devices.Interfaces {
		n := &def.Devices.Interfaces[i]
		netName, p, ok := heldPort(def, n)
		if !ok {
			continue
		}
		got, err := d.networks.ReclaimPort(netName, p)
		if err != nil {
			d.log.Warn("cannot count a network port of a running domain", "domain", def.Name, "network", netName, "err", err)
			continue
		}
		n.Source.Network.PortID = got.UUID
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
