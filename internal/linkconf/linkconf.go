// Package linkconf configures network links from inside their namespace:
// the container ends of a container's interfaces (renamed, addressed,
// brought up, routed), and the addresses and routes netdev gives host-side
// devices. It is a leaf the init stage can carry without the rest of
// netdev.
package linkconf

import (
	"fmt"
	"net"

	"github.com/vishvananda/netlink"

	"virtlxc/internal/spec"
)

// SetupGuest configures the container ends inside the container's network
// namespace, the one h works in (Here: the caller's): each is renamed to
// its guest name, given its addresses, brought up when planned so, and
// given its routes (libvirt's order). lo is not touched here.
func SetupGuest(h *netlink.Handle, ifaces []spec.Interface) error {
	for i := range ifaces {
		it := &ifaces[i]
		if it.GuestName == "" {
			return fmt.Errorf("Missing device name for container-side veth")
		}
		l, err := h.LinkByName(it.PeerName)
		if err != nil {
			return fmt.Errorf("container-side device %s: %w", it.PeerName, err)
		}
		if it.GuestName != it.PeerName {
			if err := h.LinkSetName(l, it.GuestName); err != nil {
				return fmt.Errorf("Failed to rename interface %s to %s: %w", it.PeerName, it.GuestName, err)
			}
		}
		if err := AddAddrs(h, l, it.IPs); err != nil {
			return err
		}
		if it.Up {
			if err := h.LinkSetUp(l); err != nil {
				return fmt.Errorf("Failed to set %s up: %w", it.GuestName, err)
			}
		}
		if err := AddRoutes(h, l, it.Routes); err != nil {
			return err
		}
	}
	return nil
}

// ipNet is addr/prefix as a network value keeping the host part.
func ipNet(addr string, prefix int) (*net.IPNet, error) {
	ip := net.ParseIP(addr)
	if ip == nil {
		return nil, fmt.Errorf("bad IP address %q", addr)
	}
	bits := 128
	if v4 := ip.To4(); v4 != nil {
		ip, bits = v4, 32
	}
	return &net.IPNet{IP: ip, Mask: net.CIDRMask(prefix, bits)}, nil
}

// Here is the caller's own network namespace for AddAddrs and AddRoutes.
var Here = &netlink.Handle{}

// AddAddrs gives link l, through handle h, the addresses addrs (with
// their peers for point-to-point links).
func AddAddrs(h *netlink.Handle, l netlink.Link, addrs []spec.Address) error {
	name := l.Attrs().Name
	for _, a := range addrs {
		n, err := ipNet(a.Address, a.Prefix)
		if err != nil {
			return err
		}
		na := &netlink.Addr{IPNet: n}
		if a.Peer != "" {
			if na.Peer, err = ipNet(a.Peer, a.Prefix); err != nil {
				return err
			}
		}
		if err := h.AddrAdd(l, na); err != nil {
			return fmt.Errorf("Failed to add IP address %s/%d to %s: %w", a.Address, a.Prefix, name, err)
		}
	}
	return nil
}

// AddRoutes adds routes through link l, through handle h.
func AddRoutes(h *netlink.Handle, l netlink.Link, routes []spec.Route) error {
	name := l.Attrs().Name
	for _, r := range routes {
		dst, err := ipNet(r.Address, r.Prefix)
		if err != nil {
			return err
		}
		dst.IP = dst.IP.Mask(dst.Mask)
		rt := &netlink.Route{LinkIndex: l.Attrs().Index, Dst: dst, Gw: net.ParseIP(r.Gateway), Priority: r.Metric}
		if err := h.RouteAdd(rt); err != nil {
			return fmt.Errorf("Failed to add route %s/%d via %s on %s: %w", r.Address, r.Prefix, r.Gateway, name, err)
		}
	}
	return nil
}
