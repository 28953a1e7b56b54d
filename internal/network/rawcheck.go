package network

import (
	"encoding/xml"
	"net"
	"strconv"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/cparse"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/virerr"
)

// rawNode is an element of a network document as written: what
// libvirtxml's typed fields lose (a number that does not parse, an
// attribute that is absent rather than empty) is still there.
type rawNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []rawNode  `xml:",any"`
	Text    string     `xml:",chardata"`
}

// attr returns the value of attribute name and whether it is present.
func (r *rawNode) attr(name string) (string, bool) {
	for _, a := range r.Attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value, true
		}
	}
	return "", false
}

// all returns the child elements called name, in document order.
func (r *rawNode) all(name string) []*rawNode {
	var out []*rawNode
	for i := range r.Nodes {
		if r.Nodes[i].XMLName.Local == name {
			out = append(out, &r.Nodes[i])
		}
	}
	return out
}

// first returns the first child element called name, or nil.
func (r *rawNode) first(name string) *rawNode {
	if all := r.all(name); len(all) > 0 {
		return all[0]
	}
	return nil
}

// xmlPropErr is virXMLProp*'s refusal of an attribute's value (from
// VIR_FROM_XML); detail is what follows the value ("" for none).
func xmlPropErr(attr, elem, value, detail string) error {
	return virerr.New(virerr.ErrXMLError, virerr.FromXML, "Invalid value for attribute '%s' in element '%s': '%s'.%s", attr, elem, value, detail)
}

// tristate checks a yes/no attribute as virXMLPropTristateBool does.
func tristate(n *rawNode, attr string) error {
	if v, ok := n.attr(attr); ok && v != "yes" && v != "no" {
		return xmlPropErr(attr, n.XMLName.Local, v, "")
	}
	return nil
}

// sockAddrErr is virSocketAddrParse's failure (getaddrinfo with
// AI_NUMERICHOST): a VIR_ERR_SYSTEM_ERROR from VIR_FROM_NONE.
func sockAddrErr(s string) error {
	return virerr.New(virerr.ErrSystemError, virerr.FromNone, "Cannot parse socket address '%s': Name or service not known", s)
}

// checkRaw is the part of libvirt's virNetworkDefParseXML that looks at
// the document as written, in libvirt's order: the network's own
// attributes, <bridge>, <mac>, <mtu>, <dns>, <portgroup>s, each <ip>
// (with its <dhcp> and <tftp>) and the parse of <forward> and its <nat>.
// The checks that need the parsed network (routes, the forward pool, the
// per-mode rules) follow in check.
func checkRaw(doc *rawNode, name string) error {
	if v, ok := doc.attr("ipv6"); ok && v != "yes" && v != "no" {
		return xmlErr("Invalid ipv6 setting '%s' in network '%s'", v, name)
	}
	if err := tristate(doc, "trustGuestRxFilters"); err != nil {
		return err
	}
	if d := doc.first("domain"); d != nil {
		if err := tristate(d, "localOnly"); err != nil {
			return err
		}
	}
	if err := checkRawBridge(doc, name); err != nil {
		return err
	}
	if m := doc.first("mac"); m != nil {
		if v, ok := m.attr("address"); ok {
			mac, valid := domainxml.ParseMAC(v)
			if !valid {
				return xmlErr("Invalid bridge mac address '%s' in network '%s'", v, name)
			}
			if multicastMAC(mac) {
				return xmlErr("Invalid multicast bridge mac address '%s' in network '%s'", v, name)
			}
		}
	}
	if m := doc.first("mtu"); m != nil {
		if v, ok := m.attr("size"); ok {
			if _, valid := cparse.UI(v); !valid {
				return xmlErr("Invalid mtu size '%s' in network '%s'", v, name)
			}
		}
	}
	if d := doc.first("dns"); d != nil {
		if err := checkRawDNS(d, name); err != nil {
			return err
		}
	}
	for _, pg := range doc.all("portgroup") {
		if _, ok := pg.attr("name"); !ok {
			return xmlErr("Missing required name attribute in portgroup")
		}
		if err := tristate(pg, "trustGuestRxFilters"); err != nil {
			return err
		}
	}
	for _, ip := range doc.all("ip") {
		if err := checkRawIP(ip, name); err != nil {
			return err
		}
	}
	if f := doc.first("forward"); f != nil {
		return checkRawForward(f, name)
	}
	return nil
}

// multicastMAC reports whether canonical MAC address mac is a multicast
// one (the low bit of its first octet).
func multicastMAC(mac string) bool {
	b, err := strconv.ParseUint(mac[:2], 16, 8)
	return err == nil && b&1 == 1
}

// checkRawBridge checks <bridge>'s delay and macTableManager.
func checkRawBridge(doc *rawNode, name string) error {
	br := doc.first("bridge")
	if br == nil {
		return nil
	}
	if v, ok := br.attr("delay"); ok {
		if _, valid := cparse.ULLP(v); !valid {
			return xmlErr("Invalid delay value in network '%s'", name)
		}
	}
	if v, ok := br.attr("macTableManager"); ok && v != "kernel" && v != "libvirt" {
		return xmlErr("Invalid macTableManager setting '%s' in network '%s'", v, name)
	}
	return nil
}

// checkRawIP is virNetworkIPDefParseXML: the address, netmask and prefix
// for the <ip>'s family, then its <dhcp> and <tftp>.
func checkRawIP(ip *rawNode, name string) error {
	address, ok := ip.attr("address")
	if !ok {
		return xmlErr("Missing required address attribute in network '%s'", name)
	}
	addr := net.ParseIP(address)
	if addr == nil {
		return xmlErr("Invalid address '%s' in network '%s'", address, name)
	}
	netmask, hasMask := ip.attr("netmask")
	var mask net.IP
	if hasMask {
		if mask = net.ParseIP(netmask); mask == nil {
			return xmlErr("Invalid netmask '%s' in network '%s'", netmask, name)
		}
	}
	var prefix uint64
	if v, ok := ip.attr("prefix"); ok {
		p, valid := cparse.UIP(v)
		if !valid {
			return xmlPropErr("prefix", "ip", v, " Expected non-negative integer value")
		}
		prefix = uint64(p)
	}
	if err := tristate(ip, "localPtr"); err != nil {
		return err
	}
	unsupported := func(format string, args ...any) error {
		return virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork, format, args...)
	}
	v4 := addr.To4() != nil
	switch family, _ := ip.attr("family"); family {
	case "", "ipv4":
		switch {
		case !v4 && family == "":
			return unsupported("no family specified for non-IPv4 address '%s' in network '%s'", address, name)
		case !v4:
			return unsupported("ipv4 family specified for non-IPv4 address '%s' in network '%s'", address, name)
		case hasMask && mask.To4() == nil:
			return unsupported("Invalid netmask '%s' for address '%s' in network '%s' (both must be IPv4)", netmask, address, name)
		case hasMask && prefix > 0:
			return unsupported("Network '%s' IP address cannot have both a prefix and a netmask", name)
		case !hasMask && prefix > 32:
			return unsupported("Invalid IPv4 prefix '%d' in network '%s'", prefix, name)
		}
	case "ipv6":
		switch {
		case v4:
			return unsupported("Family 'ipv6' specified for non-IPv6 address '%s' in network '%s'", address, name)
		case hasMask:
			return unsupported("netmask not allowed for IPv6 address '%s' in network '%s'", address, name)
		case prefix > 128:
			return unsupported("Invalid IPv6 prefix '%d' in network '%s'", prefix, name)
		}
	default:
		return xmlErr("Unrecognized family '%s' in network '%s'", family, name)
	}
	if d := ip.first("dhcp"); d != nil {
		// The prefix as the rest of the package resolves it (which
		// refuses a netmask that is not one: see Address).
		a, err := Address(name, libvirtxml.NetworkIP{Address: address, Netmask: netmask, Prefix: uint(prefix)})
		if err != nil {
			return err
		}
		if err := checkRawDHCP(d, name, addr, address, a.Prefix); err != nil {
			return err
		}
	}
	if ip.first("tftp") != nil && !v4 {
		return unsupported("Unsupported <tftp> element in an IPv6 element in network '%s'", name)
	}
	return nil
}

// checkRawDHCP is virNetworkDHCPDefParseXML: each <range>, each <host>,
// then <bootp>'s server.
func checkRawDHCP(d *rawNode, name string, netAddr net.IP, netStr string, prefix int) error {
	for _, r := range d.all("range") {
		start, hasStart := r.attr("start")
		end, hasEnd := r.attr("end")
		if err := checkDHCPRange(name, start, hasStart, end, hasEnd, netAddr, netStr, prefix); err != nil {
			return err
		}
	}
	v6 := netAddr.To4() == nil
	for _, h := range d.all("host") {
		host := rawDHCPHost(h)
		if err := checkHost(name, v6, &host, false); err != nil {
			return err
		}
	}
	if b := d.first("bootp"); b != nil && !v6 {
		if server, ok := b.attr("server"); ok && net.ParseIP(server) == nil {
			return sockAddrErr(server)
		}
	}
	return nil
}

// checkDHCPRange is virNetworkDHCPRangeDefParseXML's check of one <range>
// of the <ip> netAddr/prefix (netStr as written) of network name.
func checkDHCPRange(name, start string, hasStart bool, end string, hasEnd bool, netAddr net.IP, netStr string, prefix int) error {
	if !hasStart {
		return xmlErr("Missing 'start' attribute in dhcp range for network '%s'", name)
	}
	s := net.ParseIP(start)
	if s == nil {
		return sockAddrErr(start)
	}
	if !hasEnd {
		return xmlErr("Missing 'end' attribute in dhcp range for network '%s'", name)
	}
	e := net.ParseIP(end)
	if e == nil {
		return sockAddrErr(end)
	}
	return addrRange(s, e, start, end, netAddr, netStr, prefix)
}

// addrRange is virSocketAddrGetRange's check of a range start..end
// (written as startStr, endStr) inside network netAddr/prefix (netAddr
// nil for none): one family, inside the network, in order. Its errors
// come from VIR_FROM_NONE.
func addrRange(start, end net.IP, startStr, endStr string, netAddr net.IP, netStr string, prefix int) error {
	internal := func(format string, args ...any) error {
		return virerr.New(virerr.ErrInternalError, virerr.FromNone, format, args...)
	}
	v4 := func(a net.IP) bool { return a.To4() != nil }
	if v4(start) != v4(end) {
		return internal("mismatch of address family in range %s - %s", startStr, endStr)
	}
	if netAddr != nil {
		if v4(start) != v4(netAddr) {
			return internal("mismatch of address family in range %s - %s for network %s", startStr, endStr, netStr)
		}
		bits := 128
		if v4(netAddr) {
			bits = 32
		}
		if prefix < 0 || prefix > bits {
			return internal("bad prefix %d for network %s when  checking range %s - %s", prefix, netStr, startStr, endStr)
		}
		m := net.CIDRMask(prefix, bits)
		if !netAddr.Mask(m).Equal(start.Mask(m)) || !netAddr.Mask(m).Equal(end.Mask(m)) {
			return internal("range %s - %s is not entirely within network %s/%d", startStr, endStr, netStr, prefix)
		}
	}
	if compareIP(start, end) > 0 {
		// libvirt's message ends with a space (an empty detail).
		return internal("range %s - %s is reversed ", startStr, endStr)
	}
	return nil
}

// compareIP orders two addresses of one family.
func compareIP(a, b net.IP) int {
	return strings.Compare(string(a.To16()), string(b.To16()))
}
