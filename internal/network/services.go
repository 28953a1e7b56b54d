package network

import (
	"fmt"
	"net"
	"net/netip"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/dnsmasq"
	"virtlxc/internal/firewall"
	"virtlxc/internal/virerr"
)

// Services are what a started network runs besides its bridge: firewall
// rules (nftables), IP forwarding and dnsmasq. Host is the real one, in
// the caller's network namespace.
type Services interface {
	// EnableForwarding turns IP forwarding on (IPv6 too when v6).
	EnableForwarding(v6 bool) error
	// ApplyFirewall installs a network's rules, replacing older ones.
	ApplyFirewall(n firewall.Network) error
	// RemoveFirewall deletes a bridge's rules; missing ones are no error.
	RemoveFirewall(bridge string) error
	// StartDnsmasq writes the files and starts dnsmasq.
	StartDnsmasq(c dnsmasq.Config, f dnsmasq.Files) error
	// StopDnsmasq stops it and removes its files, leases included.
	StopDnsmasq(f dnsmasq.Files) error
	// DnsmasqRunning reports whether it runs.
	DnsmasqRunning(f dnsmasq.Files) bool
}

// EnableForwarding calls firewall.EnableForwarding.
func (Host) EnableForwarding(v6 bool) error { return firewall.EnableForwarding(v6) }

// ApplyFirewall calls firewall.Apply.
func (Host) ApplyFirewall(n firewall.Network) error { return firewall.Apply(n) }

// RemoveFirewall calls firewall.Remove.
func (Host) RemoveFirewall(bridge string) error { return firewall.Remove(bridge) }

// StartDnsmasq calls dnsmasq.Start.
func (Host) StartDnsmasq(c dnsmasq.Config, f dnsmasq.Files) error { return dnsmasq.Start(c, f) }

// StopDnsmasq calls dnsmasq.Stop and dnsmasq.Forget.
func (Host) StopDnsmasq(f dnsmasq.Files) error {
	err := dnsmasq.Stop(f)
	dnsmasq.Forget(f)
	return err
}

// DnsmasqRunning calls dnsmasq.Running.
func (Host) DnsmasqRunning(f dnsmasq.Files) bool { _, ok := dnsmasq.Running(f); return ok }

// files are the dnsmasq files of a network with a bridge.
func (r *Registry) files(n *libvirtxml.Network) dnsmasq.Files {
	return dnsmasq.FilesFor(r.dnsmasqDir, r.stateDir, n.Name, n.Bridge.Name)
}

// firewallOf is the firewall description of a network owning its bridge.
func firewallOf(n *libvirtxml.Network) firewall.Network {
	f := firewall.Network{Bridge: n.Bridge.Name, Mode: Mode(n)}
	if n.Forward != nil {
		f.Dev = n.Forward.Dev
		if n.Forward.NAT != nil && len(n.Forward.NAT.Ports) > 0 {
			f.PortStart, f.PortEnd = int(n.Forward.NAT.Ports[0].Start), int(n.Forward.NAT.Ports[0].End)
		}
	}
	for _, ip := range n.IPs {
		a, err := Address(n.Name, ip)
		if err != nil {
			continue // checked when the network was defined
		}
		if addr, ok := netip.AddrFromSlice(a.IP); ok {
			f.Subnets = append(f.Subnets, netip.PrefixFrom(addr.Unmap(), a.Prefix).Masked())
		}
	}
	return f
}

// dnsmasqOf is what dnsmasq serves for n; needed is false when n runs no
// dnsmasq (no address, or DNS off and no DHCP), as in libvirt.
func dnsmasqOf(n *libvirtxml.Network) (c dnsmasq.Config, needed bool, err error) {
	c.Interface = n.Bridge.Name
	for _, ip := range n.IPs {
		a, err := Address(n.Name, ip)
		if err != nil {
			return c, false, err
		}
		if ip.DHCP == nil {
			continue
		}
		for _, rg := range ip.DHCP.Ranges {
			s, e := net.ParseIP(rg.Start), net.ParseIP(rg.End)
			if s == nil || e == nil {
				return c, false, xmlErr("Invalid dhcp range '%s' to '%s' in network '%s'", rg.Start, rg.End, n.Name)
			}
			c.Ranges = append(c.Ranges, dnsmasq.Range{Start: s, End: e, Prefix: a.Prefix})
		}
		for _, h := range ip.DHCP.Hosts {
			c.Hosts = append(c.Hosts, dnsmasq.Host{MAC: h.MAC, Name: h.Name, IP: net.ParseIP(h.IP)})
		}
	}
	if d := n.DNS; d != nil {
		c.NoDNS = d.Enable == "no"
		c.NoForwardPlainNames = d.ForwardPlainNames == "no"
		for _, f := range d.Forwarders {
			switch {
			case f.Domain != "" && f.Addr != "":
				c.Forwarders = append(c.Forwarders, fmt.Sprintf("/%s/%s", f.Domain, f.Addr))
			case f.Domain != "":
				c.Forwarders = append(c.Forwarders, fmt.Sprintf("/%s/#", f.Domain))
			case f.Addr != "":
				c.Forwarders = append(c.Forwarders, f.Addr)
			}
		}
		for _, h := range d.Host {
			dh := dnsmasq.DNSHost{IP: net.ParseIP(h.IP)}
			for _, name := range h.Hostnames {
				dh.Names = append(dh.Names, name.Hostname)
			}
			if dh.IP != nil && len(dh.Names) > 0 {
				c.DNSHosts = append(c.DNSHosts, dh)
			}
		}
	}
	if n.Domain != nil {
		c.Domain, c.LocalOnly = n.Domain.Name, n.Domain.LocalOnly == "yes"
	}
	needed = len(n.IPs) > 0 && !(c.NoDNS && len(c.Ranges) == 0 && len(c.Hosts) == 0)
	return c, needed, nil
}

// startServices brings up what n runs besides its bridge: forwarding and
// firewall rules, then dnsmasq. On failure what it started is undone.
// The caller holds r.mu.
func (r *Registry) startServices(n *libvirtxml.Network) (err error) {
	fail := func(e error) error {
		return virerr.Wrap(e, virerr.ErrInternalError, virerr.FromNetwork, "network '%s': %s", n.Name, e)
	}
	fw := firewallOf(n)
	if m := Mode(n); m == "nat" || m == "route" {
		v6 := false
		for _, s := range fw.Subnets {
			v6 = v6 || s.Addr().Is6()
		}
		if err := r.services.EnableForwarding(v6); err != nil {
			return fail(err)
		}
	}
	if firewall.Needed(fw) {
		if err := r.services.ApplyFirewall(fw); err != nil {
			return fail(err)
		}
		defer func() {
			if err != nil {
				_ = r.services.RemoveFirewall(fw.Bridge)
			}
		}()
	}
	c, needed, err := dnsmasqOf(n)
	if err != nil {
		return err
	}
	if needed {
		if err := r.services.StartDnsmasq(c, r.files(n)); err != nil {
			return fail(err)
		}
	}
	return nil
}

// stopServices undoes startServices, leases included. Errors are
// logged: stopping goes on.
func (r *Registry) stopServices(n *libvirtxml.Network) {
	if err := r.services.StopDnsmasq(r.files(n)); err != nil {
		r.log.Warn("stopping dnsmasq", "network", n.Name, "err", err)
	}
	if firewall.Needed(firewallOf(n)) {
		if err := r.services.RemoveFirewall(n.Bridge.Name); err != nil {
			r.log.Warn("removing firewall rules", "network", n.Name, "err", err)
		}
	}
}
