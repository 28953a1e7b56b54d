package domainxml

import (
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"

	"virtlxc/internal/cparse"
)

// normalizeInput rewrites, in the input tree, the numbers libvirt reads
// with its own syntax (C's strto* family: a leading '+', wrapping negative
// values, white space) so libvirtxml reads the value libvirt read. Values
// applyParsed and fillDevices set anyway are just made readable.
func normalizeInput(root *node, p *parsed) {
	if p.osType == "exe" {
		// virDomainDefParseBootOptions reads only the init options of an
		// exe domain: boot devices, loader, kernel, smbios... are dropped.
		for _, os := range root.all("os") {
			for _, c := range slices.Clone(os.children) {
				if !slices.Contains(exeOSElements, c.name.Local) {
					removeChild(os, c)
				}
			}
		}
	}
	for _, name := range []string{"memory", "currentMemory", "maxMemory", "vcpu"} {
		for _, el := range root.all(name) {
			setText(el, "0")
			dropAttr(el, "current")
			dropAttr(el, "slots")
		}
	}
	for _, mt := range root.all("memtune") {
		for _, el := range mt.children {
			setText(el, "0")
		}
	}
	for _, ct := range root.all("cputune") {
		for i, name := range cputuneNames {
			v := ""
			switch {
			case i == 0 && p.hasShares:
				v = strconv.FormatUint(p.shares, 10)
			case i%2 == 1 && p.periods[i/2] != 0:
				v = strconv.FormatUint(p.periods[i/2], 10)
			case i > 0 && i%2 == 0 && p.quotas[i/2-1] != 0:
				v = strconv.FormatInt(p.quotas[i/2-1], 10)
			}
			for _, el := range ct.all(name) {
				if v == "" {
					removeChild(ct, el) // an unset value is not printed
				} else {
					setText(el, v)
				}
			}
		}
	}
	for _, im := range root.all("idmap") {
		for _, e := range im.children {
			for i, a := range e.attrs {
				if v, ok := cparse.UIP(a.Value); ok && a.Name.Space == "" {
					e.attrs[i].Value = strconv.FormatUint(uint64(v), 10)
				}
			}
		}
	}
	for _, c := range devices(root, "console") {
		for _, t := range c.all("target") {
			dropAttr(t, "port") // consoles are numbered by position
		}
	}
	for _, fs := range devices(root, "filesystem") {
		for _, src := range fs.all("source") {
			if _, ok := src.attr("usage"); ok {
				setAttr(src, "usage", "0")
			}
		}
		for _, mode := range []string{"fmode", "dmode"} {
			if s, ok := fs.attr(mode); ok {
				v, _, _ := cparse.NumberBase(s, 8)
				if v == 0 {
					dropAttr(fs, mode)
				} else {
					setAttr(fs, mode, fmt.Sprintf("%04o", v))
				}
			}
		}
	}
}

// dropAliases removes the devices' <alias>es: virDomainDeviceInfoParseXML
// reads none in an inactive definition for a driver without user aliases
// (LXC), so only a status file keeps them.
func dropAliases(root *node) {
	for _, devs := range root.all("devices") {
		for _, dev := range devs.children {
			for _, a := range dev.all("alias") {
				removeChild(dev, a)
			}
		}
	}
}

// exeOSElements are the <os> children an exe domain keeps.
var exeOSElements = []string{"type", "init", "initarg", "initenv", "initdir", "inituser", "initgroup", "smbios"}

func setText(n *node, s string) {
	var parts []part
	for _, p := range n.parts {
		if p.elem != nil {
			parts = append(parts, p)
		}
	}
	n.text, n.parts = s, append(parts, part{text: s})
}

func setAttr(n *node, name, v string) {
	for i, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			n.attrs[i].Value = v
			return
		}
	}
	n.attrs = append(n.attrs, xml.Attr{Name: xml.Name{Local: name}, Value: v})
}

func dropAttr(n *node, name string) {
	kept := n.attrs[:0]
	for _, a := range n.attrs {
		if a.Name.Space != "" || a.Name.Local != name {
			kept = append(kept, a)
		}
	}
	n.attrs = kept
}

func removeChild(n, c *node) {
	var kids []*node
	for _, k := range n.children {
		if k != c {
			kids = append(kids, k)
		}
	}
	var parts []part
	for _, p := range n.parts {
		if p.elem != c {
			parts = append(parts, p)
		}
	}
	n.children, n.parts = kids, parts
}
