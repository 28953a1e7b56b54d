package virsh

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// attach-disk builds a <disk> element from its options as virsh 9.0 does
// (its --print-xml output is the reference) and attaches it; detach-disk
// takes one away by its target.

func cmdAttachDisk() *CmdDef {
	str := func(name, help string) OptDef {
		return OptDef{Name: name, Type: OptString, NamedOnly: true, Help: help}
	}
	return &CmdDef{
		Name: "attach-disk", Group: "domain",
		Help: "attach disk device",
		Desc: "Attach new disk device.",
		Opts: append([]OptDef{optDomainFull(),
			{Name: "source", Type: OptData, Required: true, Help: "source of disk device or name of network disk"},
			{Name: "target", Type: OptData, Required: true, Help: "target of disk device"},
			str("targetbus", "target bus of disk device"), str("driver", "driver of disk device"),
			str("subdriver", "subdriver of disk device"), str("iothread", "IOThread to be used by supported device"),
			str("cache", "cache mode of disk device"), str("io", "io policy of disk device"),
			str("type", "target device type"), str("mode", "mode of device reading and writing"),
			str("sourcetype", "type of source (block|file|network)"), str("serial", "serial of disk device"),
			str("wwn", "wwn of disk device"), str("alias", "custom alias name of disk device"),
			optBool("rawio", "needs rawio capability"), str("address", "address of disk device"),
			optBool("multifunction", "use multifunction pci under specified address"),
			optBool("print-xml", "print XML document rather than attach the disk"),
			str("source-protocol", "protocol used by disk device source"),
			str("source-host-name", "host name for source of disk device"),
			str("source-host-transport", "host transport for source of disk device"),
			str("source-host-socket", "host socket for source of disk device"),
		}, placementOpts()...),
		Run: runAttachDisk,
	}
}

func runAttachDisk(s *Session, pc *ParsedCmd) error {
	if _, err := placementFlags(pc); err != nil {
		return err
	}
	for _, req := range [][2]string{{"source-host-name", "source-protocol"}, {"source-host-transport", "source-protocol"},
		{"source-host-socket", "source-host-transport"}} {
		if pc.Bool(req[0]) && !pc.Bool(req[1]) {
			return cmdErrorf("Option --%s is required by option --%s", req[1], req[0])
		}
	}
	if err := pc.Exclusive("source-host-name", "source-host-socket"); err != nil {
		return err
	}
	val := func(name string) string { v, _, _ := pc.String(name); return v }
	source, target := val("source"), val("target")
	srcType := val("sourcetype")
	switch srcType {
	case "", "file", "block", "network":
	default:
		return cmdErrorf("Unknown source type: '%s'", srcType)
	}
	protocol := val("source-protocol")
	if (protocol != "" || srcType == "network") && (srcType != "" && srcType != "network" || protocol == "") {
		return cmdErrorf("--source-protocol option requires --sourcetype network")
	}
	if protocol != "" {
		srcType = "network"
	}
	if srcType == "" {
		srcType = "file"
		if isBlockDevice(source) {
			srcType = "block"
		}
	}
	mode := val("mode")
	if mode != "" && mode != "readonly" && mode != "shareable" {
		return cmdErrorf("No support for %s in command 'attach-disk'", mode)
	}
	wwn := val("wwn")
	if wwn != "" && !validWWN(wwn) {
		return cmdErrorf("internal error: Malformed wwn: %s", wwn)
	}
	address := ""
	if a := val("address"); a != "" {
		var err error
		if address, err = diskAddress(a, target, pc.Bool("multifunction")); err != nil {
			return err
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<disk type='%s'", srcType)
	if t := val("type"); t != "" {
		fmt.Fprintf(&b, " device='%s'", t)
	}
	if pc.Bool("rawio") {
		b.WriteString(" rawio='yes'")
	}
	b.WriteString(">\n")
	var drv []string
	for _, a := range [][2]string{{"name", "driver"}, {"type", "subdriver"}, {"iothread", "iothread"}, {"cache", "cache"}, {"io", "io"}} {
		if v := val(a[1]); v != "" {
			drv = append(drv, fmt.Sprintf("%s='%s'", a[0], v))
		}
	}
	if len(drv) > 0 {
		fmt.Fprintf(&b, "  <driver %s/>\n", strings.Join(drv, " "))
	}
	switch srcType {
	case "file":
		fmt.Fprintf(&b, "  <source file='%s'/>\n", source)
	case "block":
		fmt.Fprintf(&b, "  <source dev='%s'/>\n", source)
	default:
		fmt.Fprintf(&b, "  <source protocol='%s' name='%s'", protocol, source)
		if host := diskHost(val("source-host-name"), val("source-host-transport"), val("source-host-socket")); host != "" {
			fmt.Fprintf(&b, ">\n    %s\n  </source>\n", host)
		} else {
			b.WriteString("/>\n")
		}
	}
	fmt.Fprintf(&b, "  <target dev='%s'", target)
	if bus := val("targetbus"); bus != "" {
		fmt.Fprintf(&b, " bus='%s'", bus)
	}
	b.WriteString("/>\n")
	if mode != "" {
		fmt.Fprintf(&b, "  <%s/>\n", mode)
	}
	if v := val("serial"); v != "" {
		fmt.Fprintf(&b, "  <serial>%s</serial>\n", v)
	}
	if v := val("alias"); v != "" {
		fmt.Fprintf(&b, "  <alias name='%s'/>\n", v)
	}
	if wwn != "" {
		fmt.Fprintf(&b, "  <wwn>%s</wwn>\n", wwn)
	}
	b.WriteString(address)
	b.WriteString("</disk>\n")
	return attachBuilt(s, pc, b.String(), "disk", "Disk")
}

// diskHost is the <host> of a network disk source ("" for none): name
// with an optional :port, or a transport and its socket.
func diskHost(name, transport, socket string) string {
	if name == "" && transport == "" {
		return ""
	}
	var attrs []string
	if transport != "" {
		attrs = append(attrs, fmt.Sprintf("transport='%s'", transport))
	}
	if name != "" {
		host, port, hasPort := strings.Cut(name, ":")
		attrs = append(attrs, fmt.Sprintf("name='%s'", host))
		if hasPort {
			attrs = append(attrs, fmt.Sprintf("port='%s'", port))
		}
	}
	if socket != "" {
		attrs = append(attrs, fmt.Sprintf("socket='%s'", socket))
	}
	return "<host " + strings.Join(attrs, " ") + "/>"
}

// validWWN is virValidateWWN: 16 hex digits, after an optional 0x.
func validWWN(w string) bool {
	w = strings.TrimPrefix(strings.TrimPrefix(w, "0x"), "0X")
	if len(w) != 16 {
		return false
	}
	_, err := strconv.ParseUint(w, 16, 64)
	return err == nil
}

// diskAddress reads --address TYPE:FIELDS (str2DiskAddress) and checks
// it fits the target's kind, as virsh's attach-disk: vd disks take pci
// or ccw, sd disks scsi, usb or sata, hd disks ide; other targets any.
// It returns the <address> element.
func diskAddress(a, target string, multifunction bool) (string, error) {
	typ, rest, ok := strings.Cut(a, ":")
	fields := strings.Split(rest, ".")
	num := func(n, base int) ([]uint64, bool) {
		if len(fields) < n {
			return nil, false
		}
		out := make([]uint64, n)
		for i := 0; i < n; i++ {
			v, err := strconv.ParseUint(fields[i], base, 32)
			if err != nil {
				return nil, false
			}
			out[i] = v
		}
		return out, true
	}
	var elem string
	switch typ {
	case "pci":
		v, good := num(4, 16)
		ok = ok && good
		if ok {
			elem = fmt.Sprintf("<address type='pci' domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'", v[0], v[1], v[2], v[3])
			if multifunction {
				elem += " multifunction='on'"
			}
			elem += "/>"
		}
	case "ccw":
		v, good := num(3, 16)
		ok = ok && good
		if ok {
			elem = fmt.Sprintf("<address type='ccw' cssid='0x%02x' ssid='0x%x' devno='0x%04x'/>", v[0], v[1], v[2])
		}
	case "scsi", "sata", "ide":
		v, good := num(3, 10)
		ok = ok && good
		if ok {
			elem = fmt.Sprintf("<address type='drive' controller='%d' bus='%d' unit='%d'/>", v[0], v[1], v[2])
		}
	case "usb":
		v, good := num(2, 10)
		ok = ok && good
		if ok {
			elem = fmt.Sprintf("<address type='usb' bus='%d' port='%d'/>", v[0], v[1])
		}
	default:
		ok = false
	}
	if !ok {
		return "", cmdErrorf("Invalid address.")
	}
	allowed := map[string]string{
		"vd": "pci ccw", "sd": "scsi usb sata", "hd": "ide",
	}
	msgs := map[string]string{
		"vd": "expecting a pci:0000.00.00.00 or ccw:00.0.0000 address.",
		"sd": "expecting a scsi:00.00.00 or usb:00.00 or sata:00.00.00 address.",
		"hd": "expecting an ide:00.00.00 address.",
	}
	for prefix, types := range allowed {
		if strings.HasPrefix(target, prefix) && !strings.Contains(" "+types+" ", " "+typ+" ") {
			return "", cmdErrorf("%s", msgs[prefix])
		}
	}
	return "  " + elem + "\n", nil
}

// isBlockDevice reports whether path is a block device.
func isBlockDevice(path string) bool {
	var st unix.Stat_t
	return unix.Stat(path, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFBLK
}

func cmdDetachDisk() *CmdDef {
	return &CmdDef{
		Name: "detach-disk", Group: "domain",
		Help: "detach disk device",
		Desc: "Detach disk device.",
		Opts: append(append([]OptDef{optDomainFull(),
			{Name: "target", Type: OptData, Required: true, Help: "target of disk device"},
		}, placementOpts()...), optBool("print-xml", "print XML document rather than detach the disk")),
		Run: func(s *Session, pc *ParsedCmd) error {
			target, _, _ := pc.String("target")
			find := func(doc string) (string, error) {
				nodes, err := devicesOf(doc, "disk")
				if err != nil || len(nodes) == 0 {
					return "", cmdErrorf("Failed to get disk information")
				}
				for _, n := range nodes {
					t := n.child("target")
					src := n.child("source")
					if t != nil {
						if dev, _ := t.attr("dev"); dev == target {
							return n.String(), nil
						}
					}
					if src != nil {
						for _, a := range []string{"file", "dev", "dir", "name"} {
							if v, _ := src.attr(a); v != "" && v == target {
								return n.String(), nil
							}
						}
					}
				}
				return "", cmdErrorf("No disk found whose source path or target is %s", target)
			}
			dom, flags, err := s.placement(pc)
			if err != nil {
				return err
			}
			var query uint32
			if flags == 2 {
				query = xmlInactive
			}
			doc, err := s.conn.domainXML(dom, query)
			if err != nil {
				return err
			}
			xml, err := find(doc)
			if err != nil {
				return err
			}
			if pc.Bool("print-xml") {
				s.print(xml)
				return nil
			}
			if err := s.changeDevice(dom, xml, flags, pc.Bool("current"), true); err != nil {
				return failed(err, "Failed to detach disk")
			}
			s.printExtra("Disk detached successfully\n")
			return nil
		},
	}
}
