package network

import (
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
	// RefreshDnsmasq rewrites its hosts files and has it reread them
	// (starting it if it does not run).
	RefreshDnsmasq(c dnsmasq.Config, f dnsmasq.Files) error
	// RestartDnsmasq starts it again with c, its leases kept.
	RestartDnsmasq(c dnsmasq.Config, f dnsmasq.Files) error
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

// RefreshDnsmasq calls dnsmasq.Refresh.
func (Host) RefreshDnsmasq(c dnsmasq.Config, f dnsmasq.Files) error { return dnsmasq.Refresh(c, f) }

// RestartDnsmasq calls dnsmasq.Stop and dnsmasq.Start.
func (Host) RestartDnsmasq(c dnsmasq.Config, f dnsmasq.Files) error {
	if err := dnsmasq.Stop(f); err != nil {
		return err
	}
	return dnsmasq.Start(c, f)
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
		if nat := n.Forward.NAT; nat != nil {
			if len(nat.Ports) > 0 {
				f.PortStart, f.PortEnd = int(nat.Ports[0].Start), int(nat.Ports[0].End)
			}
			if len(nat.Addresses) > 0 {
				f.SNATStart, f.SNATEnd = nat.Addresses[0].Start, nat.Addresses[0].End
			}
			f.NAT6 = nat.IPv6 == "yes"
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
// dnsmasq (no address, or DNS off and no DHCP), as in libvirt. DHCP is
// served on the first IPv4 and the first IPv6 address with ranges or
// hosts (check refuses a second one of a family).
func dnsmasqOf(n *libvirtxml.Network) (c dnsmasq.Config, needed bool, err error) {
	c.Interface = n.Bridge.Name
	c.Isolated = Mode(n) == ""
	c.NoDNS = n.DNS != nil && n.DNS.Enable == "no"
	if n.MTU != nil {
		c.MTU = int(n.MTU.Size)
	}
	var v6NoDHCP []net.IP
	for _, ip := range n.IPs {
		a, err := Address(n.Name, ip)
		if err != nil {
			return c, false, err
		}
		if ip.LocalPtr == "yes" && !c.NoDNS {
			zone, ok := dnsmasq.PTRDomain(a.IP, a.Prefix)
			if !ok {
				family := "IPv6"
				if a.IP.To4() != nil {
					family = "IPv4"
				}
				return c, false, virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork,
					"PTR domain for %s network with prefix %d cannot be automatically created", family, a.Prefix)
			}
			c.LocalPTRs = append(c.LocalPTRs, zone)
		}
		d, err := dhcpOf(n.Name, ip, a)
		if err != nil {
			return c, false, err
		}
		v4 := a.IP.To4() != nil
		switch {
		case d == nil && !v4:
			v6NoDHCP = append(v6NoDHCP, a.IP)
		case d == nil:
		case v4 && c.V4 == nil:
			c.V4 = d
		case !v4 && c.V6 == nil:
			c.V6 = d
		}
	}
	if c.V6 == nil {
		c.RAOnly = v6NoDHCP
	}
	if d := n.DNS; d != nil {
		c.NoForwardPlainNames = d.ForwardPlainNames == "no"
		for _, f := range d.Forwarders {
			c.Forwarders = append(c.Forwarders, dnsmasq.Forwarder{Domain: f.Domain, Addr: f.Addr})
		}
		for _, t := range d.TXTs {
			c.TXT = append(c.TXT, [2]string{t.Name, t.Value})
		}
		for _, r := range d.SRVs {
			c.SRV = append(c.SRV, dnsmasq.SRV{Service: r.Service, Protocol: r.Protocol, Domain: r.Domain,
				Target: r.Target, Port: r.Port, Priority: r.Priority, Weight: r.Weight})
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
	if n.DnsmasqOptions != nil {
		for _, o := range n.DnsmasqOptions.Option {
			c.Options = append(c.Options, o.Value)
		}
	}
	needed = len(n.IPs) > 0 && !(c.NoDNS && c.V4 == nil && c.V6 == nil)
	return c, needed, nil
}

// dhcpOf is the DHCP service of one <ip>, nil when it has no range or
// host.
func dhcpOf(netName string, ip libvirtxml.NetworkIP, a IPAddress) (*dnsmasq.DHCP, error) {
	if ip.DHCP == nil || len(ip.DHCP.Ranges) == 0 && len(ip.DHCP.Hosts) == 0 {
		return nil, nil
	}
	d := &dnsmasq.DHCP{Address: a.IP, Prefix: a.Prefix}
	for _, rg := range ip.DHCP.Ranges {
		s, e := net.ParseIP(rg.Start), net.ParseIP(rg.End)
		if s == nil || e == nil {
			return nil, xmlErr("Invalid dhcp range '%s' to '%s' in network '%s'", rg.Start, rg.End, netName)
		}
		r := dnsmasq.Range{Start: s, End: e}
		if rg.Lease != nil {
			r.Lease = dnsmasq.LeaseTime(rg.Lease.Expiry, rg.Lease.Unit)
		}
		d.Ranges = append(d.Ranges, r)
	}
	for _, h := range ip.DHCP.Hosts {
		host := dnsmasq.Host{MAC: h.MAC, Name: h.Name, ID: h.ID, IP: net.ParseIP(h.IP)}
		if h.Lease != nil {
			host.Lease = dnsmasq.LeaseTime(h.Lease.Expiry, h.Lease.Unit)
		}
		d.Hosts = append(d.Hosts, host)
	}
	if ip.TFTP != nil {
		d.TFTPRoot = ip.TFTP.Root
	}
	if len(ip.DHCP.Bootp) > 0 {
		d.BootFile, d.BootServer = ip.DHCP.Bootp[0].File, ip.DHCP.Bootp[0].Server
	}
	return d, nil
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
