package domainxml

import (
	"crypto/rand"
	"fmt"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// oneOf reports whether v is empty or one of the allowed words.
func oneOf(v string, allowed ...string) bool {
	if v == "" {
		return true
	}
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// checkEnums rejects the enumerated values libvirt's parser does not know,
// with its "unknown ..." wording.
func checkEnums(d *Domain) error {
	actions := []struct{ elem, val string }{
		{"on_poweroff", d.OnPoweroff}, {"on_reboot", d.OnReboot}, {"on_crash", d.OnCrash},
	}
	for _, a := range actions {
		allowed := []string{"destroy", "restart", "rename-restart", "preserve"}
		if a.elem == "on_crash" {
			allowed = append(allowed, "coredump-destroy", "coredump-restart")
		}
		if !oneOf(a.val, allowed...) {
			return xmlError("Invalid value '%s' for element '%s'", a.val, a.elem)
		}
	}
	if d.Clock != nil && !oneOf(d.Clock.Offset, "utc", "localtime", "timezone", "variable", "absolute") {
		return xmlError("unknown clock offset '%s'", d.Clock.Offset)
	}
	if d.Features != nil && d.Features.Capabilities != nil &&
		!oneOf(d.Features.Capabilities.Policy, "default", "allow", "deny") {
		return xmlError("Invalid value '%s' for attribute 'policy' in element 'capabilities'", d.Features.Capabilities.Policy)
	}
	if d.VCPU != nil && !oneOf(d.VCPU.Placement, "static", "auto") {
		return xmlError("Unsupported CPU placement mode '%s'", d.VCPU.Placement)
	}
	if d.Devices == nil {
		return nil
	}
	for _, fs := range d.Devices.Filesystems {
		if !oneOf(fs.AccessMode, "passthrough", "mapped", "squash") {
			return xmlError("unknown accessmode '%s'", fs.AccessMode)
		}
		if fs.Target == nil || fs.Target.Dir == "" {
			return xmlError("missing target information for filesystem")
		}
	}
	return nil
}

// checkIDMap applies libvirt's <idmap> rules (virDomainIdmapDefParseXML and
// the LXC driver's checks).
func checkIDMap(d *Domain) error {
	if d.IDMap == nil {
		return nil
	}
	if len(d.IDMap.UIDs) == 0 || len(d.IDMap.GIDs) == 0 {
		return xmlError("You must map the root user of container")
	}
	for _, set := range [][]libvirtxml.DomainIDMapRange{d.IDMap.UIDs, d.IDMap.GIDs} {
		if set[0].Start != 0 {
			return xmlError("You must map the root user of container")
		}
	}
	return nil
}

// checkNamespaces validates the <lxc:namespace> extension (lxc_domain.c).
func checkNamespaces(d *Domain) error {
	ns := d.LXCNamespace
	if ns == nil {
		return nil
	}
	for _, m := range []*libvirtxml.DomainLXCNamespaceMap{ns.ShareNet, ns.ShareIPC, ns.ShareUTS} {
		if m == nil {
			continue
		}
		if m.Type == "" {
			return xmlError("No lxc environment type specified")
		}
		if !oneOf(m.Type, "name", "pid", "netns") {
			return xmlError("Unknown LXC namespace source '%s'", m.Type)
		}
		if m.Value == "" {
			return xmlError("No lxc environment value specified")
		}
	}
	return nil
}

// fillDevices fills the device defaults libvirt's post-parse callbacks fill.
func fillDevices(d *Domain, opts Options) error {
	if d.Devices == nil {
		d.Devices = &libvirtxml.DomainDeviceList{}
	}
	dev := d.Devices
	if dev.Emulator == "" {
		dev.Emulator = opts.Emulator
		if dev.Emulator == "" {
			dev.Emulator = DefaultEmulator
		}
	}
	for i := range dev.Filesystems {
		if err := fillFilesystem(&dev.Filesystems[i]); err != nil {
			return err
		}
	}
	for i := range dev.Interfaces {
		if err := fillInterface(&dev.Interfaces[i], opts); err != nil {
			return err
		}
	}
	for i := range dev.Consoles {
		c := &dev.Consoles[i]
		if c.Source == nil {
			c.Source = &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{}}
		}
		if c.Target == nil {
			c.Target = &libvirtxml.DomainConsoleTarget{}
		}
		if c.Target.Type == "" {
			c.Target.Type = "lxc"
		}
		if c.Target.Port == nil {
			port := uint(i)
			c.Target.Port = &port
		}
	}
	return nil
}

func fillFilesystem(fs *libvirtxml.DomainFilesystem) error {
	if fs.AccessMode == "" {
		fs.AccessMode = "passthrough"
	}
	if fs.Source != nil && fs.Source.RAM != nil {
		r := fs.Source.RAM
		kib, err := toKiB(uint64(r.Usage), r.Units)
		if err != nil {
			return xmlError("invalid value for 'usage': %s", err)
		}
		r.Usage, r.Units = uint(kib), "KiB"
	}
	return nil
}

func fillInterface(n *libvirtxml.DomainInterface, opts Options) error {
	if n.MAC == nil || n.MAC.Address == "" {
		n.MAC = &libvirtxml.DomainInterfaceMAC{Address: NewMAC()}
	} else {
		mac, ok := ParseMAC(n.MAC.Address)
		if !ok {
			return xmlError("unable to parse mac address '%s'", n.MAC.Address)
		}
		n.MAC.Address = mac
	}
	if !opts.Live && n.Target != nil {
		for _, p := range reservedIfnamePrefixes {
			if strings.HasPrefix(n.Target.Dev, p) {
				n.Target = nil
				break
			}
		}
	}
	return nil
}

// NewMAC returns a random MAC in libvirt's 52:54:00 prefix.
func NewMAC() string {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return fmt.Sprintf("52:54:00:%02x:%02x:%02x", b[0], b[1], b[2])
}

// ParseMAC accepts a colon-separated MAC address (hex pairs; single digits
// allowed, as virMacAddrParse does) and returns it lowercase with two digits
// per byte.
func ParseMAC(s string) (string, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 6 {
		return "", false
	}
	out := make([]string, 6)
	for i, p := range parts {
		if len(p) < 1 || len(p) > 2 {
			return "", false
		}
		var v uint
		if _, err := fmt.Sscanf(p, "%x", &v); err != nil || !isHex(p[0]) || !isHex(p[len(p)-1]) {
			return "", false
		}
		out[i] = fmt.Sprintf("%02x", v)
	}
	return strings.Join(out, ":"), true
}
