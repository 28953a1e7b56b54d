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
			for _, pair := range [][2]string{{"persistent", "current"}, {"current", "live"}, {"current", "config"}} {
				if err := pc.Exclusive(pair[0], pair[1]); err != nil {
					return err
				}
			}
			var flags uint32
			if pc.Bool("config") || pc.Bool("persistent") {
				flags |= 2
			}
			if pc.Bool("live") {
				flags |= 1
			}
			if update && pc.Bool("force") {
				flags |= deviceModifyForce
			}
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			if pc.Bool("persistent") {
				var active libvirt.DomainIsActiveRet
				if err := s.conn.call(proto.ProcDomainIsActive, &libvirt.DomainIsActiveArgs{Dom: dom}, &active); err == nil && active.Active == 1 {
					flags |= 1
				}
			}
			from, _, err := pc.String("file")
			if err != nil {
				return err
			}
			xml, err := readXMLFile(from)
			if err != nil {
				return err
			}
			switch {
			case update:
				err = s.conn.call(proto.ProcDomainUpdateDeviceFlags, &libvirt.DomainUpdateDeviceFlagsArgs{Dom: dom, XML: xml, Flags: libvirt.DomainDeviceModifyFlags(flags)}, nil)
			case flags != 0 || pc.Bool("current"):
				proc := uint32(proto.ProcDomainAttachDeviceFlags)
				if verb == "detach" {
					proc = proto.ProcDomainDetachDeviceFlags
				}
				err = s.conn.call(proc, &libvirt.DomainAttachDeviceFlagsArgs{Dom: dom, XML: xml, Flags: flags}, nil)
			default:
				proc := uint32(proto.ProcDomainAttachDevice)
				if verb == "detach" {
					proc = proto.ProcDomainDetachDevice
				}
				err = s.conn.call(proc, &libvirt.DomainAttachDeviceArgs{Dom: dom, XML: xml}, nil)
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
