package virsh

import (
	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
)

// net-create, and net-define's shared part; net-name and net-uuid.

func cmdNetCreate() *CmdDef {
	return &CmdDef{
		Name: "net-create", Group: "network",
		Help: "create a network from an XML file",
		Desc: "Create a network.",
		Opts: []OptDef{
			optFile("file containing an XML network description"),
			optBool("validate", "validate the XML against the schema"),
		},
		Run: func(s *Session, pc *ParsedCmd) error { return netFromFile(s, pc, true) },
	}
}

// cmdNetName and cmdNetUUID convert between a network's UUID and name,
// each looking up only by what it converts from.
func cmdNetName() *CmdDef {
	return &CmdDef{
		Name: "net-name", Group: "network",
		Help: "convert a network UUID to network name",
		Opts: []OptDef{{Name: "network", Type: OptData, Required: true, Help: "network uuid"}},
		Run: func(s *Session, pc *ParsedCmd) error {
			arg, _, _ := pc.String("network")
			if _, err := s.connection(); err != nil {
				return err
			}
			u, ok := parseUUID(arg)
			if !ok {
				return cmdErrorf("failed to get network '%s'", arg)
			}
			var ret libvirt.NetworkLookupByUUIDRet
			if err := s.conn.call(proto.ProcNetworkLookupByUUID, &libvirt.NetworkLookupByUUIDArgs{UUID: u}, &ret); err != nil {
				return failed(err, "failed to get network '%s'", arg)
			}
			s.print(ret.Net.Name + "\n")
			return nil
		},
	}
}

func cmdNetUUID() *CmdDef {
	return &CmdDef{
		Name: "net-uuid", Group: "network",
		Help: "convert a network name to network UUID",
		Opts: []OptDef{{Name: "network", Type: OptData, Required: true, Help: "network name"}},
		Run: func(s *Session, pc *ParsedCmd) error {
			arg, _, _ := pc.String("network")
			if _, err := s.connection(); err != nil {
				return err
			}
			var ret libvirt.NetworkLookupByNameRet
			if err := s.conn.call(proto.ProcNetworkLookupByName, &libvirt.NetworkLookupByNameArgs{Name: arg}, &ret); err != nil {
				return failed(err, "failed to get network '%s'", arg)
			}
			s.print(formatUUID(ret.Net.UUID) + "\n")
			return nil
		},
	}
}

// netFromFile defines (net-define) or creates (net-create) the network of
// the command's --file, through the flags procedure with --validate.
func netFromFile(s *Session, pc *ParsedCmd, create bool) error {
	from, xml, err := fileArg(pc)
	if err != nil {
		return err
	}
	var flags uint32
	if pc.Bool("validate") {
		flags = defineValidate
	}
	var net libvirt.Network
	switch {
	case create && flags != 0:
		var ret libvirt.NetworkCreateXMLFlagsRet
		err = s.conn.call(proto.ProcNetworkCreateXMLFlags, &libvirt.NetworkCreateXMLFlagsArgs{XML: xml, Flags: flags}, &ret)
		net = ret.Net
	case create:
		var ret libvirt.NetworkCreateXMLRet
		err = s.conn.call(proto.ProcNetworkCreateXML, &libvirt.NetworkCreateXMLArgs{XML: xml}, &ret)
		net = ret.Net
	case flags != 0:
		var ret libvirt.NetworkDefineXMLFlagsRet
		err = s.conn.call(proto.ProcNetworkDefineXMLFlags, &libvirt.NetworkDefineXMLFlagsArgs{XML: xml, Flags: flags}, &ret)
		net = ret.Net
	default:
		var ret libvirt.NetworkDefineXMLRet
		err = s.conn.call(proto.ProcNetworkDefineXML, &libvirt.NetworkDefineXMLArgs{XML: xml}, &ret)
		net = ret.Net
	}
	verb, done := "define", "defined"
	if create {
		verb, done = "create", "created"
	}
	if err != nil {
		return failed(err, "Failed to %s network from %s", verb, from)
	}
	s.printExtra("Network %s %s from %s\n", net.Name, done, from)
	return nil
}
