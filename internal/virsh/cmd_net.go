package virsh

import (
	"sort"
	"strings"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/virerr"
)

// netXMLInactive is VIR_NETWORK_XML_INACTIVE.
const netXMLInactive = 1

// networkCommands are the "Networking" group's commands virtlxc has, in
// virsh's order.
func networkCommands() []*CmdDef {
	return []*CmdDef{
		cmdNetAutostart(), cmdNetCreate(), cmdNetDefine(), cmdNetDestroy(), cmdNetDHCPLeases(), cmdNetDumpXML(), cmdNetEdit(), cmdNetEvent(),
		cmdNetInfo(), cmdNetList(), cmdNetName(), cmdNetStart(), cmdNetUndefine(), cmdNetUpdate(), cmdNetUUID(),
		cmdNetPortList(), cmdNetPortCreate(), cmdNetPortDumpXML(), cmdNetPortDelete(),
	}
}

// optNetwork is virsh's VIRSH_COMMON_OPT_NETWORK.
func optNetwork() OptDef {
	return OptDef{Name: "network", Type: OptData, Required: true, Help: "network name or uuid"}
}

// lookupNetwork resolves a network argument as virsh's
// virshCommandOptNetworkBy: a UUID when it parses as one, else a name.
func (c *Conn) lookupNetwork(name string) (libvirt.Network, error) {
	if u, ok := parseUUID(name); ok && len(name) == 36 {
		var ret libvirt.NetworkLookupByUUIDRet
		if err := c.call(proto.ProcNetworkLookupByUUID, &libvirt.NetworkLookupByUUIDArgs{UUID: u}, &ret); err == nil {
			return ret.Net, nil
		}
	}
	var ret libvirt.NetworkLookupByNameRet
	if err := c.call(proto.ProcNetworkLookupByName, &libvirt.NetworkLookupByNameArgs{Name: name}, &ret); err != nil {
		return libvirt.Network{}, failed(err, "failed to get network '%s'", name)
	}
	return ret.Net, nil
}

// networkArg looks up the command's --network option.
func (s *Session) networkArg(pc *ParsedCmd) (libvirt.Network, error) {
	name, _, err := pc.String("network")
	if err != nil {
		return libvirt.Network{}, err
	}
	c, err := s.connection()
	if err != nil {
		return libvirt.Network{}, err
	}
	return c.lookupNetwork(name)
}

func cmdNetDefine() *CmdDef {
	return &CmdDef{
		Name: "net-define", Group: "network",
		Help: "define an inactive persistent virtual network or modify an existing persistent one from an XML file",
		Desc: "Define or modify a persistent virtual network.",
		Opts: []OptDef{
			optFile("file containing an XML network description"),
			optBool("validate", "validate the XML against the schema"),
		},
		Run: func(s *Session, pc *ParsedCmd) error { return netFromFile(s, pc, false) },
	}
}

func cmdNetEdit() *CmdDef {
	return &CmdDef{
		Name: "net-edit", Group: "network",
		Help: "edit XML configuration for a network",
		Desc: "Edit the XML configuration for a network.",
		Opts: []OptDef{optNetwork()},
		Run: func(s *Session, pc *ParsedCmd) error {
			net, err := s.networkArg(pc)
			if err != nil {
				return err
			}
			e := &editor{
				get: func() (string, error) { return s.conn.networkXML(net) },
				define: func(doc string) (string, error) {
					var ret libvirt.NetworkDefineXMLRet
					err := s.conn.call(proto.ProcNetworkDefineXML, &libvirt.NetworkDefineXMLArgs{XML: doc}, &ret)
					return ret.Net.Name, err
				},
				name:       net.Name,
				notChanged: "Network %s XML configuration not changed.\n",
				edited:     "Network %s XML configuration edited.\n",
			}
			return e.run(s)
		},
	}
}

// networkXML returns a network's persistent XML as virsh's
// virshNetworkGetXMLDesc: inactive, or as it is from a server that refuses
// the flag.
func (c *Conn) networkXML(net libvirt.Network) (string, error) {
	var ret libvirt.NetworkGetXMLDescRet
	err := c.call(proto.ProcNetworkGetXMLDesc, &libvirt.NetworkGetXMLDescArgs{Net: net, Flags: netXMLInactive}, &ret)
	if libvirtCode(err) == virerr.ErrInvalidArg {
		err = c.call(proto.ProcNetworkGetXMLDesc, &libvirt.NetworkGetXMLDescArgs{Net: net}, &ret)
	}
	return ret.XML, err
}

// netAction declares a command that looks up a network, makes one call
// and prints a message (net-start, net-destroy, net-undefine).
func netAction(name, help, desc string, proc uint32, args func(libvirt.Network) any, done, fail string) *CmdDef {
	return &CmdDef{
		Name: name, Group: "network", Help: help, Desc: desc,
		Opts: []OptDef{optNetwork()},
		Run: func(s *Session, pc *ParsedCmd) error {
			net, err := s.networkArg(pc)
			if err != nil {
				return err
			}
			if err := s.conn.call(proc, args(net), nil); err != nil {
				return failed(err, fail, net.Name)
			}
			s.printExtra(done+"\n", net.Name)
			return nil
		},
	}
}

func cmdNetStart() *CmdDef {
	return netAction("net-start", "start a (previously defined) inactive network", "Start a network.",
		proto.ProcNetworkCreate, func(n libvirt.Network) any { return &libvirt.NetworkCreateArgs{Net: n} },
		"Network %s started", "Failed to start network %s")
}

func cmdNetDestroy() *CmdDef {
	return netAction("net-destroy", "destroy (stop) a network", "Forcefully stop a given network.",
		proto.ProcNetworkDestroy, func(n libvirt.Network) any { return &libvirt.NetworkDestroyArgs{Net: n} },
		"Network %s destroyed", "Failed to destroy network %s")
}

func cmdNetUndefine() *CmdDef {
	return netAction("net-undefine", "undefine a persistent network", "Undefine the configuration for a persistent network.",
		proto.ProcNetworkUndefine, func(n libvirt.Network) any { return &libvirt.NetworkUndefineArgs{Net: n} },
		"Network %s has been undefined", "Failed to undefine network %s")
}

func cmdNetAutostart() *CmdDef {
	return &CmdDef{
		Name: "net-autostart", Group: "network",
		Help: "autostart a network",
		Desc: "Configure a network to be automatically started at boot.",
		Opts: []OptDef{optNetwork(), optBool("disable", "disable autostarting")},
		Run: func(s *Session, pc *ParsedCmd) error {
			net, err := s.networkArg(pc)
			if err != nil {
				return err
			}
			on := !pc.Bool("disable")
			err = s.conn.call(proto.ProcNetworkSetAutostart, &libvirt.NetworkSetAutostartArgs{Net: net, Autostart: b2i(on)}, nil)
			switch {
			case err != nil && on:
				return failed(err, "failed to mark network %s as autostarted", net.Name)
			case err != nil:
				return failed(err, "failed to unmark network %s as autostarted", net.Name)
			case on:
				s.printExtra("Network %s marked as autostarted\n", net.Name)
			default:
				s.printExtra("Network %s unmarked as autostarted\n", net.Name)
			}
			return nil
		},
	}
}

// b2i is a C boolean.
func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

func cmdNetDumpXML() *CmdDef {
	return &CmdDef{
		Name: "net-dumpxml", Group: "network",
		Help: "network information in XML",
		Desc: "Output the network information as an XML dump to stdout.",
		Opts: []OptDef{
			optNetwork(),
			optBool("inactive", "show inactive defined XML"),
			{Name: "xpath", Type: OptString, NamedOnly: true, Help: "xpath expression to filter the XML document"},
			optBool("wrap", "wrap xpath results in an common root element"),
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			var flags uint32
			if pc.Bool("inactive") {
				flags = netXMLInactive
			}
			xpath, hasXPath, err := pc.String("xpath")
			if err != nil {
				return err
			}
			net, err := s.networkArg(pc)
			if err != nil {
				return err
			}
			var ret libvirt.NetworkGetXMLDescRet
			if err := s.conn.call(proto.ProcNetworkGetXMLDesc, &libvirt.NetworkGetXMLDescArgs{Net: net, Flags: flags}, &ret); err != nil {
				return err
			}
			if hasXPath {
				out, err := filterXPath(ret.XML, xpath, pc.Bool("wrap"))
				if err != nil {
					return err
				}
				s.print(out)
				return nil
			}
			s.print(ret.XML)
			return nil
		},
	}
}

// netFlag asks one yes/no question about a network (IS_ACTIVE,
// IS_PERSISTENT, GET_AUTOSTART); ok is false when the call failed.
func (c *Conn) netFlag(net libvirt.Network, proc uint32) (yes, ok bool) {
	switch proc {
	case proto.ProcNetworkIsActive:
		var r libvirt.NetworkIsActiveRet
		err := c.call(proc, &libvirt.NetworkIsActiveArgs{Net: net}, &r)
		return r.Active != 0, err == nil
	case proto.ProcNetworkIsPersistent:
		var r libvirt.NetworkIsPersistentRet
		err := c.call(proc, &libvirt.NetworkIsPersistentArgs{Net: net}, &r)
		return r.Persistent != 0, err == nil
	}
	var r libvirt.NetworkGetAutostartRet
	err := c.call(proto.ProcNetworkGetAutostart, &libvirt.NetworkGetAutostartArgs{Net: net}, &r)
	return r.Autostart != 0, err == nil
}

// flagText is virsh's "yes"/"no" for a netFlag answer, or unknown when
// the call failed.
func flagText(yes, ok bool, unknown string) string {
	switch {
	case !ok:
		return unknown
	case yes:
		return "yes"
	}
	return "no"
}

func cmdNetInfo() *CmdDef {
	return &CmdDef{
		Name: "net-info", Group: "network",
		Help: "network information",
		Desc: "Returns basic information about the network",
		Opts: []OptDef{optNetwork()},
		Run: func(s *Session, pc *ParsedCmd) error {
			net, err := s.networkArg(pc)
			if err != nil {
				return err
			}
			c := s.conn
			s.printf("%-15s %s\n", "Name:", net.Name)
			s.printf("%-15s %s\n", "UUID:", formatUUID(net.UUID))
			if yes, ok := c.netFlag(net, proto.ProcNetworkIsActive); ok {
				s.printf("%-15s %s\n", "Active:", flagText(yes, ok, ""))
			}
			yes, ok := c.netFlag(net, proto.ProcNetworkIsPersistent)
			s.printf("%-15s %s\n", "Persistent:", flagText(yes, ok, "unknown"))
			yes, ok = c.netFlag(net, proto.ProcNetworkGetAutostart)
			s.printf("%-15s %s\n", "Autostart:", flagText(yes, ok, "no autostart"))
			var br libvirt.NetworkGetBridgeNameRet
			if err := c.call(proto.ProcNetworkGetBridgeName, &libvirt.NetworkGetBridgeNameArgs{Net: net}, &br); err == nil {
				s.printf("%-15s %s\n", "Bridge:", br.Name)
			}
			return nil
		},
	}
}

func cmdNetList() *CmdDef {
	return &CmdDef{
		Name: "net-list", Group: "network",
		Help: "list networks",
		Desc: "Returns list of networks.",
		Opts: []OptDef{
			optBool("inactive", "list inactive networks"),
			optBool("all", "list inactive & active networks"),
			optBool("persistent", "list persistent networks"),
			optBool("transient", "list transient networks"),
			optBool("autostart", "list networks with autostart enabled"),
			optBool("no-autostart", "list networks with autostart disabled"),
			optBool("uuid", "list uuid's only"),
			optBool("name", "list network names only"),
			optBool("table", "list table (default)"),
		},
		Run: runNetList,
	}
}

func runNetList(s *Session, pc *ParsedCmd) error {
	optUUID, optName, optTable := pc.Bool("uuid"), pc.Bool("name"), pc.Bool("table")
	if b2i(optTable)+b2i(optName)+b2i(optUUID) > 1 {
		return cmdErrorf("Only one argument from --table, --name and --uuid may be specified.")
	}
	if !optUUID && !optName {
		optTable = true
	}
	flags := libvirt.ConnectListNetworksActive
	if pc.Bool("inactive") {
		flags = libvirt.ConnectListNetworksInactive
	}
	if pc.Bool("all") {
		flags = libvirt.ConnectListNetworksActive | libvirt.ConnectListNetworksInactive
	}
	for opt, f := range map[string]libvirt.ConnectListAllNetworksFlags{
		"persistent": libvirt.ConnectListNetworksPersistent, "transient": libvirt.ConnectListNetworksTransient,
		"autostart": libvirt.ConnectListNetworksAutostart, "no-autostart": libvirt.ConnectListNetworksNoAutostart,
	} {
		if pc.Bool(opt) {
			flags |= f
		}
	}
	c := s.conn
	var ret libvirt.ConnectListAllNetworksRet
	if err := c.call(proto.ProcConnectListAllNetworks, &libvirt.ConnectListAllNetworksArgs{NeedResults: 1, Flags: flags}, &ret); err != nil {
		return failed(err, "Failed to list networks")
	}
	nets := ret.Nets
	sort.SliceStable(nets, func(i, j int) bool { return strings.ToLower(nets[i].Name) < strings.ToLower(nets[j].Name) })
	if !optTable {
		for _, n := range nets {
			if optUUID {
				s.printf("%s\n", formatUUID(n.UUID))
			} else {
				s.printf("%s\n", n.Name)
			}
		}
		return nil
	}
	table := NewTable("Name", "State", "Autostart", "Persistent")
	for _, n := range nets {
		active, _ := c.netFlag(n, proto.ProcNetworkIsActive)
		state := "inactive"
		if active {
			state = "active"
		}
		auto, ok := c.netFlag(n, proto.ProcNetworkGetAutostart)
		persistent, _ := c.netFlag(n, proto.ProcNetworkIsPersistent)
		table.Add(n.Name, state, flagText(auto, ok, "no autostart"), yesNo(persistent))
	}
	s.print(table.Render(!s.Quiet))
	return nil
}
