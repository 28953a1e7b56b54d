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
	// Lease is dnsmasq's lease time for it ("1h", "infinite"), "" for
	// dnsmasq's default (LeaseTime).
	Lease string
}

// Host is a static DHCP host: a MAC (IPv4), a name or a DHCPv6 client
// id, its address and its lease time ("" for the default).
type Host struct {
	MAC, Name, ID string
	IP            net.IP
	Lease         string
}

// DHCP is the DHCP service on one of the network's addresses: libvirt
// serves it on the first IPv4 and the first IPv6 <ip> that have ranges or
// hosts.
type DHCP struct {
	// Address and Prefix are the bridge's address on that network.
	Address net.IP
	Prefix  int
	Ranges  []Range
	Hosts   []Host
	// TFTPRoot, BootFile and BootServer are <tftp root> and <bootp>
	// (IPv4 only).
	TFTPRoot, BootFile, BootServer string
}

// Forwarder is a <dns><forwarder>: requests for Domain ("" for all) go to
// Addr ("" for "answer them locally only").
type Forwarder struct {
	Domain, Addr string
}

// SRV is a <dns><srv> record.
type SRV struct {
	Service, Protocol, Domain, Target string
	Port, Priority, Weight            uint
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
	// V4 and V6 are the DHCP services (nil: none of that family).
	V4, V6 *DHCP
	// RAOnly are IPv6 addresses of the bridge without DHCP: router
	// advertisements only (SLAAC), sent when V6 is nil.
	RAOnly []net.IP
	// Isolated is a network without <forward>: DHCP clients get no
	// default route, DNS nothing from upstream, and router advertisements
	// a zero router lifetime.
	Isolated bool
	// MTU is announced to DHCP clients when not 0.
	MTU int
	// DNSHosts are the <dns><host> entries.
	DNSHosts []DNSHost
	// TXT are the <dns><txt> records as name, value pairs.
	TXT [][2]string
	// SRV are the <dns><srv> records.
	SRV []SRV
	// LocalPTRs are the reverse zones answered locally (<ip localPtr>).
	LocalPTRs []string
	// Domain is the network's <domain name>; LocalOnly answers it only
	// from local data.
	Domain    string
	LocalOnly bool
	// NoDNS turns the DNS server off (<dns enable='no'/>).
	NoDNS bool
	// Forwarders are upstream servers (<dns><forwarder>).
	Forwarders []Forwarder
	// NoForwardPlainNames keeps unqualified names local.
	NoForwardPlainNames bool
	// Options are <dnsmasq:options> lines, written last as given.
	Options []string
}

// Contents is what a network's dnsmasq files hold.
type Contents struct {
	Conf, Hosts, AddnHosts string
}

// Render returns the files' contents for c, the lines in the order
// libvirt's networkDnsmasqConfContents writes them. Unlike libvirt's, the
// configuration names dnsmasq's own lease file (dhcp-leasefile).
func Render(c Config, f Files) (Contents, error) {
	if c.Interface == "" {
		return Contents{}, fmt.Errorf("dnsmasq: no interface")
	}
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE")
	line("##OVERWRITTEN AND LOST. It was written by virtlxcd for a virtual network.")
	line("strict-order")
	renderDNS(line, c)
	line("pid-file=%s", f.Pid)
	line("except-interface=lo")
	line("bind-dynamic")
	line("interface=%s", c.Interface)
	if c.Isolated {
		line("dhcp-option=3")
		line("no-resolv")
		line("ra-param=*,0,0")
	}
	if !c.NoDNS {
		for _, t := range c.TXT {
			line("txt-record=%s,%s", t[0], t[1])
		}
		for _, s := range c.SRV {
			line("%s", srvLine(s))
		}
	}
	leases := 0
	for _, d := range []*DHCP{c.V4, c.V6} {
		if d == nil {
			continue
		}
		n, err := renderDHCP(line, d)
		if err != nil {
			return Contents{}, err
		}
		leases += n
	}
	if leases > 0 {
		line("dhcp-lease-max=%d", leases)
	}
	if c.V4 != nil || c.V6 != nil {
		line("dhcp-leasefile=%s", f.Leases)
		line("dhcp-hostsfile=%s", f.Hosts)
	}
	if !c.NoDNS {
		line("addn-hosts=%s", f.AddnHosts)
	}
	if c.MTU > 0 {
		line("dhcp-option=option:mtu,%d", c.MTU)
	}
	if c.V6 != nil {
		line("enable-ra")
	} else {
		for _, a := range c.RAOnly {
			line("dhcp-range=%s,ra-only", a)
		}
	}
	for _, o := range c.Options {
		line("%s", o)
	}
	var hosts strings.Builder
	for _, d := range []*DHCP{c.V4, c.V6} {
		if d == nil {
			continue
		}
		for _, h := range d.Hosts {
			if l := hostLine(h, d == c.V6); l != "" {
				hosts.WriteString(l + "\n")
			}
		}
	}
	var addn strings.Builder
	for _, h := range c.DNSHosts {
		fmt.Fprintf(&addn, "%s\t%s\n", h.IP, strings.Join(h.Names, "\t"))
	}
	return Contents{Conf: b.String(), Hosts: hosts.String(), AddnHosts: addn.String()}, nil
}

// renderDNS writes the DNS server's options that come before pid-file.
func renderDNS(line func(string, ...any), c Config) {
	if c.NoDNS {
		line("port=0")
	} else if len(c.Forwarders) > 0 {
		noResolv := false
		for _, fw := range c.Forwarders {
			switch {
			case fw.Domain != "" && fw.Addr != "":
				line("server=/%s/%s", fw.Domain, fw.Addr)
			case fw.Domain != "":
				line("server=/%s/#", fw.Domain)
			default:
				line("server=%s", fw.Addr)
				noResolv = true
			}
		}
		if noResolv {
			line("no-resolv")
		}
	}
	if c.Domain != "" {
		if c.LocalOnly {
			line("local=/%s/", c.Domain)
		}
		line("domain=%s", c.Domain)
		line("expand-hosts")
	}
	if c.NoDNS {
		return
	}
	for _, z := range c.LocalPTRs {
		line("local=/%s/", z)
	}
	if c.NoForwardPlainNames {
		line("domain-needed")
		line("local=//")
	}
}

// renderDHCP writes one family's DHCP service and returns how many leases
// its ranges hold.
func renderDHCP(line func(string, ...any), d *DHCP) (int, error) {
	v4 := d.Address.To4() != nil
	if v4 && d.TFTPRoot != "" {
		line("enable-tftp")
		line("tftp-root=%s", d.TFTPRoot)
	}
	total := 0
	for _, r := range d.Ranges {
		n, err := size(r)
		if err != nil {
			return 0, err
		}
		total += n
		l := fmt.Sprintf("dhcp-range=%s,%s,%d", r.Start, r.End, d.Prefix)
		if v4 {
			l = fmt.Sprintf("dhcp-range=%s,%s,%s", r.Start, r.End, net.IP(net.CIDRMask(d.Prefix, 32)))
		}
		if r.Lease != "" {
			l += "," + r.Lease
		}
		line("%s", l)
	}
	if len(d.Ranges) == 0 && len(d.Hosts) > 0 {
		if v4 {
			line("dhcp-range=%s,static", d.Address)
		} else {
			line("dhcp-range=%s,static,%d", d.Address, d.Prefix)
		}
	}
	if !v4 {
		return total, nil
	}
	if len(d.Ranges) > 0 || len(d.Hosts) > 0 {
		line("dhcp-no-override")
		line("dhcp-authoritative")
	}
	if d.BootFile != "" {
		if d.BootServer != "" {
			line("dhcp-boot=%s,,%s", d.BootFile, d.BootServer)
		} else {
			line("dhcp-boot=%s", d.BootFile)
		}
	}
	return total, nil
}
