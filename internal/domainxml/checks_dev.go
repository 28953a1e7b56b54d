package domainxml

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"virtlxc/internal/cparse"
	"virtlxc/internal/virerr"
)

// devices is ./devices/NAME over every <devices> element.
func devices(root *node, name string) []*node {
	var out []*node
	for _, d := range root.all("devices") {
		out = append(out, d.all(name)...)
	}
	return out
}

// firstAttr is string(./NAME/@ATTR): the attribute of the first NAME child
// that has it.
func firstAttr(n *node, name, attr string) (string, bool) {
	for _, c := range n.all(name) {
		if v, ok := c.attr(attr); ok {
			return v, v != ""
		}
	}
	return "", false
}

// parseFilesystems is virDomainFSDefParseXML for each <filesystem>.
func (p *parsed) parseFilesystems(root *node) error {
	for i, fs := range devices(root, "filesystem") {
		typ, err := propEnum(fs, "type", false, fsTypes...)
		if err != nil {
			return err
		}
		if typ == "" {
			typ = "mount"
		}
		if _, err := propEnum(fs, "accessmode", false, fsAccessModes...); err != nil {
			return err
		}
		for _, mode := range []string{"fmode", "dmode"} {
			if err := checkMode(fs, mode); err != nil {
				return err
			}
		}
		if _, err := propEnum(fs, "model", true, "default", "virtio", "virtio-transitional", "virtio-non-transitional"); err != nil {
			return err
		}
		if _, err := propEnum(fs, "multidevs", false, "default", "remap", "forbid", "warn"); err != nil {
			return err
		}
		for _, lim := range []string{"space_hard_limit", "space_soft_limit"} {
			el := fs.child(lim)
			b, _, err := parseScaled(el, "./"+lim+"[1]", nil, 1, math.MaxUint64)
			if err != nil {
				return err
			}
			// Kept in bytes, printed when set (virDomainFSDefFormat).
			for _, x := range fs.all(lim) {
				if x != el || b == 0 {
					removeChild(fs, x)
				}
			}
			if b > 0 {
				setText(el, strconv.FormatUint(b, 10))
				setAttr(el, "unit", "bytes")
			}
		}
		src := fs.child("source")
		sock, _ := src.attr("socket")
		source := ""
		switch typ {
		case "mount", "bind":
			source, _ = src.attr("dir")
		case "file":
			source, _ = src.attr("file")
		case "block":
			source, _ = src.attr("dev")
		case "template":
			source, _ = src.attr("name")
		}
		target, hasTarget := firstAttr(fs, "target", "dir")
		if drv := fs.child("driver"); drv != nil {
			if err := checkFSDriver(drv); err != nil {
				return err
			}
		}
		// libvirt takes source='' as given; the model cannot print it,
		// so it is refused as missing.
		if source == "" && sock == "" && typ != "ram" && typ != "volume" {
			if hasTarget {
				return domErr(virerr.ErrNoSource, "%s", target)
			}
			return domErr(virerr.ErrNoSource, "")
		}
		if typ == "ram" {
			usage, ok := src.attr("usage")
			if !ok {
				return xmlError("missing 'usage' attribute for RAM filesystem")
			}
			v, ok := cparse.ULL(usage)
			if !ok {
				return xmlError("cannot parse usage '%s' for RAM filesystem", usage)
			}
			units, _ := src.attr("units")
			if p.ramBytes[i], err = cparse.ScaleInteger(v, units, 1024, math.MaxUint64); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkMode is the fmode/dmode part of virDomainFSDefParseXML (octal).
func checkMode(fs *node, attr string) error {
	s, ok := fs.attr(attr)
	if !ok {
		return nil
	}
	v, neg, ok := cparse.NumberBase(s, 8)
	if !ok || neg || v > math.MaxUint32 {
		return virerr.New(virerr.ErrXMLError, virerr.FromXML,
			"Invalid value for attribute '%s' in element 'filesystem': '%s'. Expected non-negative integer value", attr, s)
	}
	if v > 0o777 {
		return xmlError("invalid %s: '0%o'", attr, v)
	}
	return nil
}

func checkFSDriver(drv *node) error {
	if _, err := propEnum(drv, "type", false, fsDrivers...); err != nil {
		return err
	}
	if _, err := propEnum(drv, "wrpolicy", false, "default", "immediate"); err != nil {
		return err
	}
	if f, ok := drv.attr("format"); ok && slices.Index(fsFormats, f) <= 0 {
		return domErr(virerr.ErrConfigUnsupported, "unknown driver format value '%s'", f)
	}
	for _, opt := range []string{"iommu", "ats", "packed", "page_per_vq"} {
		if _, err := propSwitch(drv, opt); err != nil {
			return err
		}
	}
	return nil
}

// netSourceAttr names the <source> attribute each interface type requires.
var netSourceAttr = map[string]string{
	"network": "network", "bridge": "bridge", "direct": "dev", "internal": "name", "vdpa": "dev",
	"vhostuser": "type", "client": "address", "mcast": "address", "udp": "address", "server": "",
}

// parseInterfaces is the part of virDomainNetDefParseXML an LXC domain can
// meet, in its order.
func (p *parsed) parseInterfaces(root *node) error {
	for _, n := range devices(root, "interface") {
		typ, err := propEnum(n, "type", false, netTypes...)
		if err != nil {
			return err
		}
		if typ == "" {
			typ = "user"
		}
		if _, err := propBool(n, "trustGuestRxFilters"); err != nil {
			return err
		}
		if model, ok := firstAttr(n, "model", "type"); ok && !knownNetModel(model) &&
			strings.Trim(model, netModelChars) != "" {
			return domErr(virerr.ErrInvalidArg, "Model name contains invalid characters")
		}
		src := n.child("source")
		if attr, needs := netSourceAttr[typ]; needs {
			if src == nil {
				return xmlError("interface type='%s' requires a 'source' element", typ)
			}
			// libvirt accepts an empty value, which the model cannot
			// print back; it is refused as missing.
			if v, _ := src.attr(attr); attr != "" && v == "" {
				return missingProp(src, attr)
			}
		}
		if n.child("virtualport") != nil && !slices.Contains([]string{"network", "bridge", "direct", "hostdev"}, typ) {
			return domErr(virerr.ErrConfigUnsupported, "<virtualport> element unsupported for <interface type='%s'>", typ)
		}
		managed, err := propBool(n.child("target"), "managed")
		if err != nil {
			return err
		}
		mac, err := parseMACElement(n.child("mac"))
		if err != nil {
			return err
		}
		if state, ok := firstAttr(n, "link", "state"); ok && state != "up" && state != "down" {
			return domErr(virerr.ErrConfigUnsupported, "unknown interface link state '%s'", state)
		}
		if err := parseGuestIPs(n, "guest interface"); err != nil {
			return err
		}
		model, _ := firstAttr(n, "model", "type")
		hostIP := len(src.all("ip")) > 0 || len(src.all("route")) > 0
		p.nets = append(p.nets, netInfo{typ: typ, mac: mac, managed: managed, model: model, hostIP: hostIP})
	}
	return nil
}

const netModelChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

var netModels = []string{"unknown", "netfront", "rtl8139", "virtio", "e1000", "e1000e",
	"virtio-transitional", "virtio-non-transitional", "usb-net", "spapr-vlan", "lan9118",
	"scm91c111", "vlance", "vmxnet", "vmxnet2", "vmxnet3", "Am79C970A", "Am79C973",
	"82540EM", "82545EM", "82543GC"}

func knownNetModel(m string) bool {
	return slices.ContainsFunc(netModels, func(k string) bool { return strings.EqualFold(k, m) })
}

// parseMACElement checks <mac>: its address (canonical, or "" when absent),
// type and check attributes.
func parseMACElement(m *node) (string, error) {
	if m == nil {
		return "", nil
	}
	mac := ""
	if addr, ok := m.attr("address"); ok {
		canon, ok := ParseMAC(addr)
		if !ok {
			return "", xmlError("unable to parse mac address '%s'", addr)
		}
		if b := hexVal(canon[0])<<4 | hexVal(canon[1]); b&1 != 0 {
			return "", xmlError("expected unicast mac address, found multicast '%s'", addr)
		}
		mac = canon
	}
	if _, err := propEnum(m, "type", true, "", "generated", "static"); err != nil {
		return "", err
	}
	_, err := propBool(m, "check")
	return mac, err
}

// parseConsoles is virDomainChrDefParseXML for each <console>.
func (p *parsed) parseConsoles(root *node) error {
	for _, c := range devices(root, "console") {
		if t, ok := c.attr("type"); ok && !slices.Contains(chrTypes, t) {
			return domErr(virerr.ErrConfigUnsupported, "unknown type presented to host for character device: %s", t)
		}
		tgt := c.child("target")
		if tt, ok := tgt.attr("type"); ok && !slices.Contains(consoleTargets, tt) {
			return domErr(virerr.ErrConfigUnsupported, "unknown target type '%s' specified for character device", tt)
		}
		if port, ok := tgt.attr("port"); ok {
			if _, ok := cparse.UI(port); !ok {
				return xmlError("Invalid port number: %s", port)
			}
		}
	}
	return nil
}

// parseIDMap is virDomainIdmapDefParseXML for ./idmap/uid and ./idmap/gid.
func (p *parsed) parseIDMap(root *node) error {
	for _, kind := range []string{"uid", "gid"} {
		var n int
		for _, im := range root.all("idmap") {
			for _, e := range im.all(kind) {
				for _, a := range []string{"start", "target", "count"} {
					v, ok := e.attr(a)
					if !ok || !ok2(cparse.UIP(v)) {
						return xmlError("invalid idmap start/target/count settings")
					}
				}
				n++
			}
		}
		if kind == "uid" {
			p.uidMaps = n
		} else {
			p.gidMaps = n
		}
	}
	return nil
}

// parseNamespaces is lxcDomainDefNamespaceParse (VIR_FROM_LXC): the
// children of <lxc:namespace>, in any namespace, by local name.
func (p *parsed) parseNamespaces(root *node) error {
	lxcErr := func(code virerr.Code, format string, args ...any) error {
		return virerr.New(code, virerr.FromLXC, format, args...)
	}
	for _, ns := range root.children {
		if ns.name.Space != LXCNamespaceURI || ns.name.Local != "namespace" {
			continue
		}
		for _, c := range ns.children {
			p.hasNamespace = true
			if !slices.Contains([]string{"sharenet", "shareipc", "shareuts"}, c.name.Local) {
				return lxcErr(virerr.ErrConfigUnsupported, "unsupported Namespace feature: %s", c.name.Local)
			}
			typ, ok := c.attr("type")
			if !ok {
				return lxcErr(virerr.ErrInternalError, "No lxc environment type specified")
			}
			if !slices.Contains([]string{"none", "name", "pid", "netns"}, typ) {
				return lxcErr(virerr.ErrInternalError, "Unknown LXC namespace source '%s'", typ)
			}
			if _, ok := c.attr("value"); !ok {
				// The same text as a missing type: a copy-paste
				// slip in libvirt.
				return lxcErr(virerr.ErrInternalError, "No lxc environment type specified")
			}
		}
	}
	return nil
}

// sortIDMap orders ranges by start as libvirt's qsort does.
func sortIDMap[T any](r []T, start func(T) uint) {
	sort.SliceStable(r, func(i, j int) bool { return start(r[i]) < start(r[j]) })
}
