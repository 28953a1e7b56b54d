package netdev

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"virtlxc/internal/linkconf"
	"virtlxc/internal/spec"
)

// Hotplug adds interface it to the running container whose init is
// initPID: its veth pair (or, for type direct, its macvlan, made inside
// the container's network namespace) as SetupHost makes it and, inside
// that namespace, the container end renamed, addressed and brought up as
// the init stage does at start. It returns the host end ("" for direct);
// on failure nothing it made is left.
func Hotplug(it spec.Interface, initPID int, prefix string) (string, error) {
	h, closeNS, err := containerHandle(initPID)
	if err != nil {
		return "", err
	}
	defer closeNS()
	ends, err := SetupHost([]spec.Interface{it}, initPID, prefix)
	if err != nil {
		return "", err
	}
	if err := linkconf.SetupGuest(h, []spec.Interface{it}); err != nil {
		_ = RemoveHost(ends)
		if it.Type == "direct" {
			for _, name := range []string{it.GuestName, it.PeerName} {
				if l, lerr := h.LinkByName(name); lerr == nil {
					_ = h.LinkDel(l)
				}
			}
		}
		return "", err
	}
	return ends[0], nil
}

// Unplug removes a direct (macvlan) interface, known by its MAC address,
// from the running container whose init is initPID: it lives only in the
// container's network namespace. A device already gone is no error.
func Unplug(initPID int, mac string) error {
	hw, err := net.ParseMAC(mac)
	if err != nil {
		return fmt.Errorf("interface MAC %q: %w", mac, err)
	}
	h, closeNS, err := containerHandle(initPID)
	if err != nil {
		return err
	}
	defer closeNS()
	links, err := h.LinkList()
	if err != nil {
		return fmt.Errorf("listing the container's devices: %w", err)
	}
	for _, l := range links {
		if l.Type() == "macvlan" && strings.EqualFold(l.Attrs().HardwareAddr.String(), hw.String()) {
			if err := h.LinkDel(l); err != nil && !errors.As(err, new(netlink.LinkNotFoundError)) {
				return fmt.Errorf("deleting %s: %w", l.Attrs().Name, err)
			}
		}
	}
	return nil
}

// containerHandle is a netlink handle in the network namespace of initPID.
func containerHandle(initPID int) (*netlink.Handle, func(), error) {
	ns, err := netns.GetFromPid(initPID)
	if err != nil {
		return nil, nil, fmt.Errorf("container network namespace: %w", err)
	}
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		ns.Close()
		return nil, nil, fmt.Errorf("container network namespace: %w", err)
	}
	return h, func() { h.Close(); ns.Close() }, nil
}
