package virsh

import (
	"fmt"
	"strings"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
)

// cString converts a NUL-terminated char array as libvirt sends it.
func cString(chars []int8) string {
	b := make([]byte, 0, len(chars))
	for _, c := range chars {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}

func cmdDominfo() *CmdDef {
	return &CmdDef{
		Name: "dominfo", Group: "monitor",
		Help: "domain information",
		Desc: "Returns basic information about the domain.",
		Opts: []OptDef{optDomainFull()},
		Run:  runDominfo,
	}
}

// uintMax is C's UINT_MAX, which dominfo compares the maximum memory to.
const uintMax = 1<<32 - 1

func runDominfo(s *Session, pc *ParsedCmd) error {
	dom, err := s.domainArg(pc, byAny)
	if err != nil {
		return err
	}
	c := s.conn
	line := func(label, format string, args ...any) {
		s.printf("%-15s %s\n", label, fmt.Sprintf(format, args...))
	}
	line("Id:", "%s", idString(dom))
	line("Name:", "%s", dom.Name)
	line("UUID:", "%s", formatUUID(dom.UUID))
	var ostype libvirt.DomainGetOsTypeRet
	if c.call(proto.ProcDomainGetOSType, &libvirt.DomainGetOsTypeArgs{Dom: dom}, &ostype) == nil {
		line("OS Type:", "%s", ostype.Type)
	}
	var result error
	if info, err := c.domainInfo(dom); err == nil {
		line("State:", "%s", StateString(int(info.State)))
		line("CPU(s):", "%d", info.NrVirtCPU)
		if info.CPUTime != 0 {
			line("CPU time:", "%.1fs", float64(info.CPUTime)/1e9)
		}
		if info.MaxMem != uintMax {
			line("Max memory:", "%d KiB", info.MaxMem)
		} else {
			line("Max memory:", "no limit")
		}
		line("Used memory:", "%d KiB", info.Memory)
	} else {
		result = err
	}
	var pers libvirt.DomainIsPersistentRet
	switch err := c.call(proto.ProcDomainIsPersistent, &libvirt.DomainIsPersistentArgs{Dom: dom}, &pers); {
	case err != nil:
		line("Persistent:", "unknown")
	default:
		line("Persistent:", "%s", yesNo(pers.Persistent != 0))
	}
	var auto libvirt.DomainGetAutostartRet
	if c.call(proto.ProcDomainGetAutostart, &libvirt.DomainGetAutostartArgs{Dom: dom}, &auto) == nil {
		if auto.Autostart != 0 {
			line("Autostart:", "enable")
		} else {
			line("Autostart:", "disable")
		}
	}
	var ms libvirt.DomainHasManagedSaveImageRet
	if err := c.call(proto.ProcDomainHasManagedSaveImage, &libvirt.DomainHasManagedSaveImageArgs{Dom: dom}, &ms); err != nil {
		line("Managed save:", "unknown")
	} else {
		line("Managed save:", "%s", yesNo(ms.Result != 0))
	}
	var model libvirt.NodeGetSecurityModelRet
	if err := c.call(proto.ProcNodeGetSecurityModel, nil, &model); err != nil {
		if !isNoSupport(err) {
			return err
		}
	} else if m := cString(model.Model); m != "" {
		line("Security model:", "%s", m)
		line("Security DOI:", "%s", cString(model.Doi))
		var label libvirt.DomainGetSecurityLabelRet
		if err := c.call(proto.ProcDomainGetSecurityLabel, &libvirt.DomainGetSecurityLabelArgs{Dom: dom}, &label); err != nil {
			return err
		}
		if l := cString(label.Label); l != "" {
			mode := "permissive"
			if label.Enforcing != 0 {
				mode = "enforcing"
			}
			line("Security label:", "%s (%s)", l, mode)
		}
	}
	var msgs libvirt.DomainGetMessagesRet
	if c.call(proto.ProcDomainGetMessages, &libvirt.DomainGetMessagesArgs{Dom: dom}, &msgs) == nil {
		for i, m := range msgs.Msgs {
			label := ""
			if i == 0 {
				label = "Messages:"
			}
			line(label, "%s", m)
		}
	}
	return result
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func cmdDomstate() *CmdDef {
	return &CmdDef{
		Name: "domstate", Group: "monitor",
		Help: "domain state",
		Desc: "Returns state about a domain.",
		Opts: []OptDef{optDomainFull(), optBool("reason", "also print reason for the state")},
		Run: func(s *Session, pc *ParsedCmd) error {
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			state, reason, err := s.conn.domainState(dom)
			if err != nil {
				return err
			}
			if pc.Bool("reason") {
				s.printf("%s (%s)\n", StateString(state), ReasonString(state, reason))
			} else {
				s.printf("%s\n", StateString(state))
			}
			return nil
		},
	}
}

func cmdDomid() *CmdDef {
	return &CmdDef{
		Name: "domid", Group: "domain",
		Help: "convert a domain name or UUID to domain id",
		Opts: []OptDef{optDomain("domain name or uuid")},
		Run: func(s *Session, pc *ParsedCmd) error {
			dom, err := s.domainArg(pc, byName|byUUID)
			if err != nil {
				return err
			}
			s.printf("%s\n", idString(dom))
			return nil
		},
	}
}

func cmdDomname() *CmdDef {
	return &CmdDef{
		Name: "domname", Group: "domain",
		Help: "convert a domain id or UUID to domain name",
		Opts: []OptDef{optDomain("domain id or uuid")},
		Run: func(s *Session, pc *ParsedCmd) error {
			dom, err := s.domainArg(pc, byID|byUUID)
			if err != nil {
				return err
			}
			s.printf("%s\n", dom.Name)
			return nil
		},
	}
}

func cmdDomuuid() *CmdDef {
	return &CmdDef{
		Name: "domuuid", Group: "domain",
		Help: "convert a domain name or id to domain UUID",
		Opts: []OptDef{optDomain("domain id or name")},
		Run: func(s *Session, pc *ParsedCmd) error {
			dom, err := s.domainArg(pc, byID|byName)
			if err != nil {
				return err
			}
			s.printf("%s\n", formatUUID(dom.UUID))
			return nil
		},
	}
}

// Domain XML flags (virDomainXMLFlags).
const (
	xmlSecure     = 1
	xmlInactive   = 2
	xmlUpdateCPU  = 4
	xmlMigratable = 8
)

func cmdDumpXML() *CmdDef {
	return &CmdDef{
		Name: "dumpxml", Group: "domain",
		Help: "domain information in XML",
		Desc: "Output the domain information as an XML dump to stdout.",
		Opts: []OptDef{
			optDomainFull(),
			optBool("inactive", "show inactive defined XML"),
			optBool("security-info", "include security sensitive information in XML dump"),
			optBool("update-cpu", "update guest CPU according to host CPU"),
			optBool("migratable", "provide XML suitable for migrations"),
			{Name: "xpath", Type: OptString, NamedOnly: true, Help: "xpath expression to filter the XML document"},
			optBool("wrap", "wrap xpath results in an common root element"),
		},
		Run: runDumpXML,
	}
}

func runDumpXML(s *Session, pc *ParsedCmd) error {
	var flags uint32
	for name, bit := range map[string]uint32{"inactive": xmlInactive, "security-info": xmlSecure, "update-cpu": xmlUpdateCPU, "migratable": xmlMigratable} {
		if pc.Bool(name) {
			flags |= bit
		}
	}
	xpath, hasXPath, err := pc.String("xpath")
	if err != nil {
		return err
	}
	dom, err := s.domainArg(pc, byAny)
	if err != nil {
		return err
	}
	xml, err := s.conn.domainXML(dom, flags)
	if err != nil {
		return err
	}
	if hasXPath {
		out, err := filterXPath(xml, xpath, pc.Bool("wrap"))
		if err != nil {
			return err
		}
		s.print(out)
		return nil
	}
	s.print(xml)
	return nil
}

func (c *Conn) domainXML(dom libvirt.Domain, flags uint32) (string, error) {
	var ret libvirt.DomainGetXMLDescRet
	err := c.call(proto.ProcDomainGetXMLDesc, &libvirt.DomainGetXMLDescArgs{Dom: dom, Flags: libvirt.DomainXMLFlags(flags)}, &ret)
	return ret.XML, err
}

// filterXPath supports the simple location paths people use with
// "dumpxml --xpath": /a/b/c, //name, and a trailing /@attr or /text().
func filterXPath(doc, expr string, wrap bool) (string, error) {
	level := 0
	if wrap {
		level = 1
	}
	nodes, err := evalXPath(doc, expr, level)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if wrap {
		b.WriteString("<nodes>\n")
	}
	for _, n := range nodes {
		if wrap {
			b.WriteString("  ")
		}
		b.WriteString(n)
		b.WriteString("\n")
	}
	if wrap {
		b.WriteString("</nodes>\n")
	}
	return b.String(), nil
}
