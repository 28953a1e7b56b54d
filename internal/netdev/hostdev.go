package netdev

import (
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/linkconf"
	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

// PlanHostdevs plans the <hostdev mode='capabilities' type='net'>
// devices: each host device keeps its name in the container. Going beyond
// libvirt, which moves the device but leaves it down and ignores its
// <ip> and <route> elements, the container end gets those addresses, is
// brought up when it has any, and a <route gateway> becomes a default
// route.
func PlanHostdevs(hs []libvirtxml.DomainHostdev) ([]spec.Interface, error) {
	var out []spec.Interface
	for _, h := range hs {
		c := h.CapsNet
		if c == nil {
			continue
		}
		if c.Source == nil || c.Source.Interface == "" {
			return nil, cfgErr("Missing <interface> element in hostdev net device")
		}
		dev := c.Source.Interface
		it := spec.Interface{Type: "hostdev", SourceDev: dev, PeerName: dev, GuestName: dev}
		var ips []libvirtxml.DomainInterfaceIP
		for _, ip := range c.IP {
			a := libvirtxml.DomainInterfaceIP{Address: ip.Address, Family: ip.Family}
			if ip.Prefix != nil {
				a.Prefix = *ip.Prefix
			}
			ips = append(ips, a)
		}
		var err error
		if it.IPs, err = addresses(ips); err != nil {
			return nil, err
		}
		var rs []libvirtxml.DomainInterfaceRoute
		for _, r := range c.Route {
			dst := "0.0.0.0"
			if r.Family == "ipv6" {
				dst = "::"
			}
			if r.Address != "" {
				dst = r.Address
			}
			rs = append(rs, libvirtxml.DomainInterfaceRoute{Address: dst, Gateway: r.Gateway})
		}
		if it.Routes, err = routes(rs); err != nil {
			return nil, err
		}
		it.Up = len(it.IPs) > 0
		out = append(out, it)
	}
	return out, nil
}

// Moved holds host devices moved into a container's network namespace:
// the namespace stays referenced so they can be brought back after the
// container's init is gone.
type Moved struct {
	container, host netns.NsHandle
	// index is each device's ifindex in the container's namespace, so
	// renames inside the container do not lose it; name is its host name.
	index []int
	name  []string
}

// MoveIn moves each hostdev's device from the caller's network namespace
// into the one of initPID and configures it there (addresses, up,
// routes) before the container's init runs. On failure the devices moved
// are brought back.
func MoveIn(devs []spec.Interface, initPID int) (m *Moved, err error) {
	if len(devs) == 0 {
		return nil, nil
	}
	m = &Moved{}
	if m.host, err = netns.Get(); err != nil {
		return nil, fmt.Errorf("opening the host network namespace: %w", err)
	}
	if m.container, err = netns.GetFromPid(initPID); err != nil {
		m.host.Close()
		return nil, fmt.Errorf("opening the container's network namespace: %w", err)
	}
	defer func() {
		if err != nil {
			_ = m.Return()
			m = nil
		}
	}()
	h, err := netlink.NewHandleAt(m.container)
	if err != nil {
		return m, fmt.Errorf("netlink in the container's namespace: %w", err)
	}
	defer h.Close()
	for _, d := range devs {
		l, err := netlink.LinkByName(d.SourceDev)
		if err != nil {
			return m, virerr.Sys(err, "Unable to find host network device %s", d.SourceDev)
		}
		if err := netlink.LinkSetNsFd(l, int(m.container)); err != nil {
			return m, virerr.Sys(err, "Unable to move interface %s to the container's namespace", d.SourceDev)
		}
		in, err := h.LinkByName(d.SourceDev)
		if err != nil {
			return m, fmt.Errorf("finding %s in the container's namespace: %w", d.SourceDev, err)
		}
		m.index = append(m.index, in.Attrs().Index)
		m.name = append(m.name, d.SourceDev)
		if err := linkconf.AddAddrs(h, in, d.IPs); err != nil {
			return m, err
		}
		if d.Up {
			if err := h.LinkSetUp(in); err != nil {
				return m, virerr.Sys(err, "Failed to set %s up", d.SourceDev)
			}
		}
		if err := linkconf.AddRoutes(h, in, d.Routes); err != nil {
			return m, err
		}
	}
	return m, nil
}

// Return moves the devices back into the namespace they came from under
// their host names (the kernel drops their container addresses and
// takes them down on the way) and releases the namespaces. A device the
// container deleted is reported; the others still return.
func (m *Moved) Return() error {
	if m == nil {
		return nil
	}
	defer m.host.Close()
	defer m.container.Close()
	h, err := netlink.NewHandleAt(m.container)
	if err != nil {
		return fmt.Errorf("netlink in the container's namespace: %w", err)
	}
	defer h.Close()
	var errs []error
	for i, idx := range m.index {
		l, err := h.LinkByIndex(idx)
		if err != nil {
			errs = append(errs, fmt.Errorf("host device %s is gone from the container: %w", m.name[i], err))
			continue
		}
		if l.Attrs().Name != m.name[i] {
			_ = h.LinkSetDown(l)
			if err := h.LinkSetName(l, m.name[i]); err != nil {
				errs = append(errs, fmt.Errorf("renaming %s back to %s: %w", l.Attrs().Name, m.name[i], err))
			}
		}
		if err := h.LinkSetNsFd(l, int(m.host)); err != nil {
			errs = append(errs, fmt.Errorf("moving %s back to the host: %w", m.name[i], err))
		}
	}
	m.index, m.name = nil, nil
	return errors.Join(errs...)
}

// Len is the number of devices lent (0 for a nil Moved).
func (m *Moved) Len() int {
	if m == nil {
		return 0
	}
	return len(m.name)
}
