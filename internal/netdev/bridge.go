package netdev

import (
	"errors"
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"virtlxc/internal/linkconf"
	"virtlxc/internal/spec"
)

// Bridge describes a bridge a virtual network creates when it starts.
type Bridge struct {
	// Name is the bridge device's name (virbrN).
	Name string
	// MAC is the bridge's address ("" lets the kernel pick one).
	MAC string
	// MTU is the bridge's MTU (0 keeps the kernel's default).
	MTU int
	// Addrs are the addresses the bridge gets (the network's <ip>s).
	Addrs []spec.Address
	// Routes are static routes through the bridge (the network's
	// <route>s), added once it is up.
	Routes []spec.Route
	// Bandwidth is the network's <bandwidth>, set on the bridge (what
	// the network's ports send and receive together).
	Bandwidth *spec.Bandwidth
}

// CreateBridge creates b in the caller's network namespace, gives it its
// MAC, MTU and addresses, brings it up, limits its bandwidth and adds its
// routes. An existing device of the same
// name is an error (it belongs to someone else). On failure the bridge is
// removed again.
func CreateBridge(b Bridge) (err error) {
	mac, err := parseMAC(b.MAC)
	if err != nil {
		return err
	}
	la := netlink.NewLinkAttrs()
	la.Name = b.Name
	la.MTU = b.MTU
	la.HardwareAddr = mac
	br := &netlink.Bridge{LinkAttrs: la}
	if err := netlink.LinkAdd(br); err != nil {
		if errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("Unable to create bridge %s: device already exists: %w", b.Name, err)
		}
		return fmt.Errorf("Unable to create bridge %s: %w", b.Name, err)
	}
	defer func() {
		var routes *RouteError
		if err != nil && !errors.As(err, &routes) {
			_ = DeleteBridge(b.Name)
		}
	}()
	l, err := netlink.LinkByName(b.Name)
	if err != nil {
		return fmt.Errorf("looking up bridge %s: %w", b.Name, err)
	}
	if mac != nil {
		// The kernel ignores the address at creation for bridges on some
		// versions; set it explicitly.
		if err := netlink.LinkSetHardwareAddr(l, mac); err != nil {
			return fmt.Errorf("setting the MAC of bridge %s: %w", b.Name, err)
		}
	}
	if err := linkconf.AddAddrs(linkconf.Here, l, b.Addrs); err != nil {
		return err
	}
	if err := netlink.LinkSetUp(l); err != nil {
		return fmt.Errorf("setting bridge %s up: %w", b.Name, err)
	}
	if err := SetBandwidth(b.Name, b.Bandwidth, true, true); err != nil {
		return err
	}
	// As libvirt's network driver, a route the kernel refuses does not
	// fail the start: it is reported and the others are added.
	var failed []error
	for _, rt := range b.Routes {
		if err := linkconf.AddRoutes(linkconf.Here, l, []spec.Route{rt}); err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) > 0 {
		return &RouteError{Err: errors.Join(failed...)}
	}
	return nil
}

// RouteError is CreateBridge's report of routes it could not add to a
// bridge it did create and leave up.
type RouteError struct{ Err error }

func (e *RouteError) Error() string { return e.Err.Error() }

// Unwrap returns the route failures.
func (e *RouteError) Unwrap() error { return e.Err }

// DeleteBridge removes the bridge name; a missing device is no error. A
// device of that name that is not a bridge is left alone and reported.
func DeleteBridge(name string) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("looking up bridge %s: %w", name, err)
	}
	if l.Type() != "bridge" {
		return fmt.Errorf("'%s' is not a bridge (type %s)", name, l.Type())
	}
	if err := netlink.LinkDel(l); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("deleting bridge %s: %w", name, err)
	}
	return nil
}

// LinkExists reports whether a device called name exists in the caller's
// network namespace, and whether it is a bridge.
func LinkExists(name string) (exists, isBridge bool, err error) {
	l, err := netlink.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return false, false, nil
		}
		return false, false, fmt.Errorf("looking up %s: %w", name, err)
	}
	return true, l.Type() == "bridge", nil
}

// PrefixLen returns the prefix length of a dotted netmask, or -1 when
// mask is not a valid contiguous IPv4 mask.
func PrefixLen(mask string) int {
	ip := net.ParseIP(mask).To4()
	if ip == nil {
		return -1
	}
	ones, bits := net.IPMask(ip).Size()
	if bits == 0 {
		return -1
	}
	return ones
}
