package virsh

import (
	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
)

// deviceModifyForce is VIR_DOMAIN_DEVICE_MODIFY_FORCE.
const deviceModifyForce = 4

// deviceCmd declares attach-device, detach-device or update-device:
// a domain, an XML file and where the change applies.
func deviceCmd(name, help, desc, verb, done string, update bool) *CmdDef {
	opts := []OptDef{
		optDomainFull(),
		{Name: "file", Type: OptData, Required: true, Help: "XML file", Complete: CompleteFile},
		optBool("persistent", "make live change persistent"),
		optBool("config", "affect next boot"),
		optBool("live", "affect running domain"),
		optBool("current", "affect current domain"),
	}
	if update {
		opts = append(opts, optBool("force", "force device update"))
	}
	return &CmdDef{
		Name: name, Group: "domain", Help: help, Desc: desc, Opts: opts,
		Run: func(s *Session, pc *ParsedCmd) error {
			dom, flags, err := s.placement(pc)
			if err != nil {
				return err
			}
			if update && pc.Bool("force") {
				flags |= deviceModifyForce
			}
			from, xml, err := fileArg(pc)
			if err != nil {
				return err
			}
			if update {
				err = s.conn.call(proto.ProcDomainUpdateDeviceFlags, &libvirt.DomainUpdateDeviceFlagsArgs{Dom: dom, XML: xml, Flags: libvirt.DomainDeviceModifyFlags(flags)}, nil)
			} else {
				err = s.changeDevice(dom, xml, flags, pc.Bool("current"), verb == "detach")
			}
			if err != nil {
				return failed(err, "Failed to %s device from %s", verb, from)
			}
			s.printExtra("%s", done)
			return nil
		},
	}
}

func cmdAttachDevice() *CmdDef {
	return deviceCmd("attach-device", "attach device from an XML file", "Attach device from an XML <file>.",
		"attach", "Device attached successfully\n", false)
}

func cmdDetachDevice() *CmdDef {
	return deviceCmd("detach-device", "detach device from an XML file", "Detach device from an XML <file>",
		"detach", "Device detached successfully\n", false)
}

func cmdUpdateDevice() *CmdDef {
	return deviceCmd("update-device", "update device from an XML file", "Update device from an XML <file>.",
		"update", "Device updated successfully\n", true)
}

// placement reads --persistent, --config, --live and --current and the
// domain, as virsh's device commands do: --persistent also affects a
// running domain's live definition.
func (s *Session) placement(pc *ParsedCmd) (libvirt.Domain, uint32, error) {
	flags, err := placementFlags(pc)
	if err != nil {
		return libvirt.Domain{}, 0, err
	}
	dom, err := s.domainArg(pc, byAny)
	if err != nil {
		return libvirt.Domain{}, 0, err
	}
	if pc.Bool("persistent") && s.conn.isActive(dom) {
		flags |= 1
	}
	return dom, flags, nil
}

// changeDevice attaches or detaches xml: with placement flags (or
// --current) through the *Flags call, else the plain one, which affects
// the running domain.
func (s *Session) changeDevice(dom libvirt.Domain, xml string, flags uint32, current, detach bool) error {
	switch {
	case detach && (flags != 0 || current):
		return s.conn.call(proto.ProcDomainDetachDeviceFlags, &libvirt.DomainDetachDeviceFlagsArgs{Dom: dom, XML: xml, Flags: flags}, nil)
	case detach:
		return s.conn.call(proto.ProcDomainDetachDevice, &libvirt.DomainDetachDeviceArgs{Dom: dom, XML: xml}, nil)
	case flags != 0 || current:
		return s.conn.call(proto.ProcDomainAttachDeviceFlags, &libvirt.DomainAttachDeviceFlagsArgs{Dom: dom, XML: xml, Flags: flags}, nil)
	}
	return s.conn.call(proto.ProcDomainAttachDevice, &libvirt.DomainAttachDeviceArgs{Dom: dom, XML: xml}, nil)
}
