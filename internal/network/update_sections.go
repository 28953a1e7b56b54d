package network

import (
	"net/netip"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/virerr"
)

// The sections virNetworkUpdate changes (libvirt 9.0's
// virNetworkDefUpdate* functions).

// opInvalid is a VIR_ERR_OPERATION_INVALID of the network driver.
func opInvalid(format string, args ...any) error {
	return virerr.New(virerr.ErrOperationInvalid, virerr.FromNetwork, format, args...)
}

// isV6 reports whether an address is IPv6.
func isV6(addr string) bool { return strings.Contains(addr, ":") }

// dhcpParent is virNetworkIPDefByIndex: the <ip> whose DHCP an update
// changes, by index among all addresses, or for -1 the one with DHCP
// ranges or hosts, else the first IPv4, else the first IPv6 address.
func dhcpParent(n *libvirtxml.Network, parentIndex int) (*libvirtxml.NetworkIP, error) {
	if parentIndex >= 0 {
		if parentIndex >= len(n.IPs) {
			return nil, opInvalid("couldn't update dhcp host entry - no <ip> element found at index %d in network '%s'", parentIndex, n.Name)
		}
		return &n.IPs[parentIndex], nil
	}
	for i := range n.IPs {
		if d := n.IPs[i].DHCP; d != nil && (len(d.Ranges) > 0 || len(d.Hosts) > 0) {
			return &n.IPs[i], nil
		}
	}
	for _, v6 := range []bool{false, true} {
		for i := range n.IPs {
			if isV6(n.IPs[i].Address) == v6 {
				return &n.IPs[i], nil
			}
		}
	}
	return nil, opInvalid("couldn't update dhcp host entry - no <ip> element found in network '%s'", n.Name)
}

// dhcpEntry reads a DHCP host or range (element elem) into v and returns
// the <ip> it goes to (dhcpParent).
func dhcpEntry(n *libvirtxml.Network, parentIndex int, el element, elem string, v any) (*libvirtxml.NetworkIP, error) {
	if err := el.decode(n.Name, elem, v); err != nil {
		return nil, err
	}
	return dhcpParent(n, parentIndex)
}

// checkSingleDHCP is virNetworkDefUpdateCheckMultiDHCP: no other address
// of ip's family may serve DHCP.
func checkSingleDHCP(n *libvirtxml.Network, ip *libvirtxml.NetworkIP) error {
	for i := range n.IPs {
		o := &n.IPs[i]
		if o != ip && isV6(o.Address) == isV6(ip.Address) && o.DHCP != nil && (len(o.DHCP.Ranges) > 0 || len(o.DHCP.Hosts) > 0) {
			return opInvalid("dhcp is supported only for a single %s address on each network", map[bool]string{false: "IPv4", true: "IPv6"}[isV6(ip.Address)])
		}
	}
	return nil
}

// checkHost is virNetworkDHCPHostDefParseXML's check of a static host of
// an IPv6 (v6) or IPv4 network; partial is a host to look up (one of
// mac, name and ip is enough).
func checkHost(netName string, v6 bool, h *libvirtxml.NetworkDHCPHost, partial bool) error {
	if h.MAC != "" {
		if v6 {
			return xmlErr("Invalid to specify MAC address '%s' in network '%s' IPv6 static host definition", h.MAC, netName)
		}
		m, ok := domainxml.ParseMAC(h.MAC)
		if !ok {
			return xmlErr("Cannot parse MAC address '%s' in network '%s'", h.MAC, netName)
		}
		if b := m[0:2]; strings.ContainsAny(b[1:], "13579bdf") {
			return xmlErr("expected unicast mac address, found multicast '%s' in network '%s'", h.MAC, netName)
		}
	}
	if h.ID != "" {
		if i := strings.IndexFunc(h.ID, func(r rune) bool { return !strings.ContainsRune("0123456789abcdefABCDEF:", r) }); i >= 0 {
			return xmlErr("Invalid character '%c' in id '%s' of network '%s'", h.ID[i], h.ID, netName)
		}
	}
	if h.Name != "" && !isAlnum(h.Name[0]) {
		return xmlErr("Cannot use host name '%s' in network '%s'", h.Name, netName)
	}
	if h.IP != "" {
		if _, err := netip.ParseAddr(h.IP); err != nil {
			return xmlErr("Invalid IP address in static host definition for network '%s'", netName)
		}
	}
	switch {
	case partial:
		if h.MAC == "" && h.Name == "" && h.IP == "" {
			return xmlErr("At least one of name, mac, or ip attribute must be specified for static host definition in network '%s' ", netName)
		}
	case v6 && h.ID == "" && h.Name == "":
		return xmlErr("Static host definition in IPv6 network '%s' must have id or name attribute", netName)
	case !v6 && h.MAC == "" && h.Name == "":
		return xmlErr("Static host definition in IPv4 network '%s' must have mac or name attribute", netName)
	case h.IP == "":
		return xmlErr("Missing IP address in static host definition for network '%s'", netName)
	}
	return nil
}

// orNull is s, or "(null)" for "".
func orNull(s string) string {
	if s == "" {
		return "(null)"
	}
	return s
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// sameMAC compares two MAC addresses as addresses.
func sameMAC(a, b string) bool {
	x, ok1 := domainxml.ParseMAC(a)
	y, ok2 := domainxml.ParseMAC(b)
	return ok1 && ok2 && x == y
}

// sameIP compares two addresses as addresses.
func sameIP(a, b string) bool {
	x, err1 := netip.ParseAddr(a)
	y, err2 := netip.ParseAddr(b)
	return err1 == nil && err2 == nil && x == y
}

// orUnknown is libvirt's "unknown" for a missing value in a message.
func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// updateDHCPHost is virNetworkDefUpdateIPDHCPHost.
func updateDHCPHost(n *libvirtxml.Network, command uint32, parentIndex int, el element) error {
	var h libvirtxml.NetworkDHCPHost
	ip, err := dhcpEntry(n, parentIndex, el, "host", &h)
	if err != nil {
		return err
	}
	partial := command == UpdateDelete
	if err := checkHost(n.Name, isV6(ip.Address), &h, partial); err != nil {
		return err
	}
	if !partial && isV6(ip.Address) != isV6(h.IP) {
		return opInvalid("the address family of a host entry IP must match the address family of the dhcp element's parent")
	}
	if ip.DHCP == nil {
		ip.DHCP = &libvirtxml.NetworkDHCP{}
	}
	hosts := ip.DHCP.Hosts
	switch {
	case command == UpdateModify:
		for i, o := range hosts {
			if h.MAC != "" && o.MAC != "" && sameMAC(h.MAC, o.MAC) || h.IP != "" && sameIP(h.IP, o.IP) || h.Name != "" && h.Name == o.Name {
				hosts[i] = h
				return nil
			}
		}
		// libvirt prints a missing name as glibc prints NULL.
		return opInvalid("couldn't locate an existing dhcp host entry with \"mac='%s'\" \"name='%s'\" \"ip='%s'\" in network '%s'",
			orUnknown(h.MAC), orNull(h.Name), orUnknown(h.IP), n.Name)
	case isAdd(command):
		if err := checkSingleDHCP(n, ip); err != nil {
			return err
		}
		for _, o := range hosts {
			if h.MAC != "" && o.MAC != "" && sameMAC(h.MAC, o.MAC) || h.Name != "" && h.Name == o.Name || h.IP != "" && sameIP(h.IP, o.IP) {
				return opInvalid("there is an existing dhcp host entry in network '%s' that matches \"<host mac='%s' name='%s' ip='%s'/>\"",
					n.Name, orUnknown(h.MAC), h.Name, orUnknown(h.IP))
			}
		}
		ip.DHCP.Hosts = insert(hosts, h, command)
		return nil
	case command == UpdateDelete:
		for i, o := range hosts {
			if (h.MAC == "" || o.MAC == "" || sameMAC(h.MAC, o.MAC)) && (h.Name == "" || h.Name == o.Name) && (h.IP == "" || sameIP(h.IP, o.IP)) {
				ip.DHCP.Hosts = append(hosts[:i:i], hosts[i+1:]...)
				return nil
			}
		}
		return opInvalid("couldn't locate a matching dhcp host entry in network '%s'", n.Name)
	}
	return unknownCommand(command)
}

// updateDHCPRange is virNetworkDefUpdateIPDHCPRange.
func updateDHCPRange(n *libvirtxml.Network, command uint32, parentIndex int, el element) error {
	var rg libvirtxml.NetworkDHCPRange
	ip, err := dhcpEntry(n, parentIndex, el, "range", &rg)
	if err != nil {
		return err
	}
	if command == UpdateModify {
		return virerr.New(virerr.ErrOperationUnsupported, virerr.FromNetwork, "dhcp ranges cannot be modified, only added or deleted")
	}
	a, err := Address(n.Name, *ip)
	if err != nil {
		return err
	}
	if err := checkDHCPRange(n.Name, rg.Start, rg.Start != "", rg.End, rg.End != "", a.IP, ip.Address, a.Prefix); err != nil {
		return err
	}
	if isV6(ip.Address) != isV6(rg.Start) {
		return opInvalid("the address family of a dhcp range must match the address family of the dhcp element's parent")
	}
	if ip.DHCP == nil {
		ip.DHCP = &libvirtxml.NetworkDHCP{}
	}
	found, idx := 0, -1
	for i, o := range ip.DHCP.Ranges {
		if sameIP(rg.Start, o.Start) && sameIP(rg.End, o.End) {
			found, idx = 1, i
			break
		}
	}
	if isAdd(command) {
		if err := checkSingleDHCP(n, ip); err != nil {
			return err
		}
	}
	ranges, err := editList(ip.DHCP.Ranges, rg, command, found, idx,
		opInvalid("there is an existing dhcp range entry in network '%s' that matches \"<range start='%s' end='%s'/>\"", n.Name, rg.Start, rg.End),
		opInvalid("couldn't locate a matching dhcp range entry in network '%s'", n.Name), nil)
	if err != nil {
		return err
	}
	ip.DHCP.Ranges = ranges
	return nil
}

// updateForwardInterface is virNetworkDefUpdateForwardInterface; a pool
// device with ports (devConns) cannot be deleted.
func updateForwardInterface(n *libvirtxml.Network, command uint32, el element, devConns map[string]int) error {
	var ifc libvirtxml.NetworkForwardInterface
	if err := el.decode(n.Name, "interface", &ifc); err != nil {
		return err
	}
	if command == UpdateModify {
		return virerr.New(virerr.ErrOperationUnsupported, virerr.FromNetwork, "forward interface entries cannot be modified, only added or deleted")
	}
	if ifc.Dev == "" {
		return xmlErr("missing dev attribute in <interface> element")
	}
	if n.Forward == nil {
		n.Forward = &libvirtxml.NetworkForward{}
	}
	f := n.Forward
	found, idx := 0, -1
	for i, o := range f.Interfaces {
		if o.Dev == ifc.Dev {
			found, idx = 1, i
			break
		}
	}
	if c := devConns[ifc.Dev]; command == UpdateDelete && found > 0 && c > 0 {
		return opInvalid("unable to delete interface '%s' in network '%s'. It is currently being used  by %d domains.", ifc.Dev, n.Name, c)
	}
	ifs, err := editList(f.Interfaces, libvirtxml.NetworkForwardInterface{Dev: ifc.Dev}, command, found, idx,
		opInvalid("there is an existing interface entry in network '%s' that matches \"<interface dev='%s'>\"", n.Name, ifc.Dev),
		opInvalid("couldn't find an interface entry in network '%s' matching <interface dev='%s'>", n.Name, ifc.Dev), nil)
	if err != nil {
		return err
	}
	f.Interfaces = ifs
	// <forward dev> is the pool's first device.
	f.Dev = ""
	if len(f.Interfaces) > 0 {
		f.Dev = f.Interfaces[0].Dev
	}
	return nil
}
