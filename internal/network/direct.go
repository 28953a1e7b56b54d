package network

import (
	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/virerr"
)

// Direct networks are libvirt's "direct" forward modes: bridge without a
// bridge name, private, vepa and passthrough. Starting one creates
// nothing; each port is a macvlan device on one of the network's host
// interfaces (its pool: <forward dev> and <forward><interface dev>),
// made in the container by the controller like an <interface
// type='direct'>. The checks and messages here are libvirt 9.0's
// (virNetworkForwardDefParseXML, virNetworkDefParseXML, networkValidate,
// networkAllocatePort).

// Direct reports whether n's ports are macvlan devices on its pool.
func Direct(n *libvirtxml.Network) bool {
	switch Mode(n) {
	case "private", "vepa", "passthrough":
		return true
	case "bridge":
		return n.Bridge == nil || n.Bridge.Name == ""
	}
	return false
}

// checkForwardIfs is virNetworkForwardDefParseXML's reading of the pool:
// <forward dev> is its first interface (and must be the first
// <interface dev> when both are given), every <interface> names a dev,
// and none twice.
func checkForwardIfs(n *libvirtxml.Network) error {
	f := n.Forward
	if f == nil {
		return nil
	}
	for i, ifc := range f.Interfaces {
		if ifc.Dev == "" {
			return xmlErr("Missing required dev attribute in <forward> <interface> element of network %s", n.Name)
		}
		if i == 0 && f.Dev != "" {
			if ifc.Dev != f.Dev {
				return xmlErr("<forward dev='%s'> must match first <interface dev='%s'/> in network %s", f.Dev, ifc.Dev, n.Name)
			}
			continue
		}
		for _, prev := range f.Interfaces[:i] {
			if prev.Dev == ifc.Dev {
				return xmlErr("interface '%s' can only be listed once in network %s", ifc.Dev, n.Name)
			}
		}
	}
	switch {
	case f.Dev != "" && len(f.Interfaces) == 0:
		f.Interfaces = []libvirtxml.NetworkForwardInterface{{Dev: f.Dev}}
	case f.Dev == "" && len(f.Interfaces) > 0:
		f.Dev = f.Interfaces[0].Dev // libvirt prints the first as dev
	}
	return nil
}

// checkModeOptions is virNetworkDefParseXML's per-mode check of the
// forward pool and the bridge options, then of the MTU.
func checkModeOptions(n *libvirtxml.Network) error {
	m := Mode(n)
	br := n.Bridge
	if br == nil {
		br = &libvirtxml.NetworkBridge{}
	}
	var nifs int
	if n.Forward != nil {
		nifs = len(n.Forward.Interfaces)
	}
	switch m {
	case "nat", "route", "open":
		if len(n.IPs) == 0 {
			return xmlErr("%s forwarding requested, but no IP address provided for network '%s'", m, n.Name)
		}
		if nifs > 1 {
			return xmlErr("multiple forwarding interfaces specified for network '%s', only one is supported", n.Name)
		}
		if m == "open" && nifs > 0 {
			return xmlErr("forward dev not allowed for network '%s' with forward mode='%s'", n.Name, m)
		}
	case "private", "vepa", "passthrough", "hostdev", "bridge":
		if m != "bridge" {
			switch {
			case br.Name != "":
				return xmlErr("bridge name not allowed in %s mode (network '%s')", m, n.Name)
			case br.Zone != "":
				return xmlErr("bridge zone not allowed in %s mode (network '%s')", m, n.Name)
			case br.MACTableManager != "":
				return xmlErr("bridge macTableManager setting not allowed in %s mode (network '%s')", m, n.Name)
			}
		}
		if delayed(br.Delay) || br.STP != "" || br.Zone != "" {
			return xmlErr("bridge delay/stp/zone options only allowed in route, nat, and isolated mode, not in %s (network '%s')", m, n.Name)
		}
		if br.Name != "" && (nifs > 0 || (n.Forward != nil && len(n.Forward.PFs) > 0)) {
			return xmlErr("A network with forward mode='%s' can specify a bridge name or a forward dev, but not both (network '%s')", m, n.Name)
		}
		if n.MTU != nil && n.MTU.Size != 0 {
			return xmlErr("mtu size only allowed in open, route, nat, and isolated mode, not in %s (network '%s')", m, n.Name)
		}
	}
	return nil
}

// delayed reports whether a bridge delay= attribute is a non-zero number
// (libvirt tests the parsed value).
func delayed(delay string) bool {
	for _, c := range delay {
		if c != '0' {
			return true
		}
	}
	return false
}

// validateModes is the part of libvirt's networkValidate for networks
// that do not own a bridge: what only a bridge of libvirt's own can have
// is refused.
func validateModes(n *libvirtxml.Network) error {
	m := Mode(n)
	if managesBridge(n) {
		return nil
	}
	unsupported := func(what string) error {
		return virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork,
			"Unsupported <%s> element in network %s with forward mode='%s'", what, n.Name, m)
	}
	switch {
	case n.MAC != nil && n.MAC.Address != "":
		return unsupported("mac")
	case len(n.IPs) > 0:
		return unsupported("ip")
	case n.DNS != nil && (len(n.DNS.TXTs) > 0 || len(n.DNS.Host) > 0 || len(n.DNS.SRVs) > 0):
		return unsupported("dns")
	case n.Domain != nil && n.Domain.Name != "":
		return unsupported("domain")
	case n.Bandwidth != nil && (Direct(n) || m == "hostdev"):
		return virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork,
			"Unsupported network-wide <bandwidth> element in network %s with forward mode='%s'", n.Name, m)
	}
	return nil
}
