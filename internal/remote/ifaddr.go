package remote

import (
	"net"
	"strings"

	"github.com/digitalocean/go-libvirt"

	"virtlxc/internal/driver"
	"virtlxc/internal/netdev"
	"virtlxc/internal/network"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/virerr"
)

// Address types of virDomainIPAddress and virNetworkDHCPLease.
const (
	addrIPv4 int32 = 0
	addrIPv6 int32 = 1
)

func addrType(ip net.IP) int32 {
	if ip.To4() != nil {
		return addrIPv4
	}
	return addrIPv6
}

func opt(s string) libvirt.OptString {
	if s == "" {
		return nil
	}
	return libvirt.OptString{s}
}

// addressProcs are virNetworkGetDHCPLeases, virDomainInterfaceAddresses
// (lease and ARP sources, as libvirt's LXC driver answers them) and
// virDomainInterfaceStats.
func (h *Handlers) addressProcs() map[uint32]server.Procedure {
	return map[uint32]server.Procedure{
		proto.ProcNetworkGetDhcpLeases: netProc(true, func(a *libvirt.NetworkGetDhcpLeasesArgs) libvirt.Network { return a.Net },
			func(i network.Info, a *libvirt.NetworkGetDhcpLeasesArgs) (any, error) {
				if a.Flags != 0 {
					return nil, unsupportedFlags(a.Flags, "networkGetDHCPLeases")
				}
				mac := ""
				if len(a.Mac) > 0 {
					mac = a.Mac[0]
				}
				leases, err := h.nets.Leases(i.Name, mac)
				if err != nil {
					return nil, err
				}
				ret := &libvirt.NetworkGetDhcpLeasesRet{Ret: uint32(len(leases))}
				if a.NeedResults != 0 {
					ret.Leases = make([]libvirt.NetworkDhcpLease, 0, len(leases))
					for _, l := range leases {
						ret.Leases = append(ret.Leases, libvirt.NetworkDhcpLease{Iface: l.Iface, Expirytime: l.Expiry,
							Type: addrType(l.IP), Mac: opt(l.MAC), Iaid: opt(l.IAID), Ipaddr: l.IP.String(),
							Prefix: uint32(l.Prefix), Hostname: opt(l.Hostname), Clientid: opt(l.ClientID)})
					}
				}
				return ret, nil
			}, h),
		proto.ProcDomainInterfaceStats: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.DomainInterfaceStatsArgs{} },
			Handler: func(c *server.Call) (any, error) {
				return h.interfaceStats(c.Args.(*libvirt.DomainInterfaceStatsArgs))
			}},
		proto.ProcDomainInterfaceAddresses: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.DomainInterfaceAddressesArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.DomainInterfaceAddressesArgs)
				if err := driver.CheckFlags(a.Flags, 0, "lxcDomainInterfaceAddresses"); err != nil {
					return nil, err
				}
				ifaces, err := h.drv.Interfaces(toRef(a.Dom))
				if err != nil {
					return nil, err
				}
				var out []libvirt.DomainInterface
				switch libvirt.DomainInterfaceAddressesSource(a.Source) {
				case libvirt.DomainInterfaceAddressesSrcLease:
					out, err = h.leaseAddresses(ifaces)
				case libvirt.DomainInterfaceAddressesSrcArp:
					out, err = arpAddresses(ifaces)
				default:
					err = virerr.New(virerr.ErrArgumentUnsupported, virerr.FromLXC,
						"Unknown IP address data source %d", a.Source)
				}
				if err != nil {
					return nil, err
				}
				if out == nil {
					out = []libvirt.DomainInterface{}
				}
				return &libvirt.DomainInterfaceAddressesRet{Ifaces: out}, nil
			}},
	}
}

// leaseAddresses are the DHCP leases of the type='network' interfaces,
// one entry per interface that has any.
func (h *Handlers) leaseAddresses(ifaces []driver.Iface) ([]libvirt.DomainInterface, error) {
	var out []libvirt.DomainInterface
	for _, i := range ifaces {
		if i.Network == "" {
			continue
		}
		if h.nets == nil {
			return nil, virerr.New(virerr.ErrNoSupport, virerr.FromNone,
				"no connection driver available for network:///system")
		}
		leases, err := h.nets.Leases(i.Network, i.MAC)
		if err != nil {
			return nil, err
		}
		if len(leases) == 0 {
			continue
		}
		d := libvirt.DomainInterface{Name: i.Dev, Hwaddr: opt(i.MAC)}
		for _, l := range leases {
			d.Addrs = append(d.Addrs, libvirt.DomainIPAddr{Type: addrType(l.IP), Addr: l.IP.String(), Prefix: uint32(l.Prefix)})
		}
		out = append(out, d)
	}
	return out, nil
}

// arpAddresses are the host's ARP entries for the interfaces' MACs.
func arpAddresses(ifaces []driver.Iface) ([]libvirt.DomainInterface, error) {
	table, err := netdev.ARPTable()
	if err != nil {
		return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromDomain, "%s", err)
	}
	var out []libvirt.DomainInterface
	for _, i := range ifaces {
		for _, n := range table {
			if strings.EqualFold(n.MAC, i.MAC) {
				out = append(out, libvirt.DomainInterface{Name: i.Dev, Hwaddr: opt(i.MAC),
					Addrs: []libvirt.DomainIPAddr{{Type: addrIPv4, Addr: n.IP}}})
				break
			}
		}
	}
	return out, nil
}

// interfaceStats answers virDomainInterfaceStats as libvirt's LXC driver
// does: the interface named by its host-side device or its MAC, counters
// of the host end with receive and transmit swapped (what the host end
// sends, the container receives).
func (h *Handlers) interfaceStats(a *libvirt.DomainInterfaceStatsArgs) (*libvirt.DomainInterfaceStatsRet, error) {
	ifaces, err := h.drv.Interfaces(toRef(a.Dom))
	if err != nil {
		return nil, err
	}
	dev := ""
	for _, i := range ifaces {
		if i.Dev != "" && (i.Dev == a.Device || strings.EqualFold(i.MAC, a.Device)) {
			dev = i.Dev
		}
	}
	if dev == "" {
		return nil, virerr.New(virerr.ErrInvalidArg, virerr.FromDomain, "'%s' is not a known interface", a.Device)
	}
	st, err := netdev.Counters(dev)
	if err != nil {
		return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromDomain, "%s", err)
	}
	return &libvirt.DomainInterfaceStatsRet{
		RxBytes: st.TxBytes, RxPackets: st.TxPackets, RxErrs: st.TxErrs, RxDrop: st.TxDrop,
		TxBytes: st.RxBytes, TxPackets: st.RxPackets, TxErrs: st.RxErrs, TxDrop: st.RxDrop,
	}, nil
}
