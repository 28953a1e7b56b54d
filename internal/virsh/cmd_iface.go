package virsh

import (
	"errors"
	"fmt"
	"strings"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
)

// netTypes are virDomainNetType's names.
var netTypes = []string{"user", "ethernet", "vhostuser", "server", "client", "mcast", "network",
	"bridge", "internal", "direct", "hostdev", "udp", "vdpa", "null", "vds"}

// placementFlags reads --persistent, --config, --live and --current as
// attach-interface and detach-interface do: the flags, and whether
// --current or --persistent was given.
func placementFlags(pc *ParsedCmd) (flags uint32, err error) {
	for _, pair := range [][2]string{{"persistent", "current"}, {"current", "live"}, {"current", "config"}} {
		if err := pc.Exclusive(pair[0], pair[1]); err != nil {
			return 0, err
		}
	}
	if pc.Bool("config") || pc.Bool("persistent") {
		flags |= 2
	}
	if pc.Bool("live") {
		flags |= 1
	}
	return flags, nil
}

func placementOpts() []OptDef {
	return []OptDef{
		optBool("persistent", "make live change persistent"),
		optBool("config", "affect next boot"),
		optBool("live", "affect running domain"),
		optBool("current", "affect current domain"),
	}
}

// parseRate reads an --inbound/--outbound "average,peak,burst,floor".
func parseRate(s string) ([4]uint64, error) {
	var r [4]uint64
	tok := strings.Split(s, ",")
	if len(tok) > 4 {
		return r, cmdErrorf("Rate string '%s' has too many fields", s)
	}
	names := []string{"average", "peak", "burst", "floor"}
	for i, t := range tok {
		if t == "" {
			continue
		}
		v, err := ParseUint(t)
		if err != nil || strings.HasPrefix(strings.TrimSpace(t), "-") {
			return r, cmdErrorf("field '%s' is malformed", names[i])
		}
		r[i] = uint64(v)
	}
	return r, nil
}

func cmdAttachInterface() *CmdDef {
	str := func(name, help string) OptDef {
		return OptDef{Name: name, Type: OptString, NamedOnly: true, Help: help}
	}
	return &CmdDef{
		Name: "attach-interface", Group: "domain",
		Help: "attach network interface",
		Desc: "Attach new network interface.",
		Opts: append(append([]OptDef{optDomainFull(),
			{Name: "type", Type: OptData, Required: true, Help: "network interface type"},
			{Name: "source", Type: OptData, Required: true, Help: "source of network interface"},
			str("target", "target network name"), str("mac", "MAC address"),
			str("script", "script used to bridge network interface"), str("model", "model type"),
			str("alias", "custom alias name of interface device"),
			str("inbound", "control domain's incoming traffics"), str("outbound", "control domain's outgoing traffics"),
		}, placementOpts()...),
			optBool("print-xml", "print XML document rather than attach the interface"),
			optBool("managed", "libvirt will automatically detach/attach the device from/to host"),
			str("source-mode", "mode attribute of <source/> element")),
		Run: runAttachInterface,
	}
}

func runAttachInterface(s *Session, pc *ParsedCmd) error {
	if _, err := placementFlags(pc); err != nil {
		return err
	}
	val := func(name string) (string, bool) { v, ok, _ := pc.String(name); return v, ok }
	typ, _ := val("type")
	source, _ := val("source")
	known := false
	for _, t := range netTypes {
		known = known || t == typ
	}
	if !known {
		return cmdErrorf("No support for %s in command 'attach-interface'", typ)
	}
	if m, ok := val("source-mode"); ok && m != "server" && m != "client" {
		return cmdErrorf("Invalid source mode: %s", m)
	}
	inStr, hasIn := val("inbound")
	outStr, hasOut := val("outbound")
	var in, out [4]uint64
	var err error
	if hasIn {
		if in, err = parseRate(inStr); err != nil {
			return err
		}
		if in[0] == 0 && in[3] == 0 {
			return cmdErrorf("either inbound average or floor is mandatory")
		}
	}
	if hasOut {
		if out, err = parseRate(outStr); err != nil {
			return err
		}
		if out[0] == 0 {
			return cmdErrorf("outbound average is mandatory")
		}
		if out[3] != 0 {
			return cmdErrorf("outbound floor is unsupported yet")
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<interface type='%s'", typ)
	if pc.Bool("managed") {
		b.WriteString(" managed='yes'>\n")
	} else {
		b.WriteString(">\n")
	}
	switch typ {
	case "network", "bridge":
		fmt.Fprintf(&b, "  <source %s='%s'/>\n", typ, source)
	case "direct":
		fmt.Fprintf(&b, "  <source dev='%s'/>\n", source)
	case "vhostuser":
		mode, ok := val("source-mode")
		if !ok {
			return cmdErrorf("source-mode is mandatory")
		}
		fmt.Fprintf(&b, "  <source type='unix' path='%s' mode='%s'/>\n", source, mode)
	default:
		return cmdErrorf("No support for %s in command 'attach-interface'", typ)
	}
	for _, e := range []struct{ opt, format string }{
		{"target", "  <target dev='%s'/>\n"}, {"mac", "  <mac address='%s'/>\n"},
		{"script", "  <script path='%s'/>\n"}, {"model", "  <model type='%s'/>\n"}, {"alias", "  <alias name='%s'/>\n"},
	} {
		if v, ok := val(e.opt); ok {
			fmt.Fprintf(&b, e.format, v)
		}
	}
	if hasIn || hasOut {
		b.WriteString("  <bandwidth>\n")
		if hasIn && (in[0] != 0 || in[3] != 0) {
			b.WriteString("    <inbound")
			for i, n := range []string{"average", "peak", "burst", "floor"} {
				if in[i] > 0 {
					fmt.Fprintf(&b, " %s='%d'", n, in[i])
				}
			}
			b.WriteString("/>\n")
		}
		if hasOut && out[0] > 0 {
			fmt.Fprintf(&b, "    <outbound average='%d'", out[0])
			for i, n := range []string{"", "peak", "burst"} {
				if i > 0 && out[i] > 0 {
					fmt.Fprintf(&b, " %s='%d'", n, out[i])
				}
			}
			b.WriteString("/>\n")
		}
		b.WriteString("  </bandwidth>\n")
	}
	b.WriteString("</interface>\n")
	return attachBuilt(s, pc, b.String(), "interface", "Interface")
}

// attachBuilt prints a device element an attach-* command built
// (--print-xml), or attaches it where the placement options say.
func attachBuilt(s *Session, pc *ParsedCmd, xml, what, What string) error {
	if pc.Bool("print-xml") {
		s.print(xml)
		return nil
	}
	dom, flags, err := s.placement(pc)
	if err != nil {
		return err
	}
	if err := s.changeDevice(dom, xml, flags, pc.Bool("current"), false); err != nil {
		return failed(err, "Failed to attach %s", what)
	}
	s.printExtra("%s attached successfully\n", What)
	return nil
}

// isActive is virDomainIsActive == 1.
func (c *Conn) isActive(dom libvirt.Domain) bool {
	var ret libvirt.DomainIsActiveRet
	return c.call(proto.ProcDomainIsActive, &libvirt.DomainIsActiveArgs{Dom: dom}, &ret) == nil && ret.Active == 1
}

// child returns n's first element child named name.
func (n *xnode) child(name string) *xnode {
	for _, k := range n.kids {
		if c, ok := k.(*xnode); ok && c.name == name {
			return c
		}
	}
	return nil
}

// attr returns n's attribute name.
func (n *xnode) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if qualified(a.Name) == name {
			return a.Value, true
		}
	}
	return "", false
}

// devicesOf returns the <devices> children named kind of a domain XML.
func devicesOf(doc, kind string) ([]*xnode, error) {
	root, err := parseXNodesBlanks(doc, true)
	if err != nil {
		return nil, err
	}
	var out []*xnode
	if d := root.child("domain"); d != nil {
		if devs := d.child("devices"); devs != nil {
			for _, k := range devs.kids {
				if c, ok := k.(*xnode); ok && c.name == kind {
					out = append(out, c)
				}
			}
		}
	}
	return out, nil
}

func (n *xnode) String() string {
	var b strings.Builder
	n.dump(&b, 0)
	return b.String()
}

func cmdDetachInterface() *CmdDef {
	return &CmdDef{
		Name: "detach-interface", Group: "domain",
		Help: "detach network interface",
		Desc: "Detach network interface.",
		Opts: append(append([]OptDef{optDomainFull(),
			{Name: "type", Type: OptData, Required: true, Help: "network interface type"},
			{Name: "mac", Type: OptString, NamedOnly: true, Help: "MAC address"},
		}, placementOpts()...), optBool("print-xml", "print XML document rather than detach the interface")),
		Run: func(s *Session, pc *ParsedCmd) error {
			typ, _, _ := pc.String("type")
			mac, hasMAC, _ := pc.String("mac")
			find := func(doc string) (string, error) {
				nodes, err := devicesOf(doc, "interface")
				if err != nil {
					return "", cmdErrorf("Failed to get interface information")
				}
				var typed []*xnode
				for _, n := range nodes {
					if t, _ := n.attr("type"); t == typ {
						typed = append(typed, n)
					}
				}
				if len(typed) == 0 {
					return "", cmdErrorf("No interface found whose type is %s", typ)
				}
				if len(typed) > 1 && !hasMAC {
					return "", cmdErrorf("Domain has %d interfaces. Please specify which one to detach using --mac", len(typed))
				}
				match := typed[0]
				if hasMAC {
					match = nil
					for _, n := range typed {
						m := n.child("mac")
						if m == nil {
							continue
						}
						if a, _ := m.attr("address"); strings.EqualFold(a, mac) {
							if match != nil {
								return "", cmdErrorf("Domain has multiple interfaces matching MAC address %s. You must use detach-device and specify the device pci address to remove it.", mac)
							}
							match = n
						}
					}
					if match == nil {
						return "", cmdErrorf("No interface with MAC address %s was found", mac)
					}
				}
				return match.String(), nil
			}
			return s.detachFound(pc, find, "Failed to detach interface", "Interface detached successfully\n")
		},
	}
}

// detachFound is virsh's detach-interface/detach-disk flow: the device
// found in the config (with --config or --persistent) and/or in the live
// definition is detached from each.
func (s *Session) detachFound(pc *ParsedCmd, find func(doc string) (string, error), failMsg, done string) error {
	for _, pair := range [][2]string{{"persistent", "current"}, {"current", "live"}, {"current", "config"}} {
		if err := pc.Exclusive(pair[0], pair[1]); err != nil {
			return err
		}
	}
	dom, err := s.domainArg(pc, byAny)
	if err != nil {
		return err
	}
	current := pc.Bool("current")
	detach := func(xml string, flags uint32) error {
		if pc.Bool("print-xml") {
			s.print(xml)
			return nil
		}
		return s.changeDevice(dom, xml, flags, current, true)
	}
	fail := func(err error) error {
		var ce *CmdError
		if errors.As(err, &ce) && ce.cause == nil {
			return &CmdError{Lines: append(ce.Lines, failMsg)}
		}
		return failed(err, "%s", failMsg)
	}
	config := pc.Bool("config") || pc.Bool("persistent")
	if config {
		doc, err := s.conn.domainXML(dom, xmlInactive)
		if err != nil {
			return fail(err)
		}
		xml, err := find(doc)
		if err == nil {
			err = detach(xml, 2)
		}
		if err != nil {
			return fail(err)
		}
	}
	live := pc.Bool("live") || pc.Bool("persistent") && s.conn.isActive(dom)
	if !config || live {
		var flags uint32
		if live {
			flags = 1
		}
		doc, err := s.conn.domainXML(dom, 0)
		if err != nil {
			return fail(err)
		}
		xml, err := find(doc)
		if err == nil {
			err = detach(xml, flags)
		}
		if err != nil {
			return fail(err)
		}
	}
	if !pc.Bool("print-xml") {
		s.printExtra("%s", done)
	}
	return nil
}
