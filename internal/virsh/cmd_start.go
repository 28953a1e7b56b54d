package virsh

import (
	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
)

func cmdStart() *CmdDef {
	return &CmdDef{
		Name: "start", Group: "domain",
		Help: "start a (previously defined) inactive domain",
		Desc: "Start a domain, either from the last managedsave\n    state, or via a fresh boot if no managedsave state\n    is present.",
		Opts: []OptDef{
			optDomain("name of the inactive domain"),
			optBool("console", "attach to console after creation"),
			optBool("paused", "leave the guest paused after creation"),
			optBool("autodestroy", "automatically destroy the guest when virsh disconnects"),
			optBool("bypass-cache", "avoid file system cache when loading"),
			optBool("force-boot", "force fresh boot by discarding any managed save"),
			{Name: "pass-fds", Type: OptString, Help: "pass file descriptors N,M,... to the guest"},
			optBool("reset-nvram", "re-initialize NVRAM from its pristine template"),
		},
		Run: runStart,
	}
}

func runStart(s *Session, pc *ParsedCmd) error {
	dom, err := s.domainArg(pc, byName|byUUID)
	if err != nil {
		return err
	}
	if isActive(dom) {
		return cmdErrorf("Domain is already active")
	}
	files, err := passFDs(pc)
	if err != nil {
		return err
	}
	var flags uint32
	for name, bit := range map[string]uint32{
		"paused": startPaused, "autodestroy": startAutodestroy, "bypass-cache": startBypassCache,
		"force-boot": startForceBoot, "reset-nvram": startResetNVRAM,
	} {
		if pc.Bool(name) {
			flags |= bit
		}
	}
	c := s.conn
	create := func(flags uint32) (libvirt.Domain, error) {
		switch {
		case len(files) > 0:
			var ret libvirt.DomainCreateWithFilesRet
			err := c.callWithFiles(proto.ProcDomainCreateWithFiles, &libvirt.DomainCreateWithFilesArgs{Dom: dom, Flags: libvirt.DomainCreateFlags(flags)}, files, &ret)
			return ret.Dom, err
		case flags != 0:
			var ret libvirt.DomainCreateWithFlagsRet
			err := c.call(proto.ProcDomainCreateWithFlags, &libvirt.DomainCreateWithFlagsArgs{Dom: dom, Flags: flags}, &ret)
			return ret.Dom, err
		}
		if err := c.call(proto.ProcDomainCreate, &libvirt.DomainCreateArgs{Dom: dom}, nil); err != nil {
			return dom, err
		}
		// libvirt's remote driver looks the domain up again for its new id.
		var ret libvirt.DomainLookupByUUIDRet
		err := c.call(proto.ProcDomainLookupByUUID, &libvirt.DomainLookupByUUIDArgs{UUID: dom.UUID}, &ret)
		return ret.Dom, err
	}
	if flags&startForceBoot != 0 {
		// Force boot is emulated when the server rejects the flag.
		started, err := create(flags)
		if err == nil {
			return s.started(pc, started)
		}
		if !isNoSupport(err) && libvirtCode(err) != 8 {
			return err
		}
		flags &^= startForceBoot
	}
	started, err := create(flags)
	if err != nil {
		return failed(err, "Failed to start domain '%s'", dom.Name)
	}
	return s.started(pc, started)
}

// started reports a start and attaches the console if asked: unlike
// create, a console that cannot be attached fails the command.
func (s *Session) started(pc *ParsedCmd, dom libvirt.Domain) error {
	s.printExtra("Domain '%s' started\n", dom.Name)
	if pc.Bool("console") {
		return s.runConsole(dom, "", 0)
	}
	return nil
}

func cmdCreate() *CmdDef {
	return &CmdDef{
		Name: "create", Group: "domain",
		Help: "create a domain from an XML file",
		Desc: "Create a domain.",
		Opts: []OptDef{
			optFile("file containing an XML domain description"),
			optBool("console", "attach to console after creation"),
			optBool("paused", "leave the guest paused after creation"),
			optBool("autodestroy", "automatically destroy the guest when virsh disconnects"),
			{Name: "pass-fds", Type: OptString, Help: "pass file descriptors N,M,... to the guest"},
			optBool("validate", "validate the XML against the schema"),
			optBool("reset-nvram", "re-initialize NVRAM from its pristine template"),
		},
		Run: runCreate,
	}
}

func runCreate(s *Session, pc *ParsedCmd) error {
	from, xml, err := fileArg(pc)
	if err != nil {
		return err
	}
	files, err := passFDs(pc)
	if err != nil {
		return err
	}
	var flags uint32
	for name, bit := range map[string]uint32{
		"paused": startPaused, "autodestroy": startAutodestroy, "validate": startValidate, "reset-nvram": startResetNVRAM,
	} {
		if pc.Bool(name) {
			flags |= bit
		}
	}
	c := s.conn
	var dom libvirt.Domain
	if len(files) > 0 {
		var ret libvirt.DomainCreateXMLWithFilesRet
		err = c.callWithFiles(proto.ProcDomainCreateXMLWithFiles, &libvirt.DomainCreateXMLWithFilesArgs{XMLDesc: xml, Flags: libvirt.DomainCreateFlags(flags)}, files, &ret)
		dom = ret.Dom
	} else {
		var ret libvirt.DomainCreateXMLRet
		err = c.call(proto.ProcDomainCreateXML, &libvirt.DomainCreateXMLArgs{XMLDesc: xml, Flags: libvirt.DomainCreateFlags(flags)}, &ret)
		dom = ret.Dom
	}
	if err != nil {
		return failed(err, "Failed to create domain from %s", from)
	}
	s.printExtra("Domain '%s' created from %s\n", dom.Name, from)
	if pc.Bool("console") {
		if err := s.runConsole(dom, "", 0); err != nil {
			s.reportError(err)
		}
	}
	return nil
}
