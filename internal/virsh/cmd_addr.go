package virsh

import (
	"fmt"
	"sort"
	"strings"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
)

// addrTypeName is virsh's name of a VIR_IP_ADDR_TYPE_*.
func addrTypeName(t int32) string {
	if t == 1 {
		return "ipv6"
	}
	return "ipv4"
}

// optStr is an optional string's value, "" when absent.
func optStr(o libvirt.OptString) string {
	if len(o) == 0 {
		return ""
	}
	return o[0]
}

func cmdDomifaddr() *CmdDef {
	return &CmdDef{
		Name: "domifaddr", Group: "monitor",
		Help: "Get network interfaces' addresses for a running domain",
		Desc: "Get network interfaces' addresses for a running domain",
		Opts: []OptDef{
			optDomainFull(),
			{Name: "interface", Type: OptString, Help: "network interface name"},
			optBool("full", "always display names and MACs of interfaces"),
			{Name: "source", Type: OptString, Help: "address source: 'lease', 'agent', or 'arp'"},
		},
		Run: runDomifaddr,
	}
}

func runDomifaddr(s *Session, pc *ParsedCmd) error {
	dom, err := s.domainArg(pc, byAny)
	if err != nil {
		return err
	}
	iface, _, err := pc.String("interface")
	if err != nil {
		return err
	}
	src, _, err := pc.String("source")
	if err != nil {
		return err
	}
	source := libvirt.DomainInterfaceAddressesSrcLease
	switch src {
	case "", "lease":
	case "agent":
		source = libvirt.DomainInterfaceAddressesSrcAgent
	case "arp":
		source = libvirt.DomainInterfaceAddressesSrcArp
	default:
		return cmdErrorf("Unknown data source '%s'", src)
	}
	var ret libvirt.DomainInterfaceAddressesRet
	if err := s.conn.call(proto.ProcDomainInterfaceAddresses,
		&libvirt.DomainInterfaceAddressesArgs{Dom: dom, Source: uint32(source)}, &ret); err != nil {
		return failed(err, "Failed to query for interfaces addresses")
	}
	full := pc.Bool("full")
	s.printExtra(" %-10s %-20s %-8s     %s\n%s%s\n", "Name", "MAC address", "Protocol", "Address",
		"-------------------------------------------------", "------------------------------")
	for _, i := range ret.Ifaces {
		if iface != "" && iface != i.Name {
			continue
		}
		if len(i.Addrs) == 0 {
			mac := optStr(i.Hwaddr)
			if mac == "" {
				mac = "N/A"
			}
			s.printExtra(" %-10s %-17s    %-12s %s\n", i.Name, mac, "N/A", "N/A")
			continue
		}
		for j, a := range i.Addrs {
			addr := fmt.Sprintf("%-12s %s/%d", addrTypeName(a.Type), a.Addr, a.Prefix)
			if full || j == 0 {
				s.printExtra(" %-10s %-17s    %s\n", i.Name, optStr(i.Hwaddr), addr)
			} else {
				s.printExtra(" %-10s %-17s    %s\n", "-", "-", addr)
			}
		}
	}
	return nil
}

func cmdNetDHCPLeases() *CmdDef {
	return &CmdDef{
		Name: "net-dhcp-leases", Group: "network",
		Help: "print lease info for a given network",
		Desc: "Print lease info for a given network",
		Opts: []OptDef{optNetwork(), {Name: "mac", Type: OptString, Help: "MAC address"}},
		Run: func(s *Session, pc *ParsedCmd) error {
			net, err := s.networkArg(pc)
			if err != nil {
				return err
			}
			mac, _, err := pc.String("mac")
			if err != nil {
				return err
			}
			args := &libvirt.NetworkGetDhcpLeasesArgs{Net: net, NeedResults: 1}
			if mac != "" {
				args.Mac = libvirt.OptString{mac}
			}
			var ret libvirt.NetworkGetDhcpLeasesRet
			if err := s.conn.call(proto.ProcNetworkGetDhcpLeases, args, &ret); err != nil {
				return failed(err, "Failed to get leases info for %s", net.Name)
			}
			leases := ret.Leases
			sort.SliceStable(leases, func(i, j int) bool {
				return strings.ToLower(optStr(leases[i].Mac)) < strings.ToLower(optStr(leases[j].Mac))
			})
			dash := func(o libvirt.OptString) string {
				if v := optStr(o); v != "" {
					return v
				}
				return "-"
			}
			t := NewTable("Expiry Time", "MAC address", "Protocol", "IP address", "Hostname", "Client ID or DUID")
			for _, l := range leases {
				t.Add(time.Unix(l.Expirytime, 0).Format("2006-01-02 15:04:05"), dash(l.Mac), addrTypeName(l.Type),
					fmt.Sprintf("%s/%d", l.Ipaddr, l.Prefix), dash(l.Hostname), dash(l.Clientid))
			}
			s.print(t.Render(!s.Quiet))
			return nil
		},
	}
}

func cmdDomifstat() *CmdDef {
	return &CmdDef{
		Name: "domifstat", Group: "monitor",
		Help: "get network interface stats for a domain",
		Desc: "Get network interface stats for a running domain.",
		Opts: []OptDef{
			optDomainFull(),
			{Name: "interface", Type: OptData, Required: true, Help: "interface device specified by name or MAC Address"},
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			dev, _, err := pc.String("interface")
			if err != nil {
				return err
			}
			var st libvirt.DomainInterfaceStatsRet
			if err := s.conn.call(proto.ProcDomainInterfaceStats, &libvirt.DomainInterfaceStatsArgs{Dom: dom, Device: dev}, &st); err != nil {
				return failed(err, "Failed to get interface stats %s %s", dom.Name, dev)
			}
			for _, f := range []struct {
				name string
				v    int64
			}{{"rx_bytes", st.RxBytes}, {"rx_packets", st.RxPackets}, {"rx_errs", st.RxErrs}, {"rx_drop", st.RxDrop},
				{"tx_bytes", st.TxBytes}, {"tx_packets", st.TxPackets}, {"tx_errs", st.TxErrs}, {"tx_drop", st.TxDrop}} {
				if f.v >= 0 {
					s.printf("%s %s %d\n", dev, f.name, f.v)
				}
			}
			return nil
		},
	}
}
