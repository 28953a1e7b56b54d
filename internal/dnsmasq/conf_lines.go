package dnsmasq

import (
	"fmt"
	"net"
	"strings"
)

// srvLine is an SRV record as dnsmasq's srv-host: port, priority and
// weight are positional, so an earlier one is given (port 1, priority 0)
// when a later one is; a target of "" or "." means "no such service".
func srvLine(s SRV) string {
	l := fmt.Sprintf("srv-host=_%s._%s", s.Service, s.Protocol)
	if s.Domain != "" {
		l += "." + s.Domain
	}
	if s.Target == "" || s.Target == "." {
		return l
	}
	l += "," + s.Target
	if s.Port != 0 || s.Priority != 0 || s.Weight != 0 {
		port := s.Port
		if port == 0 {
			port = 1
		}
		l += fmt.Sprintf(",%d", port)
	}
	if s.Priority != 0 || s.Weight != 0 {
		l += fmt.Sprintf(",%d", s.Priority)
	}
	if s.Weight != 0 {
		l += fmt.Sprintf(",%d", s.Weight)
	}
	return l
}

// hostLine is a static host as a dhcp-hostsfile line, as libvirt writes
// it ("" for a host without an address).
func hostLine(h Host, v6 bool) string {
	if h.IP == nil {
		return ""
	}
	var l string
	switch {
	case v6 && h.ID != "" && h.Name != "":
		l = fmt.Sprintf("id:%s,%s,[%s]", h.ID, h.Name, h.IP)
	case v6 && h.ID != "":
		l = fmt.Sprintf("id:%s,[%s]", h.ID, h.IP)
	case v6 && h.Name != "":
		l = fmt.Sprintf("%s,[%s]", h.Name, h.IP)
	case v6:
		return ""
	case h.MAC != "" && h.Name != "":
		l = fmt.Sprintf("%s,%s,%s", h.MAC, h.IP, h.Name)
	case h.Name != "":
		l = fmt.Sprintf("%s,%s", h.Name, h.IP)
	default:
		l = fmt.Sprintf("%s,%s", h.MAC, h.IP)
	}
	if h.Lease != "" {
		l += "," + h.Lease
	}
	return l
}

// LeaseTime is a <lease expiry unit> as dnsmasq's lease time: "infinite"
// for 0, else the number and the unit's first letter (s, m, h; libvirt's
// default unit is minutes).
func LeaseTime(expiry uint, unit string) string {
	if expiry == 0 {
		return "infinite"
	}
	if unit == "" {
		unit = "minutes"
	}
	return fmt.Sprintf("%d%c", expiry, unit[0])
}

// PTRDomain is the reverse zone of a network (libvirt's
// virSocketAddrPTRDomain): its address's leading octets (IPv4) or
// nibbles (IPv6) reversed; ok is false when the prefix is not a whole
// number of them.
func PTRDomain(addr net.IP, prefix int) (string, bool) {
	var parts []string
	if a := addr.To4(); a != nil {
		if prefix%8 != 0 || prefix > 32 {
			return "", false
		}
		for i := prefix/8 - 1; i >= 0; i-- {
			parts = append(parts, fmt.Sprint(a[i]))
		}
		return strings.Join(append(parts, "in-addr.arpa"), "."), true
	}
	a := addr.To16()
	if a == nil || prefix%4 != 0 || prefix > 128 {
		return "", false
	}
	for i := prefix/4 - 1; i >= 0; i-- {
		n := a[i/2]
		if i%2 == 0 {
			n >>= 4
		}
		parts = append(parts, fmt.Sprintf("%x", n&0xf))
	}
	return strings.Join(append(parts, "ip6.arpa"), "."), true
}

// size is the number of addresses in r (IPv6 ranges count as their
// distance capped at a million, as only the total matters).
func size(r Range) (int, error) {
	s, e := r.Start.To16(), r.End.To16()
	if s == nil || e == nil || (r.Start.To4() == nil) != (r.End.To4() == nil) {
		return 0, fmt.Errorf("dnsmasq: bad range %s-%s", r.Start, r.End)
	}
	n := 0
	for i := 0; i < 16; i++ {
		n = n*256 + int(e[i]) - int(s[i])
		if n > 1<<20 {
			return 1 << 20, nil
		}
	}
	if n < 0 {
		return 0, fmt.Errorf("dnsmasq: range %s-%s ends before it starts", r.Start, r.End)
	}
	return n + 1, nil
}
