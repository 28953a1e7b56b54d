package domainxml

import (
	"net/netip"
	"slices"

	"virtlxc/internal/cparse"
	"virtlxc/internal/virerr"
)

// Parse-time checks of interface (and caps net host device) IP
// information, and of host device modes and types.

// parseGuestIPs is virDomainNetIPInfoParseXML for an interface's guest
// side: each <ip> address must parse in its family, and gets the family
// of its address printed when it names none; a <route> without a family
// must have an IPv4 address.
func parseGuestIPs(n *node, who string) error {
	for _, ip := range n.all("ip") {
		addr, _ := ip.attr("address")
		family, _ := ip.attr("family")
		got := ipFamily(addr)
		if got == "" || (family != "" && family != got) {
			return xmlError("Invalid address '%s' in <ip>", addr)
		}
		setAttr(ip, "family", got)
	}
	if err := checkRoutes(n.all("route"), who); err != nil {
		return err
	}
	if src := n.child("source"); src != nil && n.name.Local == "interface" {
		return checkRoutes(src.all("route"), "interface host IP")
	}
	return nil
}

// checkRoutes is the part of virNetDevIPRouteParseXML libvirt reports for
// who: a route without a family must have an IPv4 address, and its
// address must be a network address under its prefix (given, from its
// netmask, or the address's natural one).
func checkRoutes(routes []*node, who string) error {
	for _, r := range routes {
		addr, _ := r.attr("address")
		if family, ok := r.attr("family"); (!ok || family == "") && ipFamily(addr) != "ipv4" {
			return xmlError("%s: No family specified for non-IPv4 address '%s' in route definition", who, addr)
		}
		a, err := netip.ParseAddr(addr)
		if err != nil {
			continue
		}
		bits := -1
		if p, ok := r.attr("prefix"); ok {
			if v, ok := cparse.UIP(p); ok && v > 0 {
				bits = int(v)
			}
		}
		if m, ok := r.attr("netmask"); ok && bits < 0 {
			if mask, err := netip.ParseAddr(m); err == nil && mask.Is4() {
				b := mask.As4()
				bits = 0
				for _, x := range b {
					for ; x&0x80 != 0; x <<= 1 {
						bits++
					}
				}
			}
		}
		if bits < 0 {
			bits = naturalPrefix(a)
		}
		if pfx, err := a.Prefix(bits); err == nil && pfx.Addr() != a {
			return xmlError("%s: Address '%s' in route definition is not a network address", who, addr)
		}
	}
	return nil
}

// naturalPrefix is virSocketAddrGetIPPrefix without prefix or netmask.
func naturalPrefix(a netip.Addr) int {
	switch {
	case a.IsUnspecified():
		return 0
	case !a.Is4():
		return 64
	}
	switch b := a.As4()[0]; {
	case b&0x80 == 0:
		return 8
	case b&0xC0 == 0x80:
		return 16
	case b&0xE0 == 0xC0:
		return 24
	}
	return 32
}

// ipFamily is "ipv4" or "ipv6" for an address that parses as one, else "".
func ipFamily(addr string) string {
	a, err := netip.ParseAddr(addr)
	switch {
	case err != nil || a.Zone() != "":
		return ""
	case a.Is4():
		return "ipv4"
	}
	return "ipv6"
}

// Host device modes and types virDomainHostdevDefParseXML knows.
var (
	hostdevModes    = []string{"subsystem", "capabilities"}
	hostdevSubsys   = []string{"usb", "pci", "scsi", "scsi_host", "mdev"}
	hostdevCapsType = []string{"storage", "misc", "net"}
)

// parseHostdevs is the mode and type part of virDomainHostdevDefParseXML
// for each <hostdev>: no mode is "subsystem", an unknown mode or type is
// refused, and a subsystem device is managed='no' unless it says yes.
func (p *parsed) parseHostdevs(root *node) error {
	for _, h := range devices(root, "hostdev") {
		mode, ok := h.attr("mode")
		if !ok {
			mode = "subsystem"
			setAttr(h, "mode", mode)
		}
		if !slices.Contains(hostdevModes, mode) {
			return domErr(virerr.ErrConfigUnsupported, "unknown hostdev mode '%s'", mode)
		}
		typ, ok := h.attr("type")
		if !ok {
			return xmlError("missing source address type")
		}
		known := hostdevCapsType
		if mode == "subsystem" {
			known = hostdevSubsys
		}
		if !slices.Contains(known, typ) {
			return domErr(virerr.ErrConfigUnsupported, "unknown host device source address type '%s'", typ)
		}
		if mode == "subsystem" {
			if m, _ := h.attr("managed"); m != "yes" {
				setAttr(h, "managed", "no")
			}
		}
		if mode == "capabilities" {
			if err := checkCapsSource(h, typ); err != nil {
				return err
			}
		}
		if mode == "capabilities" && typ == "net" {
			if err := parseGuestIPs(h, "Domain hostdev device"); err != nil {
				return err
			}
		}
	}
	return nil
}

// capsSource is the element a capabilities <hostdev>'s <source> names its
// device with, and how libvirt words it missing.
var capsSource = map[string][2]string{
	"storage": {"block", "Missing <block> element in hostdev storage device"},
	"misc":    {"char", "Missing <char> element in hostdev character device"},
	"net":     {"interface", "Missing <interface> element in hostdev net device"},
}

// checkCapsSource is virDomainHostdevDefParseXMLCaps' check of a
// capabilities <hostdev> of type typ: a <source> naming the device.
func checkCapsSource(h *node, typ string) error {
	src := h.child("source")
	if src == nil {
		return xmlError("Missing <source> element in hostdev device")
	}
	want := capsSource[typ]
	if el := src.child(want[0]); el == nil || el.str() == "" {
		return xmlError("%s", want[1])
	}
	return nil
}
