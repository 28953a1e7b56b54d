package netdev

import (
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
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
