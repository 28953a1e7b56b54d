package virsh

import (
	"sort"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
)

// virsh's net-port-list, net-port-dumpxml and net-port-delete.

// optPort is virsh's VIRSH_COMMON_OPT_NETWORK_PORT.
func optPort() OptDef {
	return OptDef{Name: "port", Type: OptData, Required: true, Help: "port UUID"}
}

// portArg is virsh's virshCommandOptNetwork then
// virshCommandOptNetworkPort: the port of the network named by UUID.
func (s *Session) portArg(pc *ParsedCmd) (libvirt.NetworkPort, error) {
	net, err := s.networkArg(pc)
	if err != nil {
		return libvirt.NetworkPort{}, err
	}
	id, _, err := pc.String("port")
	if err != nil {
		return libvirt.NetworkPort{}, err
	}
	u, ok := parseUUID(id)
	if !ok || len(id) != 36 {
		// virsh reports no libvirt error for a malformed UUID.
		return libvirt.NetworkPort{}, cmdErrorf("failed to get network port '%s'", id)
	}
	var ret libvirt.NetworkPortLookupByUUIDRet
	if err := s.conn.call(proto.ProcNetworkPortLookupByUUID, &libvirt.NetworkPortLookupByUUIDArgs{OptNetwork: net, UUID: u}, &ret); err != nil {
		return libvirt.NetworkPort{}, failed(err, "failed to get network port '%s'", id)
	}
	return ret.Port, nil
}

func cmdNetPortList() *CmdDef {
	return &CmdDef{
		Name: "net-port-list", Group: "network",
		Help: "list network ports",
		Desc: "Returns list of network ports.",
		Opts: []OptDef{optNetwork(), optBool("uuid", "list uuid's only"), optBool("table", "list table (default)")},
		Run: func(s *Session, pc *ParsedCmd) error {
			optUUID, optTable := pc.Bool("uuid"), pc.Bool("table")
			if optUUID && optTable {
				return cmdErrorf("Only one argument from --table and --uuid may be specified.")
			}
			net, err := s.networkArg(pc)
			if err != nil {
				return err
			}
			var ret libvirt.NetworkListAllPortsRet
			if err := s.conn.call(proto.ProcNetworkListAllPorts, &libvirt.NetworkListAllPortsArgs{OptNetwork: net, NeedResults: 1}, &ret); err != nil {
				return err
			}
			ids := make([]string, 0, len(ret.Ports))
			for _, p := range ret.Ports {
				ids = append(ids, formatUUID(p.UUID))
			}
			sort.Strings(ids)
			if optUUID {
				for _, id := range ids {
					s.printf("%s\n", id)
				}
				return nil
			}
			table := NewTable("UUID")
			for _, id := range ids {
				table.Add(id)
			}
			s.print(table.Render(!s.Quiet))
			return nil
		},
	}
}

func cmdNetPortDumpXML() *CmdDef {
	return &CmdDef{
		Name: "net-port-dumpxml", Group: "network",
		Help: "network port information in XML",
		Desc: "Output the network port information as an XML dump to stdout.",
		Opts: []OptDef{
			optNetwork(), optPort(),
			{Name: "xpath", Type: OptString, NamedOnly: true, Help: "xpath expression to filter the XML document"},
			optBool("wrap", "wrap xpath results in an common root element"),
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			port, err := s.portArg(pc)
			if err != nil {
				return err
			}
			xpath, hasXPath, err := pc.String("xpath")
			if err != nil {
				return err
			}
			var ret libvirt.NetworkPortGetXMLDescRet
			if err := s.conn.call(proto.ProcNetworkPortGetXMLDesc, &libvirt.NetworkPortGetXMLDescArgs{Port: port}, &ret); err != nil {
				return err
			}
			out := ret.XML
			if hasXPath {
				if out, err = filterXPath(ret.XML, xpath, pc.Bool("wrap")); err != nil {
					return err
				}
			}
			s.print(out)
			return nil
		},
	}
}

func cmdNetPortDelete() *CmdDef {
	return &CmdDef{
		Name: "net-port-delete", Group: "network",
		Help: "delete the specified network port",
		Desc: "Delete the specified network port.",
		Opts: []OptDef{optNetwork(), optPort()},
		Run: func(s *Session, pc *ParsedCmd) error {
			port, err := s.portArg(pc)
			if err != nil {
				return err
			}
			id := formatUUID(port.UUID)
			if err := s.conn.call(proto.ProcNetworkPortDelete, &libvirt.NetworkPortDeleteArgs{Port: port}, nil); err != nil {
				return failed(err, "Failed to delete network port %s", id)
			}
			s.printExtra("Network port %s deleted\n", id)
			return nil
		},
	}
}

func cmdNetPortCreate() *CmdDef {
	return &CmdDef{
		Name: "net-port-create", Group: "network",
		Help: "create a network port from an XML file",
		Desc: "Create a network port.",
		Opts: []OptDef{optNetwork(), optFile("file containing an XML network port description"),
			optBool("validate", "validate the XML against the schema")},
		Run: func(s *Session, pc *ParsedCmd) error {
			net, err := s.networkArg(pc)
			if err != nil {
				return err
			}
			from, _, err := pc.String("file")
			if err != nil {
				return err
			}
			var flags uint32
			if pc.Bool("validate") {
				flags |= 2 // VIR_NETWORK_PORT_CREATE_VALIDATE
			}
			doc, err := readXMLFile(from)
			if err != nil {
				return err
			}
			var ret libvirt.NetworkPortCreateXMLRet
			if err := s.conn.call(proto.ProcNetworkPortCreateXML, &libvirt.NetworkPortCreateXMLArgs{OptNetwork: net, XML: doc, Flags: flags}, &ret); err != nil {
				return failed(err, "Failed to create network from %s", from)
			}
			s.printExtra("Network port %s created from %s\n", formatUUID(ret.Port.UUID), from)
			return nil
		},
	}
}
