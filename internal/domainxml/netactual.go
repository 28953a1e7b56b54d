package domainxml

import (
	"encoding/xml"
	"slices"

	"libvirt.org/go/libvirtxml"
)

// A running domain's <interface type='network'> on a direct network holds
// a macvlan port: the live definition keeps both its network
// (Source.Network) and its device and mode (Source.Direct), and libvirt
// prints it as the direct interface it is (virDomainNetDefFormat's
// "public actual"):
//
//	<interface type='direct'>
//	  <source network='N' dev='eth1' mode='bridge'/>

// formatDirectNetworks rewrites the formatted interfaces of d that hold a
// direct network's port (tree is Format's, from libvirtxml's output,
// which prints only the network source).
func formatDirectNetworks(tree *node, d *Domain) {
	nodes := interfaceNodes(tree, d)
	for i := range nodes {
		n := d.Devices.Interfaces[i]
		src := nodes[i].child("source")
		if n.Source == nil || n.Source.Network == nil || src == nil {
			continue
		}
		if directNetwork(&n) {
			setAttr(nodes[i], "type", "direct")
			dropAttr(src, "bridge")
			src.attrs = append(src.attrs,
				xml.Attr{Name: xml.Name{Local: "dev"}, Value: n.Source.Direct.Dev},
				xml.Attr{Name: xml.Name{Local: "mode"}, Value: n.Source.Direct.Mode})
		}
		// virDomainActualNetDefContentsFormat: the network, then the
		// port, then where it plugs in.
		attrOrder(src, "network", "portgroup", "portid")
	}
}

// directNetwork reports whether n is a network interface holding a
// direct network's port.
func directNetwork(n *libvirtxml.DomainInterface) bool {
	return n.Source != nil && n.Source.Network != nil && n.Source.Direct != nil
}

// readDirectNetworks is the reverse for a live definition read back (the
// status file): a direct interface whose source names a network gets the
// network again.
func readDirectNetworks(in *node, d *Domain) {
	nodes := interfaceNodes(in, d)
	for i := range nodes {
		n := &d.Devices.Interfaces[i]
		src := nodes[i].child("source")
		if n.Source == nil || n.Source.Direct == nil || src == nil {
			continue
		}
		name, ok := src.attr("network")
		if !ok || name == "" {
			continue
		}
		net := &libvirtxml.DomainInterfaceSourceNetwork{Network: name}
		net.PortGroup, _ = src.attr("portgroup")
		net.PortID, _ = src.attr("portid")
		n.Source.Network = net
	}
}

// interfaceNodes returns the <interface> elements of a domain document's
// tree, each at its index in d's interfaces (none if they do not line up).
func interfaceNodes(tree *node, d *Domain) []*node {
	if d.Devices == nil {
		return nil
	}
	nodes := devices(tree, "interface")
	if len(nodes) != len(d.Devices.Interfaces) {
		return nil
	}
	return nodes
}

// withoutDirectPorts returns d (a shallow copy where needed) with its
// network interfaces' direct ports left out, as an inactive parse reads
// them: the network alone.
func withoutDirectPorts(d *Domain) *Domain {
	if d.Devices == nil || !slices.ContainsFunc(d.Devices.Interfaces, func(n libvirtxml.DomainInterface) bool { return directNetwork(&n) }) {
		return d
	}
	cp, devs := *d, *d.Devices
	devs.Interfaces = slices.Clone(devs.Interfaces)
	for i := range devs.Interfaces {
		n := &devs.Interfaces[i]
		if directNetwork(n) {
			src, net := *n.Source, *n.Source.Network
			net.PortID = ""
			src.Direct, src.Network = nil, &net
			n.Source = &src
		}
	}
	cp.Devices = &devs
	return &cp
}
