package netdev

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Link is what LinksOf reports of one network device.
type Link struct {
	Name   string
	Type   string // "veth", "bridge", "macvlan", "dummy", …
	MAC    string
	Master string // the bridge it is enslaved to, or ""
	Up     bool   // administratively up
	MTU    int
	Addrs  []string
}

// LinksOf lists the devices of the network namespace process pid lives in,
// without entering it (the netlink socket is opened there).
func LinksOf(pid int) ([]Link, error) {
	ns, err := netns.GetFromPid(pid)
	if err != nil {
		return nil, fmt.Errorf("opening the network namespace of pid %d: %w", pid, err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return nil, fmt.Errorf("netlink socket in the namespace of pid %d: %w", pid, err)
	}
	defer h.Close()
	links, err := h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("listing links of pid %d: %w", pid, err)
	}
	names := map[int]string{}
	for _, l := range links {
		names[l.Attrs().Index] = l.Attrs().Name
	}
	var out []Link
	for _, l := range links {
		a := l.Attrs()
		li := Link{Name: a.Name, Type: l.Type(), MAC: a.HardwareAddr.String(), Master: names[a.MasterIndex],
			Up: a.Flags&net.FlagUp != 0, MTU: a.MTU}
		addrs, err := h.AddrList(l, netlink.FAMILY_ALL)
		if err != nil {
			return nil, fmt.Errorf("listing addresses of %s: %w", a.Name, err)
		}
		for _, ad := range addrs {
			li.Addrs = append(li.Addrs, ad.IPNet.String())
		}
		out = append(out, li)
	}
	return out, nil
}

// SubnetInUse reports whether an IPv4 route of the caller's network
// namespace overlaps subnet (the check libvirt's packaging makes before
// it installs the default network on 192.168.122.0/24).
func SubnetInUse(subnet *net.IPNet) (bool, error) {
	routes, err := netlink.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return false, fmt.Errorf("listing routes: %w", err)
	}
	for _, r := range routes {
		if r.Dst == nil || r.Dst.IP.IsUnspecified() {
			continue // the default route overlaps everything
		}
		if r.Dst.Contains(subnet.IP) || subnet.Contains(r.Dst.IP) {
			return true, nil
		}
	}
	return false, nil
}

// Neighbour is one complete entry of the caller's IPv4 ARP table.
type Neighbour struct {
	IP, MAC string
}

// ARPTable reads the complete entries of /proc/net/arp (the caller's
// network namespace), as libvirt's ARP source of interface addresses.
func ARPTable() ([]Neighbour, error) {
	data, err := os.ReadFile("/proc/net/arp")
	if err != nil {
		return nil, fmt.Errorf("reading the ARP table: %w", err)
	}
	var out []Neighbour
	for i, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		// IP address, HW type, Flags, HW address, Mask, Device.
		if i == 0 || len(f) < 6 || f[2] == "0x0" {
			continue
		}
		out = append(out, Neighbour{IP: f[0], MAC: strings.ToLower(f[3])})
	}
	return out, nil
}

// LinkCounters are a device's traffic counters, as the kernel keeps them.
type LinkCounters struct {
	RxBytes, RxPackets, RxErrs, RxDrop int64
	TxBytes, TxPackets, TxErrs, TxDrop int64
}

// Counters reads dev's counters in the caller's network namespace from
// /proc/net/dev (per process, unlike /sys/class/net, which shows the
// namespace of whoever mounted sysfs).
func Counters(dev string) (LinkCounters, error) {
	data, err := os.ReadFile("/proc/net/dev")
	if err != nil {
		return LinkCounters{}, fmt.Errorf("reading the counters of %s: %w", dev, err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) != dev {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 12 {
			break
		}
		var v [12]int64
		for i := range v {
			if v[i], err = strconv.ParseInt(f[i], 10, 64); err != nil {
				return LinkCounters{}, fmt.Errorf("reading the counters of %s: %w", dev, err)
			}
		}
		// Receive: bytes packets errs drop fifo frame compressed
		// multicast; transmit: bytes packets errs drop ...
		return LinkCounters{RxBytes: v[0], RxPackets: v[1], RxErrs: v[2], RxDrop: v[3],
			TxBytes: v[8], TxPackets: v[9], TxErrs: v[10], TxDrop: v[11]}, nil
	}
	return LinkCounters{}, fmt.Errorf("no device %s in /proc/net/dev", dev)
}
