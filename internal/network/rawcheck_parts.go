package network

import (
	"net"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/cparse"
	"virtlxc/internal/virerr"
)

// rawDHCPHost is a <dhcp><host> as checkHost takes it.
func rawDHCPHost(h *rawNode) libvirtxml.NetworkDHCPHost {
	var out libvirtxml.NetworkDHCPHost
	out.MAC, _ = h.attr("mac")
	out.ID, _ = h.attr("id")
	out.Name, _ = h.attr("name")
	out.IP, _ = h.attr("ip")
	return out
}

// The characters libvirt allows in a DNS SRV record's protocol and
// service.
const (
	srvProtocolChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-+/"
	srvServiceChars  = srvProtocolChars + "_*"
)

// checkRawDNS is virNetworkDNSDefParseXML: its yes/no attributes, then
// each <forwarder>, <host>, <srv> and <txt>; a disabled DNS takes none.
func checkRawDNS(d *rawNode, name string) error {
	for _, attr := range []string{"enable", "forwardPlainNames"} {
		if err := tristate(d, attr); err != nil {
			return err
		}
	}
	fwds, hosts, srvs, txts := d.all("forwarder"), d.all("host"), d.all("srv"), d.all("txt")
	for _, f := range fwds {
		addr, hasAddr := f.attr("addr")
		if hasAddr && net.ParseIP(addr) == nil {
			return xmlErr("Invalid forwarder IP address '%s' in network '%s'", addr, name)
		}
		if _, hasDomain := f.attr("domain"); !hasAddr && !hasDomain {
			return xmlErr("Invalid forwarder element, must contain at least one of addr or domain")
		}
	}
	for _, h := range hosts {
		if err := checkRawDNSHost(h, name); err != nil {
			return err
		}
	}
	for _, s := range srvs {
		if err := checkRawSRV(s, name); err != nil {
			return err
		}
	}
	for _, t := range txts {
		tname, ok := t.attr("name")
		switch {
		case !ok:
			return xmlDetail("missing required name attribute in DNS TXT record of network %s", name)
		case strings.ContainsAny(tname, " ,"):
			return xmlDetail("prohibited character in DNS TXT record name '%s' of network %s", tname, name)
		}
		if _, ok := t.attr("value"); !ok {
			return xmlDetail("missing required value attribute in DNS TXT record named '%s' of network %s", tname, name)
		}
	}
	if v, _ := d.attr("enable"); v == "no" && len(fwds)+len(hosts)+len(srvs)+len(txts) > 0 {
		return xmlErr("Extra data in disabled network '%s'", name)
	}
	return nil
}

// checkRawDNSHost is virNetworkDNSHostDefParseXML for a definition: one
// or more non-empty <hostname>s, and an address.
func checkRawDNSHost(h *rawNode, name string) error {
	names := h.all("hostname")
	if len(names) == 0 {
		return xmlDetail("Missing hostname in network '%s' DNS HOST record", name)
	}
	for _, hn := range names {
		if hn.Text == "" {
			return xmlDetail("Missing hostname in network '%s' DNS HOST record", name)
		}
	}
	ip, ok := h.attr("ip")
	if !ok {
		return xmlDetail("Missing IP address in network '%s' DNS HOST record", name)
	}
	if net.ParseIP(ip) == nil {
		return xmlDetail("Invalid IP address in network '%s' DNS HOST record", name)
	}
	return nil
}

// checkRawSRV is virNetworkDNSSrvDefParseXML for a definition: service
// and protocol, then port, priority and weight (only with a target).
func checkRawSRV(s *rawNode, name string) error {
	service, ok := s.attr("service")
	if !ok {
		return xmlDetail("missing required service attribute in DNS SRV record of network '%s'", name)
	}
	if strings.Trim(service, srvServiceChars) != "" {
		return xmlDetail("invalid character in service attribute '%s' in DNS SRV record of network '%s'", service, name)
	}
	protocol, ok := s.attr("protocol")
	if !ok {
		return xmlDetail("missing required protocol attribute in DNS SRV record '%s' of network '%s'", service, name)
	}
	if strings.Trim(protocol, srvProtocolChars) != "" {
		return xmlDetail("invalid character in protocol attribute '%s' in DNS SRV record of network '%s'", protocol, name)
	}
	_, hasTarget := s.attr("target")
	for _, f := range []struct {
		attr, invalid string
		min           uint64
	}{
		{"port", "invalid DNS SRV port attribute for service '%s' in network '%s'", 1},
		{"priority", "Invalid DNS SRV priority attribute for service '%s' in network '%s'", 0},
		{"weight", "invalid DNS SRV weight attribute for service '%s' in network '%s'", 0},
	} {
		v, ok := s.attr(f.attr)
		if !ok {
			continue
		}
		n, valid := cparse.UI(v)
		if valid && !hasTarget {
			return xmlDetail("DNS SRV %s attribute not permitted without target for service '%s' in network '%s'", f.attr, service, name)
		}
		if !valid || uint64(n) < f.min || n > 65535 {
			return xmlDetail(f.invalid, service, name)
		}
	}
	return nil
}

// forwardDrivers are the names <forward><driver name> takes.
var forwardDrivers = map[string]bool{"kvm": true, "vfio": true}

// checkRawForward is the start of virNetworkForwardDefParseXML: the mode,
// the driver and the <nat> element (its parse is
// virNetworkForwardNatDefParseXML).
func checkRawForward(f *rawNode, name string) error {
	mode, ok := f.attr("mode")
	if !ok {
		mode = "nat"
	} else if !forwardModes[mode] {
		return virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork, "unknown forwarding type '%s'", mode)
	}
	if d := f.first("driver"); d != nil {
		if v, ok := d.attr("name"); ok && !forwardDrivers[v] {
			return virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork, "Unknown forward <driver name='%s'/> in network %s", v, name)
		}
	}
	nats := f.all("nat")
	switch {
	case len(nats) > 1:
		return xmlErr("Only one <nat> element is allowed in <forward> of network %s", name)
	case len(nats) == 1:
		return checkRawNAT(nats[0], mode, name)
	}
	return nil
}

// checkRawNAT is virNetworkForwardNatDefParseXML.
func checkRawNAT(nat *rawNode, mode, name string) error {
	if mode != "nat" {
		return xmlErr("The <nat> element can only be used when <forward> 'mode' is 'nat' in network %s", name)
	}
	if err := tristate(nat, "ipv6"); err != nil {
		return err
	}
	addrs := nat.all("address")
	if len(addrs) > 1 {
		return xmlErr("Only one <address> element is allowed in <nat> in <forward> in network %s", name)
	}
	if len(addrs) == 1 {
		start, ok := addrs[0].attr("start")
		if !ok {
			return xmlErr("missing 'start' attribute in <address> element in <nat> in <forward> in network %s", name)
		}
		end, ok := addrs[0].attr("end")
		if !ok {
			return xmlErr("missing 'end' attribute in <address> element in <nat> in <forward> in network %s", name)
		}
		s, e := net.ParseIP(start), net.ParseIP(end)
		if s == nil || s.To4() == nil {
			return xmlErr("Bad ipv4 start address '%s' in <nat> in <forward> in network '%s'", start, name)
		}
		if e == nil || e.To4() == nil {
			return xmlErr("Bad ipv4 end address '%s' in <nat> in <forward> in network '%s'", end, name)
		}
		if err := addrRange(s, e, start, end, nil, "", 0); err != nil {
			return err
		}
	}
	ports := nat.all("port")
	if len(ports) > 1 {
		return xmlErr("Only one <port> element is allowed in <nat> in <forward> in network %s", name)
	}
	if len(ports) == 1 {
		v, _ := ports[0].attr("start")
		start, ok := cparse.UI(v)
		if !ok || start > 65535 {
			return xmlDetail("Missing or invalid 'start' attribute in <port> in <nat> in <forward> in network %s", name)
		}
		v, _ = ports[0].attr("end")
		end, ok := cparse.UI(v)
		if !ok || end > 65535 || end < start {
			return xmlDetail("Missing or invalid 'end' attribute in <port> in <nat> in <forward> in network %s", name)
		}
	}
	return nil
}
