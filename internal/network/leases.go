package network

import (
	"net"
	"strings"
	"time"

	"virtlxc/internal/dnsmasq"
	"virtlxc/internal/virerr"
)

// Lease is one DHCP lease of a network, as virNetworkGetDHCPLeases
// reports it.
type Lease struct {
	// Iface is the network's bridge.
	Iface string
	// Expiry is the lease's end in seconds since the epoch (0: never).
	Expiry int64
	// MAC is the client's MAC (IPv4), IAID its IPv6 association id.
	MAC, IAID string
	// IP is the leased address and Prefix the network's prefix length.
	IP     net.IP
	Prefix int
	// Hostname and ClientID are what the client sent ("" when none).
	Hostname, ClientID string
}

// Leases lists the unexpired DHCP leases of network name, only those of
// mac when it is not "" (compared case-insensitively), as dnsmasq's lease
// file holds them.
func (r *Registry) Leases(name, mac string) ([]Lease, error) {
	r.mu.Lock()
	o, err := r.get(name)
	if err != nil {
		r.mu.Unlock()
		return nil, err
	}
	n := o.def
	if o.live != nil {
		n = o.live
	}
	if n.Bridge == nil || n.Bridge.Name == "" {
		r.mu.Unlock()
		return nil, nil
	}
	files := r.files(n)
	var subnets []*net.IPNet
	for _, ip := range n.IPs {
		if a, err := Address(n.Name, ip); err == nil {
			subnets = append(subnets, &net.IPNet{IP: a.IP, Mask: net.CIDRMask(a.Prefix, 8*len(a.IP))})
		}
	}
	bridge := n.Bridge.Name
	r.mu.Unlock()
	raw, err := dnsmasq.ReadLeases(files.Leases)
	if err != nil {
		return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromNetwork, "%s", err)
	}
	now := time.Now().Unix()
	var out []Lease
	for _, l := range raw {
		if l.Expiry != 0 && l.Expiry < now {
			continue
		}
		if mac != "" && !strings.EqualFold(mac, l.MAC) {
			continue
		}
		le := Lease{Iface: bridge, Expiry: l.Expiry, MAC: l.MAC, IAID: l.IAID, IP: l.IP,
			Hostname: l.Hostname, ClientID: l.ClientID}
		for _, s := range subnets {
			if s.Contains(l.IP) {
				le.Prefix, _ = s.Mask.Size()
			}
		}
		out = append(out, le)
	}
	return out, nil
}
