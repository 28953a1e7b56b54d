package virsh

// CmdDef describes one command (virsh's vshCmdDef): its name, the help
// keyword of its group, the texts "help COMMAND" prints, its options and
// the function that runs it.
type CmdDef struct {
	Name string
	// Group is the help keyword of the group the command belongs to.
	Group string
	// Help is the one-line summary.
	Help string
	// Desc is the DESCRIPTION paragraph; "" prints none. Continuation
	// lines carry their own indentation, as virsh's texts do.
	Desc string
	Opts []OptDef
	// NoConnect marks commands that run without a connection.
	NoConnect bool
	// Raw hands the command its words unparsed (ParsedCmd.Raw), for
	// commands with conventional short options (top); Opts then only
	// document them.
	Raw bool
	// Run executes the command.
	Run func(s *Session, pc *ParsedCmd) error
}

// Group is a named set of commands in "help" output.
type Group struct {
	Name    string
	Keyword string
}

// Commands is the command table: groups in display order and every
// command.
type Commands struct {
	Groups []Group
	Cmds   []*CmdDef
}

// Lookup returns the command named name, or nil.
func (t *Commands) Lookup(name string) *CmdDef {
	for _, c := range t.Cmds {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// group returns the group with the given name or keyword.
func (t *Commands) group(name string) *Group {
	for i := range t.Groups {
		if t.Groups[i].Name == name || t.Groups[i].Keyword == name {
			return &t.Groups[i]
		}
	}
	return nil
}

// Common option definitions, named after virsh's VIRSH_COMMON_OPT_* macros.
func optDomain(help string) OptDef {
	return OptDef{Name: "domain", Type: OptData, Required: true, Help: help, Complete: CompleteDomain}
}

func optDomainFull() OptDef { return optDomain("domain name, id or uuid") }

func optFile(help string) OptDef {
	return OptDef{Name: "file", Type: OptData, Required: true, Help: help, Complete: CompleteFile}
}

func optBool(name, help string) OptDef { return OptDef{Name: name, Type: OptBool, Help: help} }

func optConfigLiveCurrent() []OptDef {
	return []OptDef{
		optBool("config", "affect next boot"),
		optBool("live", "affect running domain"),
		optBool("current", "affect current domain"),
	}
}

// NewCommands returns virtlxc's command table.
func NewCommands() *Commands {
	t := &Commands{Groups: []Group{
		{"Domain Management", "domain"},
		{"Domain Monitoring", "monitor"},
		{"Domain Events", "events"},
		{"Host and Hypervisor", "host"},
		{"Networking", "network"},
		{"Virsh itself", "virsh"},
	}}
	for _, set := range [][]*CmdDef{
		domainCommands(), monitorCommands(), eventCommands(), hostCommands(), networkCommands(), shellCommands(),
	} {
		t.Cmds = append(t.Cmds, set...)
	}
	return t
}

// domainCommands are the "Domain Management" group, in virsh's order.
func domainCommands() []*CmdDef {
	return []*CmdDef{
		cmdAttachDevice(), cmdAttachDisk(), cmdAttachInterface(), cmdAutostart(), cmdBlkiotune(), cmdConsole(), cmdCPUStats(), cmdCreate(), cmdDefine(), cmdDesc(),
		cmdDestroy(), cmdDetachDevice(), cmdDetachDisk(), cmdDetachInterface(), cmdDomDisplay(), cmdDomHostname(), cmdDomid(), cmdDomIfSetLink(), cmdDomname(), cmdDomuuid(), cmdDomXMLFromNative(),
		cmdDumpXML(), cmdEdit(), cmdSendProcessSignal(), cmdEnterNamespace(),
		cmdMemtune(), cmdMetadata(), cmdReboot(), cmdResume(), cmdSchedinfo(), cmdSetmaxmem(), cmdSetmem(),
		cmdShutdown(), cmdStart(), cmdSuspend(), cmdTTYConsole(), cmdUndefine(), cmdUpdateDevice(),
	}
}

// monitorCommands are the "Domain Monitoring" group, in virsh's order,
// then top.
func monitorCommands() []*CmdDef {
	return []*CmdDef{cmdDomblklist(), cmdDomblkstat(), cmdDomIfGetLink(), cmdDomifaddr(), cmdDomiflist(), cmdDomifstat(), cmdDominfo(), cmdDommemstat(),
		cmdDomstate(), cmdDomstats(), cmdList(), cmdTop()}
}

func eventCommands() []*CmdDef { return []*CmdDef{cmdEvent()} }

func hostCommands() []*CmdDef {
	return []*CmdDef{cmdCapabilities(), cmdFreecell(), cmdFreepages(), cmdHostname(), cmdNodeMemoryTune(),
		cmdNodeCPUMap(), cmdNodeCPUStats(), cmdNodeinfo(), cmdNodeMemStats(), cmdNodeSuspend(), cmdSysinfo(), cmdURI(), cmdVersion()}
}

func shellCommands() []*CmdDef {
	return []*CmdDef{cmdCd(), cmdEcho(), cmdExit(), cmdHelp(), cmdPwd(), cmdQuit(), cmdConnect(), cmdCompletion()}
}
