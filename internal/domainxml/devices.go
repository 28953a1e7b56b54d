package domainxml

import (
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/virerr"
)

// reservedIfnamePrefixes are the prefixes of host interface names libvirt
// generates itself (VIR_NET_GENERATED_*_PREFIX); an inactive definition
// drops user-given target names using them unless <target managed='no'>.
// ("vif" is libxl's alone.)
var reservedIfnamePrefixes = []string{"vnet", "macvtap", "macvlan"}

// fillDevices is libvirt's per-device post-parse for an LXC domain, with
// the values libvirt read put into the model.
func fillDevices(d *Domain, p *parsed, opts Options) error {
	dev := d.Devices
	if err := checkDisks(dev.Disks); err != nil {
		return err
	}
	if err := fillDisks(dev); err != nil {
		return err
	}
	for i := range dev.Interfaces {
		if i >= len(p.nets) {
			break
		}
		if err := fillInterface(&dev.Interfaces[i], p.nets[i], opts); err != nil {
			return err
		}
	}
	// virDomainDefParseXML: a serial without a port takes the highest
	// port of the serials before it, plus one.
	for i := range dev.Serials {
		s := &dev.Serials[i]
		if s.Target == nil {
			s.Target = &libvirtxml.DomainSerialTarget{}
		}
		if s.Target.Port == nil {
			port := 0
			for _, prev := range dev.Serials[:i] {
				port = max(port, int(*prev.Target.Port)+1)
			}
			p := uint(port)
			s.Target.Port = &p
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
		if c.Target.Type == "" || c.Target.Type == "none" {
			c.Target.Type = "lxc" // virLXCDomainDeviceDefPostParse
		}
		port := uint(i) // libvirt numbers consoles itself, whatever port says
		c.Target.Port = &port
	}
	for i := range dev.Filesystems {
		fs := &dev.Filesystems[i]
		if fs.AccessMode == "" {
			fs.AccessMode = "passthrough"
		}
		if fs.Source != nil && fs.Source.RAM != nil {
			// usage is kept in bytes and printed as usage/1024 KiB,
			// which truncates.
			fs.Source.RAM.Usage, fs.Source.RAM.Units = uint(p.ramBytes[i]/1024), "KiB"
		}
	}
	fillNamespaces(d, p)
	addVirtioSerial(dev)
	return nil
}

func fillInterface(n *libvirtxml.DomainInterface, info netInfo, opts Options) error {
	// virNetDevVPortProfileParse: an Open vSwitch port gets an interface
	// id when it names none.
	if vp := n.VirtualPort; vp != nil && vp.Params != nil && vp.Params.OpenVSwitch != nil && vp.Params.OpenVSwitch.InterfaceID == "" {
		vp.Params.OpenVSwitch.InterfaceID = NewUUID()
	}
	if info.model != "" && !knownNetModel(info.model) {
		// virDomainDeviceDefPostParseCheckFeatures: LXC lacks
		// VIR_DOMAIN_DEF_FEATURE_NET_MODEL_STRING.
		return domErr(virerr.ErrConfigUnsupported, "driver does not support net model '%s'", info.model)
	}
	if n.Model != nil {
		// libvirt keeps a known model as its enumeration value, and
		// prints nothing for "unknown".
		for i, m := range netModels {
			if strings.EqualFold(m, n.Model.Type) {
				n.Model.Type = m
				if i == 0 {
					n.Model = nil
				}
				break
			}
		}
	}
	// virDomainNetDefParseXML reads <driver> for virtio models only, and
	// an MTU of 0 is none.
	if n.Driver != nil && (n.Model == nil || n.Model.Type != "virtio") {
		n.Driver = nil
	}
	if n.MTU != nil && n.MTU.Size == 0 {
		n.MTU = nil
	}
	if b := n.Bandwidth; b != nil {
		// virNetDevBandwidthParse: a direction without an average (or
		// floor) is no limit.
		none := func(v *int) bool { return v == nil || *v == 0 }
		if b.Inbound != nil && none(b.Inbound.Average) && none(b.Inbound.Floor) {
			b.Inbound = nil
		}
		if b.Outbound != nil && none(b.Outbound.Average) {
			b.Outbound = nil
		}
	}
	if info.mac == "" {
		info.mac = NewMAC()
	}
	if n.MAC == nil {
		n.MAC = &libvirtxml.DomainInterfaceMAC{}
	}
	n.MAC.Address = info.mac
	if !opts.Live && n.Target != nil && info.managed != "no" {
		for _, pre := range reservedIfnamePrefixes {
			if strings.HasPrefix(n.Target.Dev, pre) {
				n.Target = nil
				break
			}
		}
	}
	if n.Link != nil && n.Link.State == "" {
		n.Link = nil
	}
	return nil
}

// fillNamespaces keeps of <lxc:namespace> what libvirt keeps: entries of
// type 'none' are parsed but not printed, and an element without children
// is no namespace data at all.
func fillNamespaces(d *Domain, p *parsed) {
	ns := d.LXCNamespace
	if ns == nil {
		return
	}
	if !p.hasNamespace {
		d.LXCNamespace = nil
		return
	}
	for _, m := range []**libvirtxml.DomainLXCNamespaceMap{&ns.ShareNet, &ns.ShareIPC, &ns.ShareUTS} {
		if *m != nil && (*m).Type == "none" {
			*m = nil
		}
	}
}

// fsSource is the source libvirt names in a filesystem's errors: its path
// or socket.
func fsSource(fs *libvirtxml.DomainFilesystem) string {
	s := fs.Source
	switch {
	case s == nil:
		return ""
	case s.Mount != nil:
		if s.Mount.Dir != "" {
			return s.Mount.Dir
		}
		return s.Mount.Socket
	case s.Bind != nil:
		return s.Bind.Dir
	case s.Block != nil:
		return s.Block.Dev
	case s.File != nil:
		return s.File.File
	case s.Template != nil:
		return s.Template.Name
	}
	return ""
}
