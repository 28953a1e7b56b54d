package virsh

import (
	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
)

// netUpdateCommands and netUpdateSections are virsh's names of
// virNetworkUpdate's commands and sections ("add" is "add-last").
var (
	netUpdateCommands = map[string]uint32{"modify": 1, "delete": 2, "add-last": 3, "add": 3, "add-first": 4}
	netUpdateSections = map[string]uint32{"bridge": 1, "domain": 2, "ip": 3, "ip-dhcp-host": 4, "ip-dhcp-range": 5,
		"forward": 6, "forward-interface": 7, "forward-pf": 8, "portgroup": 9, "dns-host": 10, "dns-txt": 11, "dns-srv": 12}
)

func cmdNetUpdate() *CmdDef {
	return &CmdDef{
		Name: "net-update", Group: "network",
		Help: "update parts of an existing network's configuration",
		Opts: []OptDef{
			optNetwork(),
			{Name: "command", Type: OptData, Required: true, Help: "type of update (add-first, add-last (add), delete, or modify)"},
			{Name: "section", Type: OptData, Required: true, Help: "which section of network configuration to update"},
			{Name: "xml", Type: OptData, Required: true, Complete: CompleteFile,
				Help: "name of file containing xml (or, if it starts with '<', the complete xml element itself) to add/modify, or to be matched for search"},
			{Name: "parent-index", Type: OptInt, Help: "which parent object to search through"},
			optBool("config", "affect next network startup"),
			optBool("live", "affect running network"),
			optBool("current", "affect current state of network"),
		},
		Run: runNetUpdate,
	}
}

// runNetUpdate is virsh's cmdNetworkUpdate.
func runNetUpdate(s *Session, pc *ParsedCmd) error {
	flags, err := metaFlags(pc)
	if err != nil {
		return err
	}
	net, err := s.networkArg(pc)
	if err != nil {
		return err
	}
	command, err := enumArg(pc, "command", netUpdateCommands)
	if err != nil {
		return err
	}
	section, err := enumArg(pc, "section", netUpdateSections)
	if err != nil {
		return err
	}
	parent, given, err := pc.Int("parent-index")
	if err != nil {
		return err
	}
	if !given {
		parent = -1
	}
	xml, _, err := pc.String("xml")
	if err != nil {
		return err
	}
	if len(xml) == 0 || xml[0] != '<' {
		// Not an element: the name of a file holding it.
		if xml, err = readXMLFile(xml); err != nil {
			return err
		}
	}
	args := &libvirt.NetworkUpdateArgs{Net: net, Command: command, Section: section, ParentIndex: int32(parent),
		XML: xml, Flags: libvirt.NetworkUpdateFlags(flags)}
	if err := s.conn.call(proto.ProcNetworkUpdate, args, nil); err != nil {
		return failed(err, "Failed to update network %s", net.Name)
	}
	live, config := flags&1 != 0, flags&2 != 0
	switch {
	case config && live:
		s.printExtra("Updated network %s persistent config and live state", net.Name)
	case config:
		s.printExtra("Updated network %s persistent config", net.Name)
	case live || netActive(s.conn.netFlag(net, proto.ProcNetworkIsActive)):
		s.printExtra("Updated network %s live state", net.Name)
	default:
		s.printExtra("Updated network %s persistent config", net.Name)
	}
	return nil
}

// enumArg reads option name as one of table's names, with virsh's error
// for an unknown one.
func enumArg(pc *ParsedCmd, name string, table map[string]uint32) (uint32, error) {
	v, _, err := pc.String(name)
	if err != nil {
		return 0, err
	}
	code, ok := table[v]
	if !ok {
		return 0, cmdErrorf("unrecognized %s name '%s'", name, v)
	}
	return code, nil
}

// netActive is a netFlag answer to IS_ACTIVE, false when the call failed.
func netActive(yes, ok bool) bool { return yes && ok }
