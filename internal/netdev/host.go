package netdev

import (
	"errors"
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"virtlxc/internal/hostlink"
	"virtlxc/internal/linkconf"
	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

// maxAutoNames bounds the search for a free auto host-end name.
const maxAutoNames = 4096

// macvlanKernelModes maps the planned mode names to the kernel's.
var macvlanKernelModes = map[string]netlink.MacvlanMode{
	"vepa": netlink.MACVLAN_MODE_VEPA, "private": netlink.MACVLAN_MODE_PRIVATE,
	"bridge": netlink.MACVLAN_MODE_BRIDGE, "passthrough": netlink.MACVLAN_MODE_PASSTHRU,
}

// SetupHost creates the devices of ifaces for a container whose init runs
// as initPID (in the caller's pid namespace) in its own network namespace:
// each veth pair with its container end created directly in that
// namespace (so no container end ever sits in the host's), the host end
// named, enslaved to its bridge, given its host-side addresses and routes
// and brought up; each macvlan created on its lower device straight into
// the container's namespace. prefix names auto host ends (AutoPrefix).
// It returns the host end of each interface, in order ("" for a direct
// interface, which has none); on failure it removes the ones it created
// and returns none.
func SetupHost(ifaces []spec.Interface, initPID int, prefix string) (hostEnds []string, err error) {
	defer func() {
		if err != nil {
			_ = RemoveHost(hostEnds)
			hostEnds = nil
		}
	}()
	hostEnds = make([]string, len(ifaces))
	for i := range ifaces {
		it := &ifaces[i]
		switch it.Type {
		case "bridge", "ethernet":
			name, err := setupVeth(it, initPID, prefix)
			hostEnds[i] = name
			if err != nil {
				return hostEnds, err
			}
		case "direct":
			if err := setupMacvlan(it, initPID); err != nil {
				return hostEnds, err
			}
		default:
			return hostEnds, fmt.Errorf("Unsupported network type %s", it.Type)
		}
	}
	return hostEnds, nil
}

// setupVeth creates and configures one veth pair; it returns the host
// end's name once the pair exists, even when a later step failed.
func setupVeth(it *spec.Interface, initPID int, prefix string) (string, error) {
	var bridge netlink.Link
	if it.Type == "bridge" {
		br, err := netlink.LinkByName(it.Bridge)
		if err != nil {
			return "", virerr.Sys(err, "Cannot get interface MTU on '%s'", it.Bridge)
		}
		if br.Type() != "bridge" {
			return "", fmt.Errorf("'%s' is not a bridge (type %s)", it.Bridge, br.Type())
		}
		bridge = br
	}
	mac, err := parseMAC(it.MAC)
	if err != nil {
		return "", err
	}
	mtu := it.MTU
	if mtu == 0 && bridge != nil {
		// libvirt gives the veth the bridge's MTU when none is configured.
		mtu = bridge.Attrs().MTU
	}
	name, err := addVeth(it.HostName, prefix, it.PeerName, mac, mtu, initPID)
	if err != nil {
		return "", err
	}
	host, err := netlink.LinkByName(name)
	if err != nil {
		return name, fmt.Errorf("looking up %s: %w", name, err)
	}
	if bridge != nil {
		if err := netlink.LinkSetMaster(host, bridge); err != nil {
			return name, fmt.Errorf("attaching %s to bridge %s: %w", name, it.Bridge, err)
		}
		if it.Isolated {
			if err := netlink.LinkSetIsolated(host, true); err != nil {
				return name, fmt.Errorf("isolating bridge port %s: %w", name, err)
			}
		}
	}
	if err := netlink.LinkSetUp(host); err != nil {
		return name, fmt.Errorf("setting %s up: %w", name, err)
	}
	if err := linkconf.AddAddrs(linkconf.Here, host, it.HostIPs); err != nil {
		return name, err
	}
	if err := linkconf.AddRoutes(linkconf.Here, host, it.HostRoutes); err != nil {
		return name, err
	}
	return name, SetBandwidth(name, it.Bandwidth, it.BandwidthSwapped, false)
}

// addVeth creates the pair, picking the first free auto name when name is
// empty (the kernel refusing a taken name is the reservation).
func addVeth(name, prefix, peer string, mac net.HardwareAddr, mtu, initPID int) (string, error) {
	try := func(n string) error {
		la := netlink.NewLinkAttrs()
		la.Name = n
		la.MTU = mtu
		v := &netlink.Veth{LinkAttrs: la, PeerName: peer, PeerHardwareAddr: mac,
			PeerNamespace: netlink.NsPid(initPID), PeerMTU: uint32(mtu)}
		return netlink.LinkAdd(v)
	}
	if name != "" {
		if err := try(name); err != nil {
			return "", virerr.Sys(err, "Failed to create veth device pair '%s'", name)
		}
		return name, nil
	}
	for n := 0; n < maxAutoNames; n++ {
		cand := HostName(prefix, n)
		err := try(cand)
		if err == nil {
			return cand, nil
		}
		if !errors.Is(err, unix.EEXIST) {
			return "", virerr.Sys(err, "Failed to create veth device pair '%s'", cand)
		}
	}
	return "", fmt.Errorf("no free interface name with prefix %s", prefix)
}

// setupMacvlan creates a macvlan on the lower device, inside the
// container's network namespace.
func setupMacvlan(it *spec.Interface, initPID int) error {
	lower, err := netlink.LinkByName(it.SourceDev)
	if err != nil {
		return virerr.Sys(err, "Cannot find direct interface source device '%s'", it.SourceDev)
	}
	mac, err := parseMAC(it.MAC)
	if err != nil {
		return err
	}
	la := netlink.NewLinkAttrs()
	la.Name = it.PeerName
	la.ParentIndex = lower.Attrs().Index
	la.HardwareAddr = mac
	la.MTU = it.MTU
	la.Namespace = netlink.NsPid(initPID)
	mv := &netlink.Macvlan{LinkAttrs: la, Mode: macvlanKernelModes[it.Mode]}
	if err := netlink.LinkAdd(mv); err != nil {
		return virerr.Sys(err, "Failed to create macvlan on '%s'", it.SourceDev)
	}
	return nil
}

// RemoveHost deletes the host ends SetupHost created (their container ends
// go with them); empty names are skipped, and a device already gone (its
// namespace died) is no error.
func RemoveHost(hostEnds []string) error { return hostlink.Remove(hostEnds) }

func parseMAC(s string) (net.HardwareAddr, error) {
	if s == "" {
		return nil, nil
	}
	mac, err := net.ParseMAC(s)
	if err != nil {
		return nil, fmt.Errorf("bad MAC address %q: %w", s, err)
	}
	return mac, nil
}
