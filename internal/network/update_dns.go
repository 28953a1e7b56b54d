package network

import (
	"net/netip"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/virerr"
)

// The DNS sections of virNetworkUpdate (virNetworkDefUpdateDNSHost, -Txt,
// -Srv and their records' parsers): records are added or deleted, never
// modified.

// xmlDetail is a VIR_ERR_XML_DETAIL of the network driver.
func xmlDetail(format string, args ...any) error {
	return virerr.New(virerr.ErrXMLDetail, virerr.FromNetwork, format, args...)
}

// dnsOf returns n's <dns>, made if missing.
func dnsOf(n *libvirtxml.Network) *libvirtxml.NetworkDNS {
	if n.DNS == nil {
		n.DNS = &libvirtxml.NetworkDNS{}
	}
	return n.DNS
}

// decodeRecord reads a DNS record of kind (element elem) into v; records
// cannot be modified.
func decodeRecord(n *libvirtxml.Network, command uint32, kind string, el element, elem string, v any) error {
	if command == UpdateModify {
		return virerr.New(virerr.ErrOperationUnsupported, virerr.FromNetwork,
			"DNS %s records cannot be modified, only added or deleted", kind)
	}
	return el.decode(n.Name, elem, v)
}

// updateDNSHost is virNetworkDefUpdateDNSHost: hosts match by address,
// and when deleting by a host name too.
func updateDNSHost(n *libvirtxml.Network, command uint32, el element) error {
	var h libvirtxml.NetworkDNSHost
	if err := decodeRecord(n, command, "HOST", el, "host", &h); err != nil {
		return err
	}
	add := isAdd(command)
	if h.IP == "" && add {
		return xmlDetail("Missing IP address in network '%s' DNS HOST record", n.Name)
	}
	if _, err := netip.ParseAddr(h.IP); h.IP != "" && err != nil {
		return xmlDetail("Invalid IP address in network '%s' DNS HOST record", n.Name)
	}
	var names []libvirtxml.NetworkDNSHostHostname
	for _, hn := range h.Hostnames {
		if hn.Hostname != "" { // an empty <hostname/> is skipped
			names = append(names, hn)
		}
	}
	h.Hostnames = names
	switch {
	case len(names) == 0 && add:
		return xmlDetail("Missing hostname in network '%s' DNS HOST record", n.Name)
	case h.IP == "" && len(names) == 0:
		return xmlDetail("Missing ip and hostname in network '%s' DNS HOST record", n.Name)
	}
	dns := dnsOf(n)
	found, idx := 0, -1
	for i, o := range dns.Host {
		match := h.IP != "" && sameIP(h.IP, o.IP)
		for _, a := range h.Hostnames {
			for _, b := range o.Hostnames {
				match = match || !add && a.Hostname == b.Hostname
			}
		}
		if match {
			found, idx = found+1, i
		}
	}
	hosts, err := editList(dns.Host, h, command, found, idx,
		opInvalid("there is already at least one DNS HOST record with a matching field in network %s", n.Name),
		opInvalid("couldn't locate a matching DNS HOST record in network %s", n.Name),
		opInvalid("multiple matching DNS HOST records were found in network %s", n.Name))
	if err != nil {
		return err
	}
	dns.Host = hosts
	return nil
}

// updateDNSTXT is virNetworkDefUpdateDNSTxt: records match by name.
func updateDNSTXT(n *libvirtxml.Network, command uint32, el element) error {
	var t libvirtxml.NetworkDNSTXT
	if err := decodeRecord(n, command, "TXT", el, "txt", &t); err != nil {
		return err
	}
	add := isAdd(command)
	switch {
	case t.Name == "":
		return xmlDetail("missing required name attribute in DNS TXT record of network %s", n.Name)
	case strings.ContainsAny(t.Name, " ,"):
		return xmlDetail("prohibited character in DNS TXT record name '%s' of network %s", t.Name, n.Name)
	case t.Value == "" && add:
		return xmlDetail("missing required value attribute in DNS TXT record named '%s' of network %s", t.Name, n.Name)
	}
	dns := dnsOf(n)
	found, idx := 0, -1
	for i, o := range dns.TXTs {
		if o.Name == t.Name {
			found, idx = 1, i
			break
		}
	}
	txts, err := editList(dns.TXTs, t, command, found, idx,
		opInvalid("there is already a DNS TXT record with name '%s' in network %s", t.Name, n.Name),
		opInvalid("couldn't locate a matching DNS TXT record in network %s", n.Name), nil)
	if err != nil {
		return err
	}
	dns.TXTs = txts
	return nil
}

// updateDNSSRV is virNetworkDefUpdateDNSSrv: records match on every field
// the snippet gives (domain, service, protocol, target).
func updateDNSSRV(n *libvirtxml.Network, command uint32, el element) error {
	var s libvirtxml.NetworkDNSSRV
	if err := decodeRecord(n, command, "SRV", el, "srv", &s); err != nil {
		return err
	}
	add := isAdd(command)
	switch {
	case s.Service == "" && add:
		return xmlDetail("missing required service attribute in DNS SRV record of network '%s'", n.Name)
	case s.Protocol == "" && add:
		return xmlDetail("missing required protocol attribute in DNS SRV record '%s' of network '%s'", s.Service, n.Name)
	case s.Target == "" && s.Port != 0:
		return xmlDetail("DNS SRV port attribute not permitted without target for service '%s' in network '%s'", s.Service, n.Name)
	case s.Target == "" && s.Priority != 0:
		return xmlDetail("DNS SRV priority attribute not permitted without target for service '%s' in network '%s'", s.Service, n.Name)
	case s.Target == "" && s.Weight != 0:
		return xmlDetail("DNS SRV weight attribute not permitted without target for service '%s' in network '%s'", s.Service, n.Name)
	}
	dns := dnsOf(n)
	found, idx := 0, -1
	for i, o := range dns.SRVs {
		if (s.Domain == "" || s.Domain == o.Domain) && (s.Service == "" || s.Service == o.Service) &&
			(s.Protocol == "" || s.Protocol == o.Protocol) && (s.Target == "" || s.Target == o.Target) {
			found, idx = found+1, i
		}
	}
	srvs, err := editList(dns.SRVs, s, command, found, idx,
		opInvalid("there is already at least one DNS SRV record matching all specified fields in network %s", n.Name),
		opInvalid("couldn't locate a matching DNS SRV record in network %s", n.Name),
		opInvalid("multiple DNS SRV records matching all specified fields were found in network %s", n.Name))
	if err != nil {
		return err
	}
	dns.SRVs = srvs
	return nil
}
