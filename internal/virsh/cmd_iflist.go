package virsh

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

func cmdDomiflist() *CmdDef {
	return &CmdDef{
		Name: "domiflist", Group: "monitor",
		Help: "list all domain virtual interfaces",
		Desc: "Get the summary of virtual interfaces for a domain.",
		Opts: []OptDef{
			optDomainFull(),
			optBool("inactive", "get inactive rather than running configuration"),
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			doc, err := s.domainDoc(pc)
			if err != nil {
				return err
			}
			rows, err := interfaceRows(doc)
			if err != nil {
				return cmdErrorf("%s", err)
			}
			t := NewTable("Interface", "Type", "Source", "Model", "MAC")
			for _, r := range rows {
				t.Add(r[0], r[1], r[2], r[3], r[4])
			}
			s.print(t.Render(!s.Quiet))
			return nil
		},
	}
}

// sourceAttrs are the <source> attributes virsh's domiflist shows, the
// first of them in document order (its XPath union).
var sourceAttrs = map[string]bool{"bridge": true, "dev": true, "network": true, "name": true, "path": true}

// interfaceRows reads each /domain/devices/interface of doc as virsh's
// domiflist shows it: target dev, type, source, model type, MAC, "-" for
// what is missing.
func interfaceRows(doc string) ([][5]string, error) {
	dec := xml.NewDecoder(strings.NewReader(doc))
	var rows [][5]string
	var path []string
	var cur *[5]string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			p := strings.Join(path, "/")
			attr := func(name string) string {
				for _, a := range t.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			switch {
			case p == "domain/devices/interface":
				rows = append(rows, [5]string{"", attr("type"), "", "", ""})
				cur = &rows[len(rows)-1]
			case cur == nil || len(path) != 4:
			case t.Name.Local == "target" && cur[0] == "":
				cur[0] = attr("dev")
			case t.Name.Local == "source" && cur[2] == "":
				for _, a := range t.Attr {
					if sourceAttrs[a.Name.Local] {
						cur[2] = a.Value
						break
					}
				}
			case t.Name.Local == "model" && cur[3] == "":
				cur[3] = attr("type")
			case t.Name.Local == "mac" && cur[4] == "":
				cur[4] = attr("address")
			}
		case xml.EndElement:
			if strings.Join(path, "/") == "domain/devices/interface" {
				for i := range cur {
					if cur[i] == "" && i != 1 {
						cur[i] = "-"
					}
				}
				cur = nil
			}
			path = path[:len(path)-1]
		}
	}
}

func cmdDomblklist() *CmdDef {
	return &CmdDef{
		Name: "domblklist", Group: "monitor",
		Help: "list all domain blocks",
		Desc: "Get the summary of block devices for a domain.",
		Opts: []OptDef{
			optDomainFull(),
			optBool("inactive", "get inactive rather than running configuration"),
			optBool("details", "additionally display the type and device value"),
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			doc, err := s.domainDoc(pc)
			if err != nil {
				return err
			}
			rows, err := diskRows(doc)
			if err != nil {
				return cmdErrorf("%s", err)
			}
			details := pc.Bool("details")
			t := NewTable("Target", "Source")
			if details {
				t = NewTable("Type", "Device", "Target", "Source")
			}
			for _, r := range rows {
				if details {
					t.Add(r[0], r[1], r[2], r[3])
				} else {
					t.Add(r[2], r[3])
				}
			}
			s.print(t.Render(!s.Quiet))
			return nil
		},
	}
}

// diskSourceAttrs are the <source> attributes virsh's domblklist shows,
// the first of them in document order.
var diskSourceAttrs = map[string]bool{"file": true, "dev": true, "dir": true, "name": true, "volume": true}

// diskRows reads each /domain/devices/disk of doc as virsh's domblklist
// shows it: type, device, target dev, source ("-" for none).
func diskRows(doc string) ([][4]string, error) {
	var x struct {
		Disks []struct {
			Type   string `xml:"type,attr"`
			Device string `xml:"device,attr"`
			Target struct {
				Dev string `xml:"dev,attr"`
			} `xml:"target"`
			Source struct {
				Attrs []xml.Attr `xml:",any,attr"`
			} `xml:"source"`
		} `xml:"devices>disk"`
	}
	if err := xml.Unmarshal([]byte(doc), &x); err != nil {
		return nil, err
	}
	var rows [][4]string
	for _, d := range x.Disks {
		src := "-"
		for _, a := range d.Source.Attrs {
			if diskSourceAttrs[a.Name.Local] {
				src = a.Value
				break
			}
		}
		if d.Device == "" {
			d.Device = "disk"
		}
		rows = append(rows, [4]string{d.Type, d.Device, d.Target.Dev, src})
	}
	return rows, nil
}

// domainDoc is the XML of the command's domain, the inactive definition
// with --inactive.
func (s *Session) domainDoc(pc *ParsedCmd) (string, error) {
	var flags uint32
	if pc.Bool("inactive") {
		flags = xmlInactive
	}
	dom, err := s.domainArg(pc, byAny)
	if err != nil {
		return "", err
	}
	doc, err := s.conn.domainXML(dom, flags)
	if err != nil {
		return "", failed(err, "Failed to get domain '%s' XML", dom.Name)
	}
	return doc, nil
}

func cmdTTYConsole() *CmdDef {
	return &CmdDef{
		Name: "ttyconsole", Group: "domain",
		Help: "tty console",
		Desc: "Output the device for the TTY console.",
		Opts: []OptDef{optDomainFull()},
		Run: func(s *Session, pc *ParsedCmd) error {
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			doc, err := s.conn.domainXML(dom, 0)
			if err != nil {
				return failed(err, "Failed to get domain '%s' XML", dom.Name)
			}
			// string(/domain/devices/console/@tty): the first console's;
			// none fails without a word.
			var x struct {
				Consoles []struct {
					TTY string `xml:"tty,attr"`
				} `xml:"devices>console"`
			}
			tty := ""
			if err := xml.Unmarshal([]byte(doc), &x); err == nil && len(x.Consoles) > 0 {
				tty = x.Consoles[0].TTY
			}
			if tty == "" {
				return silentFailure()
			}
			s.print(tty + "\n")
			return nil
		},
	}
}

func cmdDomDisplay() *CmdDef {
	return &CmdDef{
		Name: "domdisplay", Group: "domain",
		Help: "domain display connection URI",
		Desc: "Output the IP address and port number for the graphical display.",
		Opts: []OptDef{
			optDomainFull(),
			optBool("include-password", "includes the password into the connection URI if available"),
			{Name: "type", Type: OptString, NamedOnly: true, Help: `select particular graphical display (e.g. "vnc", "spice", "rdp", "dbus")`},
			optBool("all", "show all possible graphical displays"),
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			// A container has no graphics (the driver refuses them).
			if !s.conn.isActive(dom) {
				return cmdErrorf("Domain is not running")
			}
			return cmdErrorf("No graphical display found")
		},
	}
}
