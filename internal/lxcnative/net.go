package lxcnative

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"virtlxc/internal/cparse"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/virerr"
)

// nic is what the lxc.network.* (or lxc.net.N.*) keys of one interface
// say (lxcNetworkParseData).
type nic struct {
	index     uint64
	hasType   bool
	typ       string
	mac, flag string
	// Unset and empty differ, as NULL and "" do for libvirt.
	link, macvlanMode, vlanID, name *string
	ips                             []string // XML <ip> elements
	gw4, gw6                        *string
}

// networks reads every interface and adds it (lxcConvertNetworkSettings).
func (b *builder) networks(conf config) error {
	var nics []*nic
	for _, e := range conf {
		var n *nic
		var key string
		switch {
		case strings.HasPrefix(e.name, "lxc.network."):
			// Legacy keys: each "type" starts an interface, the others
			// belong to the last one.
			key = strings.TrimPrefix(e.name, "lxc.network.")
			if key == "type" {
				n = &nic{index: uint64(len(nics) + 1)}
				nics = append(nics, n)
			} else if len(nics) > 0 {
				n = nics[len(nics)-1]
			} else {
				return unknownError()
			}
		case strings.HasPrefix(e.name, "lxc.net."):
			idx, rest, ok := cparse.ULLPrefix(strings.TrimPrefix(e.name, "lxc.net."))
			if !ok || !strings.HasPrefix(rest, ".") {
				return unknownError()
			}
			key = rest[1:]
			for _, x := range nics {
				if x.index == idx {
					n = x
					break
				}
			}
			if n == nil {
				n = &nic{index: idx}
				nics = append(nics, n)
			}
		default:
			continue
		}
		if err := n.set(key, e.value); err != nil {
			return err
		}
	}
	for _, n := range nics {
		if err := b.addNIC(n); err != nil {
			return err
		}
	}
	if len(nics) == 0 {
		// No network keys: LXC gives the container a loopback only.
		b.features.WriteString("<privnet/>")
	}
	return nil
}

// set records one key of an interface (lxcNetworkParseDataSuffix); keys
// libvirt does not know fail the conversion.
func (n *nic) set(key, value string) error {
	switch key {
	case "type":
		n.typ, n.hasType = value, true
	case "link":
		n.link = &value
	case "hwaddr":
		n.mac = value
	case "flags":
		n.flag = value
	case "macvlan.mode":
		n.macvlanMode = &value
	case "vlan.id":
		n.vlanID = &value
	case "name":
		n.name = &value
	case "ipv4", "ipv4.address", "ipv6", "ipv6.address":
		ip, err := parseCIDR(value, strings.HasPrefix(key, "ipv6"))
		if err != nil {
			return err
		}
		n.ips = append(n.ips, ip)
	case "ipv4.gateway":
		n.gw4 = &value
	case "ipv6.gateway":
		n.gw6 = &value
	default:
		return unknownError()
	}
	return nil
}

// parseCIDR reads "ADDRESS/PREFIX" into an <ip> element
// (lxcNetworkParseDataIPs).
func parseCIDR(value string, v6 bool) (string, error) {
	bad := virerr.New(virerr.ErrInvalidArg, virerr.FromLXC, "Invalid CIDR address: '%s'", value)
	addr, prefix, ok := strings.Cut(value, "/")
	if !ok {
		return "", bad
	}
	p, ok := cparse.UI(prefix)
	if !ok {
		return "", bad
	}
	family, a := "ipv4", ""
	if v6 {
		family = "ipv6"
		ip, err := netip.ParseAddr(addr)
		if err != nil || !ip.Is6() {
			return "", bad
		}
		a = ip.WithZone("").String()
	} else if a, ok = parseIPv4(addr); !ok {
		return "", bad
	}
	return fmt.Sprintf("<ip address='%s' family='%s' prefix='%d'/>", a, family, p), nil
}

// parseIPv4 reads an IPv4 address as inet_aton does (getaddrinfo with
// AI_NUMERICHOST): one to four parts, each decimal, octal (0...) or hex
// (0x...), the last filling the remaining bytes.
func parseIPv4(s string) (string, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return "", false
	}
	var vals []uint64
	for _, p := range parts {
		base := 10
		switch {
		case strings.HasPrefix(p, "0x") || strings.HasPrefix(p, "0X"):
			base, p = 16, p[2:]
			if p == "" {
				p = "0" // "0x" alone is 0 for inet_aton
			}
		case len(p) > 1 && p[0] == '0':
			base = 8
		}
		if p == "" || strings.ContainsAny(p, "+- ") {
			return "", false
		}
		v, err := strconv.ParseUint(p, base, 32)
		if err != nil {
			return "", false
		}
		vals = append(vals, v)
	}
	last := vals[len(vals)-1]
	if last >= 1<<(8*(5-len(vals))) {
		return "", false
	}
	var ip uint64
	for i, v := range vals[:len(vals)-1] {
		if v > 255 {
			return "", false
		}
		ip |= v << (8 * (3 - i))
	}
	ip |= last
	return fmt.Sprintf("%d.%d.%d.%d", ip>>24, ip>>16&255, ip>>8&255, ip&255), true
}

// route is the default route through gateway that libvirt adds for an
// ipv4.gateway or ipv6.gateway key (virNetDevIPRouteCreate).
func route(gateway string, v6 bool) (string, error) {
	addr, ok := parseIPv4(gateway)
	is6 := false
	if !ok {
		ip, err := netip.ParseAddr(gateway)
		if err != nil {
			return "", virerr.New(virerr.ErrXMLError, virerr.FromLXC, "Domain interface: Bad gateway address '%s' in route definition", gateway)
		}
		addr, is6 = ip.WithZone("").String(), true
	}
	if v6 && !is6 {
		return "", virerr.New(virerr.ErrXMLError, virerr.FromLXC, "Domain interface: ipv6 specified for non-IPv6 gateway address '%s' in route definition", gateway)
	}
	if !v6 && is6 {
		return "", virerr.New(virerr.ErrXMLError, virerr.FromLXC, "Domain interface: ipv4 specified for non-IPv4 gateway address '%s' in route definition", gateway)
	}
	if v6 {
		return fmt.Sprintf("<route family='ipv6' address='::' gateway='%s'/>", addr), nil
	}
	return fmt.Sprintf("<route family='ipv4' address='0.0.0.0' gateway='%s'/>", addr), nil
}

// ipConfig is an interface's <ip> and <route> elements.
func (n *nic) ipConfig() (string, error) {
	out := strings.Join(n.ips, "")
	for _, gw := range []struct {
		addr *string
		v6   bool
	}{{n.gw4, false}, {n.gw6, true}} {
		if gw.addr != nil {
			r, err := route(*gw.addr, gw.v6)
			if err != nil {
				return "", err
			}
			out += r
		}
	}
	return out, nil
}

// addNIC adds one interface (lxcAddNetworkDefinition): none for an empty
// type, a host interface moved in for phys and vlan, else an
// <interface>.
func (b *builder) addNIC(n *nic) error {
	if !n.hasType || n.typ == "empty" || n.typ == "" || n.typ == "none" {
		return nil
	}
	if n.typ == "phys" || n.typ == "vlan" {
		if n.link == nil {
			return virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "Missing 'link' attribute for NIC")
		}
		dev := *n.link
		if n.typ == "vlan" && n.vlanID != nil {
			dev += "." + *n.vlanID
		}
		ipc, err := n.ipConfig()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b.hostdevs, "<hostdev mode='capabilities' type='net'><source><interface>%s</interface></source>%s</hostdev>\n", esc(dev), ipc)
		return nil
	}
	typ, source := "user", ""
	switch n.typ {
	case "veth":
		typ = "ethernet"
		if n.link != nil {
			typ, source = "bridge", fmt.Sprintf("<source bridge='%s'/>", esc(*n.link))
		}
	case "macvlan":
		if n.link == nil {
			return unknownError()
		}
		mode := "vepa" // also libvirt's value for a mode it does not know
		switch {
		case n.macvlanMode == nil || *n.macvlanMode == "private":
			mode = "private"
		case *n.macvlanMode == "bridge":
			mode = "bridge"
		}
		typ, source = "direct", fmt.Sprintf("<source dev='%s' mode='%s'/>", esc(*n.link), mode)
	}
	ipc, err := n.ipConfig()
	if err != nil {
		return err
	}
	mac, ok := domainxml.ParseMAC(n.mac)
	if !ok {
		mac = "00:00:00:00:00:00"
	}
	b.macs = append(b.macs, mac)
	guest := ""
	if n.name != nil {
		guest = fmt.Sprintf("<guest dev='%s'/>", esc(*n.name))
	}
	state := "down"
	if n.flag == "up" {
		state = "up"
	}
	// The MAC is set after parsing: libvirt keeps one its parser refuses.
	fmt.Fprintf(&b.interfaces, "<interface type='%s'><mac address='00:00:00:00:00:00'/>%s%s%s<link state='%s'/></interface>\n",
		typ, source, ipc, guest, state)
	return nil
}
