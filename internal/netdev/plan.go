// Package netdev plans and applies a container's network interfaces
// (spec §2.9): veth pairs for <interface type='bridge'> and
// type='ethernet', macvlan devices for type='direct', their addresses,
// routes and link state. Planning is pure (Plan, AutoPrefix, HostName);
// the apply functions talk netlink, on the host (SetupHost, RemoveHost) and
// inside the container's network namespace (SetupGuest). It is the only
// package that imports the netlink library.
package netdev

import (
	"fmt"
	"hash/fnv"
	"net"
	"strconv"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

// ifNameMax is the longest interface name the kernel accepts (IFNAMSIZ-1).
const ifNameMax = 15

// peerPrefix names the container end of a device while it is created in
// the container's namespace, before the init stage renames it.
const peerPrefix = "vlxpeer"

// macvlanModes maps libvirt's <source mode> to the kernel's macvlan modes;
// libvirt's default is vepa.
var macvlanModes = map[string]string{"": "vepa", "vepa": "vepa", "private": "private", "bridge": "bridge", "passthrough": "passthrough"}

func cfgErr(format string, args ...any) error {
	return virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, format, args...)
}

func internalErr(format string, args ...any) error {
	return virerr.New(virerr.ErrInternalError, virerr.FromLXC, format, args...)
}

// Type is the libvirt type name of an interface ("bridge", "ethernet", …).
func Type(n *libvirtxml.DomainInterface) string {
	s := n.Source
	switch {
	case s == nil:
		return "user"
	case s.Bridge != nil:
		return "bridge"
	case s.Ethernet != nil:
		return "ethernet"
	case s.Direct != nil:
		return "direct"
	case s.Network != nil:
		return "network"
	case s.User != nil:
		return "user"
	case s.VHostUser != nil:
		return "vhostuser"
	case s.Server != nil:
		return "server"
	case s.Client != nil:
		return "client"
	case s.MCast != nil:
		return "mcast"
	case s.UDP != nil:
		return "udp"
	case s.Internal != nil:
		return "internal"
	case s.Hostdev != nil:
		return "hostdev"
	case s.VDPA != nil:
		return "vdpa"
	case s.Null != nil:
		return "null"
	case s.VDS != nil:
		return "vds"
	}
	return "user"
}

// Plan resolves a domain's <interface>s into what the controller creates
// on the host and the init stage configures inside the container. Errors
// are libvirt's start-time rejections as *virerr.Error.
func Plan(ifaces []libvirtxml.DomainInterface) ([]spec.Interface, error) {
	var out []spec.Interface
	names := NewGuestNames(ifaces)
	for i := range ifaces {
		n := &ifaces[i]
		if n.Script != nil {
			return nil, cfgErr("scripts are not supported on LXC network interfaces")
		}
		it := spec.Interface{Type: Type(n), PeerName: peerPrefix + strconv.Itoa(i)}
		if vlanned(n) && it.Type != "direct" {
			// virDomainActualNetDefValidate: only hostdev, passthrough
			// and Open vSwitch ports take a VLAN tag.
			return nil, virerr.New(virerr.ErrConfigUnsupported, virerr.FromDomain,
				"interface %s - vlan tag not supported for this connection type", macOf(n))
		}
		bw, err := bandwidthOf(n.Bandwidth)
		if err != nil && it.Type != "direct" {
			return nil, err
		}
		// virDomainNetTypeSharesHostView: a bridged veth's host end sends
		// what the container receives.
		it.Bandwidth, it.BandwidthSwapped = bw, it.Type == "bridge" || it.Type == "network"
		switch it.Type {
		case "bridge":
			it.Bridge = n.Source.Bridge.Bridge
			if it.Bridge == "" {
				return nil, internalErr("No bridge name specified")
			}
			if n.VirtualPort != nil {
				return nil, cfgErr("virtualport on bridge interfaces is not supported yet")
			}
			if n.PortOptions != nil && n.PortOptions.Isolated == "yes" {
				it.Isolated = true
			}
		case "ethernet":
			var err error
			if it.HostIPs, err = addresses(n.Source.Ethernet.IP); err != nil {
				return nil, err
			}
			if it.HostRoutes, err = routes(n.Source.Ethernet.Route); err != nil {
				return nil, err
			}
		case "direct":
			if n.Bandwidth != nil {
				return nil, cfgErr("Unable to set network bandwidth on direct interfaces")
			}
			if n.VirtualPort != nil {
				return nil, cfgErr("Unable to set port profile on direct interfaces")
			}
			it.SourceDev = n.Source.Direct.Dev
			mode, ok := macvlanModes[n.Source.Direct.Mode]
			if !ok {
				return nil, cfgErr("Unsupported macvlan mode '%s'", n.Source.Direct.Mode)
			}
			it.Mode = mode
			switch {
			case vlanned(n) && mode == "passthrough":
				// virNetDevSetNetConfig: only an SR-IOV VF takes one.
				return nil, virerr.New(virerr.ErrConfigUnsupported, virerr.FromNone,
					"vlan can only be set for SR-IOV VFs, but %s is not a VF", it.SourceDev)
			case vlanned(n):
				return nil, virerr.New(virerr.ErrConfigUnsupported, virerr.FromDomain,
					"interface %s - vlan tag not supported for this connection type", macOf(n))
			}
		case "network":
			// The daemon resolves the network to its bridge before the
			// controller runs (source bridge='…' in the live XML); the
			// interface is then a bridge interface.
			src := n.Source.Network
			if src.Bridge == "" {
				return nil, internalErr("network '%s' of the interface was not resolved to a bridge", src.Network)
			}
			it.Type, it.Bridge = "bridge", src.Bridge
			if n.PortOptions != nil && n.PortOptions.Isolated == "yes" {
				it.Isolated = true
			}
		default:
			return nil, internalErr("Unsupported network type %s", it.Type)
		}
		if n.Target != nil {
			it.HostName = n.Target.Dev
			if len(it.HostName) > ifNameMax || strings.ContainsAny(it.HostName, "/: ") {
				return nil, cfgErr("invalid target device name '%s'", it.HostName)
			}
		}
		if it.Type == "direct" {
			// The macvlan itself goes into the container: no host end.
			it.HostName = ""
		}
		it.GuestName = names.Next(*n)
		if n.MAC != nil {
			it.MAC = n.MAC.Address
		}
		if n.MTU != nil {
			it.MTU = int(n.MTU.Size)
		}
		if it.IPs, err = addresses(n.IP); err != nil {
			return nil, err
		}
		if it.Routes, err = routes(n.Route); err != nil {
			return nil, err
		}
		it.Up = len(it.IPs) > 0 || (n.Link != nil && n.Link.State == "up")
		out = append(out, it)
	}
	return out, nil
}

// addresses checks <ip address prefix peer> elements and fills the
// default prefix (classful for IPv4, 64 for IPv6) as libvirt does.
func addresses(ips []libvirtxml.DomainInterfaceIP) ([]spec.Address, error) {
	var out []spec.Address
	for _, ip := range ips {
		a := net.ParseIP(ip.Address)
		if a == nil {
			return nil, cfgErr("Invalid IP address '%s'", ip.Address)
		}
		prefix := int(ip.Prefix)
		max := 128
		if a.To4() != nil {
			max = 32
		}
		if prefix == 0 {
			prefix = defaultPrefix(a)
		}
		if prefix > max {
			return nil, cfgErr("Invalid prefix %d for address '%s'", ip.Prefix, ip.Address)
		}
		if ip.Peer != "" && net.ParseIP(ip.Peer) == nil {
			return nil, cfgErr("Invalid peer address '%s'", ip.Peer)
		}
		out = append(out, spec.Address{Address: a.String(), Prefix: prefix, Peer: ip.Peer})
	}
	return out, nil
}

// defaultPrefix is virSocketAddrGetIPPrefix without netmask: the class of
// an IPv4 address, 64 for IPv6.
func defaultPrefix(a net.IP) int {
	v4 := a.To4()
	switch {
	case v4 == nil:
		return 64
	case v4[0] < 128:
		return 8
	case v4[0] < 192:
		return 16
	case v4[0] < 224:
		return 24
	}
	return 32
}

// routes checks <route address prefix|netmask gateway metric> elements.
func routes(rs []libvirtxml.DomainInterfaceRoute) ([]spec.Route, error) {
	var out []spec.Route
	for _, r := range rs {
		dst := net.ParseIP(r.Address)
		if dst == nil {
			return nil, cfgErr("Invalid route address '%s'", r.Address)
		}
		gw := net.ParseIP(r.Gateway)
		if gw == nil {
			return nil, cfgErr("Invalid route gateway '%s'", r.Gateway)
		}
		if (dst.To4() == nil) != (gw.To4() == nil) {
			return nil, cfgErr("route address '%s' and gateway '%s' are of different families", r.Address, r.Gateway)
		}
		// virSocketAddrGetIPPrefix: no prefix (or 0) and no netmask
		// means the address's natural prefix; 0 for the wildcard.
		prefix := int(r.Prefix)
		if prefix == 0 && r.Netmask == "" && !dst.IsUnspecified() {
			prefix = defaultPrefix(dst)
		}
		if r.Netmask != "" {
			m := net.ParseIP(r.Netmask)
			if m == nil || m.To4() == nil {
				return nil, cfgErr("Invalid route netmask '%s'", r.Netmask)
			}
			ones, bits := net.IPMask(m.To4()).Size()
			if bits == 0 {
				return nil, cfgErr("Invalid route netmask '%s'", r.Netmask)
			}
			prefix = ones
		}
		out = append(out, spec.Route{Address: dst.String(), Prefix: prefix, Gateway: gw.String(), Metric: int(r.Metric)})
	}
	return out, nil
}

// AutoPrefix is the prefix of the host-end names a daemon generates: libvirt's
// "vnet" for the system daemon (empty root), and for a daemon with --root a
// prefix derived from that root, so parallel daemons never collide.
func AutoPrefix(root string) string {
	if root == "" || root == "/" {
		return "vnet"
	}
	h := fnv.New32a()
	h.Write([]byte(root))
	return fmt.Sprintf("vl%04x", h.Sum32()&0xffff)
}

// HostName is the n-th candidate auto name with prefix (n counts from 0);
// the kernel refusing a taken name makes the caller try the next.
func HostName(prefix string, n int) string { return prefix + strconv.Itoa(n) }

// vlanned reports whether interface n has a VLAN tag.
func vlanned(n *libvirtxml.DomainInterface) bool {
	return n.VLan != nil && len(n.VLan.Tags) > 0
}

// macOf is n's MAC address as libvirt's messages name it.
func macOf(n *libvirtxml.DomainInterface) string {
	if n.MAC == nil {
		return ""
	}
	return n.MAC.Address
}

// GuestNames names a domain's interfaces inside the container, in order:
// an interface's <guest dev>, else ethK, K counting the interfaces before
// it without one (libvirt's naming), skipping the names others give
// themselves (those a start recorded in the live definition among them,
// so that an interface attached later gets the next free ethK).
type GuestNames struct {
	unnamed int
	taken   map[string]bool
}

// NewGuestNames prepares the naming of ifaces.
func NewGuestNames(ifaces []libvirtxml.DomainInterface) *GuestNames {
	g := &GuestNames{taken: map[string]bool{}}
	for _, n := range ifaces {
		if n.Guest != nil && n.Guest.Dev != "" {
			g.taken[n.Guest.Dev] = true
		}
	}
	return g
}

// Next returns the name of n, the next interface.
func (g *GuestNames) Next(n libvirtxml.DomainInterface) string {
	if n.Guest != nil && n.Guest.Dev != "" {
		return n.Guest.Dev
	}
	for {
		name := "eth" + strconv.Itoa(g.unnamed)
		g.unnamed++
		if !g.taken[name] {
			return name
		}
	}
}
