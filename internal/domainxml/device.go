package domainxml

import (
	"bytes"
	"encoding/xml"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/virerr"
)

// Device is one device definition read by ParseDevice. Exactly one of
// the pointers is set, for Kind "disk", "interface" or "hostdev"; other
// kinds carry only their element name.
type Device struct {
	Kind      string
	Disk      *libvirtxml.DomainDisk
	Interface *libvirtxml.DomainInterface
	Hostdev   *libvirtxml.DomainHostdev
	// MACGiven is false for an interface whose MAC was generated.
	MACGiven bool
}

// deviceKinds are the device elements of <devices> libvirt parses
// (virDomainDeviceType), by element name.
var deviceKinds = map[string]bool{"disk": true, "lease": true, "filesystem": true, "interface": true,
	"input": true, "sound": true, "video": true, "hostdev": true, "watchdog": true, "controller": true,
	"graphics": true, "hub": true, "redirdev": true, "smartcard": true, "serial": true, "parallel": true,
	"channel": true, "console": true, "memballoon": true, "nvram": true, "rng": true, "shmem": true,
	"tpm": true, "panic": true, "memory": true, "iommu": true, "vsock": true, "audio": true, "crypto": true}

// ParseDevice reads one device element as libvirt's
// virDomainDeviceDefParse does in the context of domain base: syntax
// errors name "(device_definition)", and the device is checked and given
// its defaults (a MAC, ...) as it would be inside base's definition.
func ParseDevice(base *Domain, data []byte, opts Options) (*Device, error) {
	root, _, err := checkSyntax(data, "(device_definition)")
	if err != nil {
		return nil, err
	}
	if !deviceKinds[root] {
		return nil, virerr.New(virerr.ErrConfigUnsupported, virerr.FromDomain, "unknown device type '%s'", root)
	}
	dev := &Device{Kind: root}
	switch root {
	case "disk", "interface", "hostdev":
	default:
		return dev, nil
	}
	if root == "interface" {
		var raw libvirtxml.DomainInterface
		if err := xml.Unmarshal(data, &raw); err == nil && raw.MAC != nil && raw.MAC.Address != "" {
			dev.MACGiven = true
		}
	}
	ctx := *withoutDirectPorts(base)
	ctx.ID = nil // a running domain's id is not part of an inactive parse
	doc, err := Format(&ctx)
	if err != nil {
		return nil, err
	}
	body := bytes.TrimSpace(stripXMLDecl(data))
	switch i := bytes.LastIndex(doc, []byte("</devices>")); {
	case i >= 0:
		doc = append(doc[:i:i], append(append(body, '\n'), doc[i:]...)...)
	default:
		i = bytes.LastIndex(doc, []byte("</domain>"))
		doc = append(doc[:i:i], append(append(append([]byte("<devices>"), body...), []byte("</devices>\n")...), doc[i:]...)...)
	}
	opts.Live = false
	d, err := Parse(doc, opts)
	if err != nil {
		return nil, err
	}
	if d.Devices == nil {
		return nil, virerr.New(virerr.ErrInternalError, virerr.FromDomain, "device '%s' lost in parsing", root)
	}
	switch root {
	case "disk":
		// The parse ordered the disks: the new one is the one with its
		// target, and there can be only one.
		var raw libvirtxml.DomainDisk
		if err := xml.Unmarshal(data, &raw); err == nil && raw.Target != nil {
			for i := range d.Devices.Disks {
				if diskTarget(d.Devices.Disks[i]) == raw.Target.Dev {
					dev.Disk = &d.Devices.Disks[i]
				}
			}
		}
	case "interface":
		if n := len(d.Devices.Interfaces); n > 0 {
			dev.Interface = &d.Devices.Interfaces[n-1]
		}
	case "hostdev":
		if n := len(d.Devices.Hostdevs); n > 0 {
			dev.Hostdev = &d.Devices.Hostdevs[n-1]
		}
	}
	if dev.Disk == nil && dev.Interface == nil && dev.Hostdev == nil {
		return nil, virerr.New(virerr.ErrInternalError, virerr.FromDomain, "device '%s' lost in parsing", root)
	}
	return dev, nil
}

// stripXMLDecl drops a leading <?xml ...?> declaration.
func stripXMLDecl(data []byte) []byte {
	t := bytes.TrimLeft(data, " \t\r\n")
	if bytes.HasPrefix(t, []byte("<?xml")) {
		if i := bytes.Index(t, []byte("?>")); i >= 0 {
			return t[i+2:]
		}
	}
	return data
}
