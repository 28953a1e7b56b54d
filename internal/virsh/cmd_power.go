package virsh

import (
	"strings"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
)

// Shutdown and reboot mode flags (virDomainShutdownFlagValues and
// virDomainRebootFlagValues share them).
var modeFlags = []struct {
	name string
	bit  uint32
}{{"acpi", 1}, {"agent", 2}, {"initctl", 4}, {"signal", 8}, {"paravirt", 16}}

// parseModes parses --mode's comma list; expect is virsh's list of valid
// words, which it spells differently for shutdown and reboot.
func parseModes(pc *ParsedCmd, expect string) (uint32, error) {
	mode, given, err := pc.String("mode")
	if err != nil || !given {
		return 0, err
	}
	var flags uint32
next:
	for _, m := range strings.Split(mode, ",") {
		for _, f := range modeFlags {
			if m == f.name {
				flags |= f.bit
				continue next
			}
		}
		return 0, cmdErrorf("Unknown mode %s value, expecting %s", m, expect)
	}
	return flags, nil
}

func optMode() OptDef {
	return OptDef{Name: "mode", Type: OptString, Complete: CompleteMode, Help: "shutdown mode: acpi|agent|initctl|signal|paravirt"}
}

func cmdShutdown() *CmdDef {
	return &CmdDef{
		Name: "shutdown", Group: "domain",
		Help: "gracefully shutdown a domain",
		Desc: "Run shutdown in the target domain.",
		Opts: []OptDef{optDomainFull(), optMode()},
		Run: func(s *Session, pc *ParsedCmd) error {
			flags, err := parseModes(pc, "'acpi', 'agent', 'initctl', 'signal', or 'paravirt'")
			if err != nil {
				return err
			}
			name, _, _ := pc.String("domain")
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			if flags != 0 {
				err = s.conn.call(proto.ProcDomainShutdownFlags, &libvirt.DomainShutdownFlagsArgs{Dom: dom, Flags: libvirt.DomainShutdownFlagValues(flags)}, nil)
			} else {
				err = s.conn.call(proto.ProcDomainShutdown, &libvirt.DomainShutdownArgs{Dom: dom}, nil)
			}
			if err != nil {
				return failed(err, "Failed to shutdown domain '%s'", name)
			}
			s.printExtra("Domain '%s' is being shutdown\n", name)
			return nil
		},
	}
}

func cmdReboot() *CmdDef {
	return &CmdDef{
		Name: "reboot", Group: "domain",
		Help: "reboot a domain",
		Desc: "Run a reboot command in the target domain.",
		Opts: []OptDef{optDomainFull(), optMode()},
		Run: func(s *Session, pc *ParsedCmd) error {
			flags, err := parseModes(pc, "'acpi', 'agent', 'initctl', 'signal' or 'paravirt'")
			if err != nil {
				return err
			}
			name, _, _ := pc.String("domain")
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			if err := s.conn.call(proto.ProcDomainReboot, &libvirt.DomainRebootArgs{Dom: dom, Flags: libvirt.DomainRebootFlagValues(flags)}, nil); err != nil {
				return failed(err, "Failed to reboot domain '%s'", name)
			}
			s.printExtra("Domain '%s' is being rebooted\n", name)
			return nil
		},
	}
}

func cmdDestroy() *CmdDef {
	return &CmdDef{
		Name: "destroy", Group: "domain",
		Help: "destroy (stop) a domain",
		Desc: "Forcefully stop a given domain, but leave its resources intact.",
		Opts: []OptDef{
			optDomainFull(),
			optBool("graceful", "terminate gracefully"),
			optBool("remove-logs", "remove domain logs"),
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			name, _, _ := pc.String("domain")
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			var flags uint32
			if pc.Bool("graceful") {
				flags |= 1
			}
			if pc.Bool("remove-logs") {
				flags |= 2
			}
			if flags != 0 {
				err = s.conn.call(proto.ProcDomainDestroyFlags, &libvirt.DomainDestroyFlagsArgs{Dom: dom, Flags: libvirt.DomainDestroyFlagsValues(flags)}, nil)
			} else {
				err = s.conn.call(proto.ProcDomainDestroy, &libvirt.DomainDestroyArgs{Dom: dom}, nil)
			}
			if err != nil {
				return failed(err, "Failed to destroy domain '%s'", name)
			}
			s.printExtra("Domain '%s' destroyed\n", name)
			return nil
		},
	}
}

// simpleDomainCmd is a command that makes one call on a domain and prints
// one message (suspend, resume).
func simpleDomainCmd(name, help, desc string, proc uint32, done, fail string) *CmdDef {
	return &CmdDef{
		Name: name, Group: "domain", Help: help, Desc: desc,
		Opts: []OptDef{optDomainFull()},
		Run: func(s *Session, pc *ParsedCmd) error {
			arg, _, _ := pc.String("domain")
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			if err := s.conn.call(proc, &libvirt.DomainSuspendArgs{Dom: dom}, nil); err != nil {
				return failed(err, fail, arg)
			}
			s.printExtra(done+"\n", arg)
			return nil
		},
	}
}

func cmdSuspend() *CmdDef {
	return simpleDomainCmd("suspend", "suspend a domain", "Suspend a running domain.",
		proto.ProcDomainSuspend, "Domain '%s' suspended", "Failed to suspend domain '%s'")
}

func cmdResume() *CmdDef {
	return simpleDomainCmd("resume", "resume a domain", "Resume a previously suspended domain.",
		proto.ProcDomainResume, "Domain '%s' resumed", "Failed to resume domain '%s'")
}

func cmdAutostart() *CmdDef {
	return &CmdDef{
		Name: "autostart", Group: "domain",
		Help: "autostart a domain",
		Desc: "Configure a domain to be automatically started at boot.",
		Opts: []OptDef{optDomainFull(), optBool("disable", "disable autostarting")},
		Run: func(s *Session, pc *ParsedCmd) error {
			name, _, _ := pc.String("domain")
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			enable := !pc.Bool("disable")
			var v int32
			if enable {
				v = 1
			}
			if err := s.conn.call(proto.ProcDomainSetAutostart, &libvirt.DomainSetAutostartArgs{Dom: dom, Autostart: v}, nil); err != nil {
				if enable {
					return failed(err, "Failed to mark domain '%s' as autostarted", name)
				}
				return failed(err, "Failed to unmark domain '%s' as autostarted", name)
			}
			if enable {
				s.printExtra("Domain '%s' marked as autostarted\n", name)
			} else {
				s.printExtra("Domain '%s' unmarked as autostarted\n", name)
			}
			return nil
		},
	}
}
