// Package dnsmasq runs the DHCP and DNS server of a virtual network: it
// writes a dnsmasq configuration in the layout libvirt's network driver
// writes (strict-order, except-interface=lo, bind-dynamic, one
// dhcp-range per <range>, dhcp-hostsfile and addn-hosts), starts and
// stops Debian's dnsmasq (package dnsmasq-base) through its pid file, and
// reads the leases it hands out.
//
// Unlike libvirt, which passes every lease through its leaseshelper into
// a JSON status file, the leases are read from dnsmasq's own lease file
// (dhcp-leasefile), whose format dnsmasq documents and keeps stable.
package dnsmasq

import (
	"fmt"
	"net"
	"strings"
)

// Files are the paths one network's dnsmasq uses.
type Files struct {
	// Conf is the configuration file (libvirt: DIR/NAME.conf).
	Conf string
	// Pid is the pid file dnsmasq writes (libvirt: RUN/NAME.pid).
	Pid string
	// Leases is dnsmasq's lease file (DIR/BRIDGE.leases).
	Leases string
	// Hosts is the dhcp-hostsfile with the static <host>s.
	Hosts string
	// AddnHosts holds the <dns><host> entries.
	AddnHosts string
}

// FilesFor returns the files of network name on bridge: configuration,
// hosts and leases under dir, the pid file under runDir.
func FilesFor(dir, runDir, name, bridge string) Files {
	return Files{
		Conf:      dir + "/" + name + ".conf",
		Pid:       runDir + "/" + name + ".pid",
		Leases:    dir + "/" + bridge + ".leases",
		Hosts:     dir + "/" + name + ".hostsfile",
		AddnHosts: dir + "/" + name + ".addnhosts",
	}
}

// Range is one DHCP address range.
type Range struct {
	Start, End net.IP
	// Prefix is the network's prefix length.
	Prefix int
}

// Host is a static DHCP host: a MAC (IPv4) or a name, and its address.
type Host struct {
	MAC, Name string
	IP        net.IP
}

// DNSHost is an extra name (or names) for an address.
type DNSHost struct {
	IP    net.IP
	Names []string
}

// Config is what dnsmasq serves on one bridge.
type Config struct {
	// Interface is the bridge dnsmasq listens on.
	Interface string
	// Ranges are the DHCP ranges (none: DNS only).
	Ranges []Range
	// Hosts are the static DHCP hosts.
	Hosts []Host
	// DNSHosts are the <dns><host> entries.
	DNSHosts []DNSHost
	// Domain is the network's <domain name>; LocalOnly answers it only
	// from local data.
	Domain    string
	LocalOnly bool
	// NoDNS turns the DNS server off (<dns enable='no'/>).
	NoDNS bool
	// Forwarders are upstream servers (<dns><forwarder addr>).
	Forwarders []string
	// ForwardPlainNames false keeps unqualified names local.
	NoForwardPlainNames bool
}

// Contents is what a network's dnsmasq files hold.
type Contents struct {
	Conf, Hosts, AddnHosts string
}

// Render returns the files' contents for c, in the order libvirt's
// networkDnsmasqConfContents writes the lines.
func Render(c Config, f Files) (Contents, error) {
	if c.Interface == "" {
		return Contents{}, fmt.Errorf("dnsmasq: no interface")
	}
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE")
	line("##OVERWRITTEN AND LOST. It was written by virtlxcd for a virtual network.")
	line("strict-order")
	line("pid-file=%s", f.Pid)
	if c.NoForwardPlainNames {
		line("domain-needed")
	}
	if c.NoDNS {
		line("port=0")
	}
	for _, fw := range c.Forwarders {
		line("server=%s", fw)
	}
	if c.Domain != "" {
		if c.LocalOnly {
			line("local=/%s/", c.Domain)
		}
		line("domain=%s", c.Domain)
		line("expand-hosts")
	}
	line("except-interface=lo")
	line("bind-dynamic")
	line("interface=%s", c.Interface)
	total := 0
	v6 := false
	for _, r := range c.Ranges {
		n, err := size(r)
		if err != nil {
			return Contents{}, err
		}
		total += n
		if r.Start.To4() != nil {
			line("dhcp-range=%s,%s,%s", r.Start, r.End, net.IP(net.CIDRMask(r.Prefix, 32)))
		} else {
			v6 = true
			line("dhcp-range=%s,%s,%d", r.Start, r.End, r.Prefix)
		}
	}
	if len(c.Ranges) > 0 || len(c.Hosts) > 0 {
		line("dhcp-no-override")
		line("dhcp-authoritative")
		if total > 0 {
			line("dhcp-lease-max=%d", total)
		}
		line("dhcp-leasefile=%s", f.Leases)
		line("dhcp-hostsfile=%s", f.Hosts)
	}
	if v6 {
		line("enable-ra")
	}
	line("addn-hosts=%s", f.AddnHosts)
	var hosts strings.Builder
	for _, h := range c.Hosts {
		var parts []string
		if h.MAC != "" {
			parts = append(parts, h.MAC)
		}
		if h.IP.To4() == nil && h.IP != nil {
			parts = append(parts, "["+h.IP.String()+"]")
		} else if h.IP != nil {
			parts = append(parts, h.IP.String())
		}
		if h.Name != "" {
			parts = append(parts, h.Name)
		}
		hosts.WriteString(strings.Join(parts, ",") + "\n")
	}
	var addn strings.Builder
	for _, h := range c.DNSHosts {
		fmt.Fprintf(&addn, "%s\t%s\n", h.IP, strings.Join(h.Names, "\t"))
	}
	return Contents{Conf: b.String(), Hosts: hosts.String(), AddnHosts: addn.String()}, nil
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
