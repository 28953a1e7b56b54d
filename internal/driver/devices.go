package driver

import (
	"reflect"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/audit"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/netdev"
	"virtlxc/internal/virerr"
)

// deviceOp is one of attach, detach and update.
type deviceOp int

const (
	opAttach deviceOp = iota
	opDetach
	opUpdate
)

// AttachDevice adds a device to a domain (virDomainAttachDeviceFlags;
// virDomainAttachDevice is AffectLive). The config takes disks,
// interfaces and host devices, as libvirt's LXC driver's does; a running
// container takes veth interfaces (bridge, network, ethernet).
func (d *Driver) AttachDevice(ref Ref, xml string, flags uint32) error {
	return d.changeDevice(ref, xml, flags, opAttach, "lxcDomainAttachDeviceFlags")
}

// DetachDevice removes a device from a domain's config
// (virDomainDetachDeviceFlags).
func (d *Driver) DetachDevice(ref Ref, xml string, flags uint32) error {
	return d.changeDevice(ref, xml, flags, opDetach, "lxcDomainDetachDeviceFlags")
}

// UpdateDevice replaces an interface of a domain's config
// (virDomainUpdateDeviceFlags); live devices cannot be changed.
func (d *Driver) UpdateDevice(ref Ref, xml string, flags uint32) error {
	return d.changeDevice(ref, xml, flags, opUpdate, "lxcDomainUpdateDeviceFlags")
}

func (d *Driver) changeDevice(ref Ref, xml string, flags uint32, op deviceOp, fn string) error {
	allowed := AffectLive | AffectConfig
	if op == opUpdate {
		allowed |= 4 // VIR_DOMAIN_DEVICE_MODIFY_FORCE
	}
	if err := CheckFlags(flags, allowed, fn); err != nil {
		return err
	}
	dom, live, config, release, err := d.defsForJob(ref, flags)
	if err != nil {
		return err
	}
	defer release()
	base := config
	if base == nil {
		base = live
	}
	dev, err := domainxml.ParseDevice(base, []byte(xml), domainxml.Options{Emulator: d.emulator, Logger: d.log})
	if err != nil {
		return err
	}
	var cfg *domainxml.Domain
	if config != nil {
		cfg = domainxml.Clone(config)
		if err := applyDevice(cfg, dev, op); err != nil {
			return err
		}
	}
	if live != nil {
		if op == opUpdate {
			return virerr.New(virerr.ErrOperationUnsupported, virerr.FromLXC, "Unable to modify live devices")
		}
		if err := d.changeLive(dom, live, dev, op); err != nil {
			return err
		}
		d.saveStatusLogged(dom)
	}
	if cfg != nil {
		return d.commitConfig(dom, cfg)
	}
	return nil
}

// changeLive attaches dev to or detaches it from running domain dom
// (lxcDomainAttachDeviceLive, lxcDomainDetachDeviceLive): interfaces,
// disks and host devices.
func (d *Driver) changeLive(dom *domain, live *domainxml.Domain, dev *domainxml.Device, op deviceOp) error {
	if live.Devices == nil {
		live.Devices = &libvirtxml.DomainDeviceList{}
	}
	attach := op == opAttach
	switch {
	case dev.Interface != nil && attach:
		err := d.hotplugNet(dom, live, *dev.Interface)
		d.auditSend(audit.GenericDev(auditDomain(dom), "net", audit.ReasonAttach, "", macOf(*dev.Interface), err == nil))
		return err
	case dev.Interface != nil:
		mac, err := d.unplugNet(dom, live, dev)
		if err == nil {
			d.auditSend(audit.GenericDev(auditDomain(dom), "net", audit.ReasonDetach, mac, "", true))
		}
		return err
	case dev.Disk != nil && attach:
		return d.attachDiskLive(dom, live, *dev.Disk)
	case dev.Disk != nil:
		return d.detachDiskLive(dom, live, *dev.Disk)
	case dev.Hostdev != nil && attach:
		return d.attachHostdevLive(dom, live, *dev.Hostdev)
	case dev.Hostdev != nil:
		return d.detachHostdevLive(dom, live, *dev.Hostdev)
	}
	verb := "attached"
	if !attach {
		verb = "detached"
	}
	return virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "device type '%s' cannot be %s", dev.Kind, verb)
}

// hotplugNet adds interface n to running domain dom (held locked):
// bridge, network and ethernet interfaces get their veth pair, the
// container end configured inside as at start; the live definition
// records it with its host end.
func (d *Driver) hotplugNet(dom *domain, live *domainxml.Domain, n libvirtxml.DomainInterface) error {
	if _, err := activeRun(dom); err != nil {
		return err
	}
	if dom.initPID == 0 {
		return virerr.New(virerr.ErrOperationInvalid, virerr.FromLXC, "Cannot attach interface until init PID is known")
	}
	if shared, err := sharesHostNetNS(dom.initPID); err != nil || shared {
		return virerr.New(virerr.ErrOperationInvalid, virerr.FromLXC,
			"Cannot attach an interface to a container that shares the host's network namespace")
	}
	if n.Source != nil && n.Source.Network != nil && d.networks != nil {
		if err := d.plugNetwork(live, &n); err != nil {
			return err
		}
	}
	if live.Devices == nil {
		live.Devices = &libvirtxml.DomainDeviceList{}
	}
	specs, err := netdev.Plan(append(slices.Clone(live.Devices.Interfaces), n))
	if err != nil {
		d.releasePort(&n)
		return err
	}
	host, err := netdev.Hotplug(specs[len(specs)-1], dom.initPID, netdev.AutoPrefix(d.layout.Root))
	if err != nil {
		d.releasePort(&n)
		return virerr.Wrap(err, virerr.ErrInternalError, virerr.FromLXC, "%s", err)
	}
	if host != "" {
		n.Target = &libvirtxml.DomainInterfaceTarget{Dev: host}
	}
	live.Devices.Interfaces = append(live.Devices.Interfaces, n)
	return nil
}

// unplugNet removes a running domain's interface: a veth's host end goes,
// and the container end with it; a direct interface's macvlan, which
// lives in the container alone, is deleted there.
func (d *Driver) unplugNet(dom *domain, live *domainxml.Domain, dev *domainxml.Device) (string, error) {
	var nets []libvirtxml.DomainInterface
	if live.Devices != nil {
		nets = live.Devices.Interfaces
	}
	idx, err := findNet(nets, dev)
	if err != nil {
		return "", err
	}
	n := nets[idx]
	switch {
	case n.Source != nil && n.Source.Direct != nil:
		if n.MAC == nil {
			return "", virerr.New(virerr.ErrInternalError, virerr.FromLXC, "direct interface without a MAC address")
		}
		if err := netdev.Unplug(dom.initPID, n.MAC.Address); err != nil {
			return "", virerr.Wrap(err, virerr.ErrInternalError, virerr.FromLXC, "%s", err)
		}
	case n.Target == nil || n.Target.Dev == "":
		return "", virerr.New(virerr.ErrOperationUnsupported, virerr.FromLXC,
			"only veth and direct interfaces can be removed from a running container")
	default:
		if err := netdev.RemoveHost([]string{n.Target.Dev}); err != nil {
			return "", virerr.Wrap(err, virerr.ErrInternalError, virerr.FromLXC, "%s", err)
		}
	}
	d.releasePort(&n)
	live.Devices.Interfaces = append(nets[:idx:idx], nets[idx+1:]...)
	return macOf(n), nil
}

// macOf is an interface's MAC address ("" for none).
func macOf(n libvirtxml.DomainInterface) string {
	if n.MAC == nil {
		return ""
	}
	return n.MAC.Address
}

// sharesHostNetNS reports whether process pid is in the daemon's own
// network namespace.
func sharesHostNetNS(pid int) (bool, error) {
	var a, b unix.Stat_t
	if err := unix.Stat("/proc/self/ns/net", &a); err != nil {
		return false, err
	}
	if err := unix.Stat("/proc/"+strconv.Itoa(pid)+"/ns/net", &b); err != nil {
		return false, err
	}
	return a.Ino == b.Ino && a.Dev == b.Dev, nil
}

// applyDevice changes def as lxcDomain{Attach,Detach,Update}DeviceConfig.
func applyDevice(def *domainxml.Domain, dev *domainxml.Device, op deviceOp) error {
	if def.Devices == nil {
		def.Devices = &libvirtxml.DomainDeviceList{}
	}
	ds := def.Devices
	unsupported := map[deviceOp]string{opAttach: "persistent attach of device is not supported",
		opDetach: "persistent detach of device is not supported", opUpdate: "persistent update of device is not supported"}
	switch {
	case op == opUpdate && dev.Interface == nil, dev.Disk == nil && dev.Interface == nil && dev.Hostdev == nil:
		return virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "%s", unsupported[op])
	case dev.Disk != nil:
		dst := ""
		if dev.Disk.Target != nil {
			dst = dev.Disk.Target.Dev
		}
		idx := -1
		for i, x := range ds.Disks {
			if x.Target != nil && x.Target.Dev == dst {
				idx = i
			}
		}
		if op == opAttach {
			if idx >= 0 {
				return virerr.New(virerr.ErrInvalidArg, virerr.FromDomain, "target %s already exists.", dst)
			}
			domainxml.InsertDisk(ds, *dev.Disk)
			return nil
		}
		if idx < 0 {
			return virerr.New(virerr.ErrInvalidArg, virerr.FromDomain, "no target device %s", dst)
		}
		ds.Disks = append(ds.Disks[:idx:idx], ds.Disks[idx+1:]...)
	case dev.Interface != nil:
		if op == opAttach {
			ds.Interfaces = append(ds.Interfaces, *dev.Interface)
			return nil
		}
		idx, err := findNet(ds.Interfaces, dev)
		if err != nil {
			return err
		}
		if op == opDetach {
			ds.Interfaces = append(ds.Interfaces[:idx:idx], ds.Interfaces[idx+1:]...)
		} else {
			ds.Interfaces[idx] = *dev.Interface
		}
	case dev.Hostdev != nil:
		idx := -1
		for i := range ds.Hostdevs {
			if sameHostdev(&ds.Hostdevs[i], dev.Hostdev) {
				idx = i
				break
			}
		}
		if op == opAttach {
			if idx >= 0 {
				return virerr.New(virerr.ErrInvalidArg, virerr.FromDomain, "device is already in the domain configuration")
			}
			ds.Hostdevs = append(ds.Hostdevs, *dev.Hostdev)
			return nil
		}
		if idx < 0 {
			return virerr.New(virerr.ErrInvalidArg, virerr.FromDomain, "device not present in domain configuration")
		}
		ds.Hostdevs = append(ds.Hostdevs[:idx:idx], ds.Hostdevs[idx+1:]...)
	}
	return nil
}

// findNet is virDomainNetFindIdx: the one interface with the device's
// MAC (any, when the MAC was generated).
func findNet(nets []libvirtxml.DomainInterface, dev *domainxml.Device) (int, error) {
	mac := ""
	if dev.MACGiven {
		mac = strings.ToLower(dev.Interface.MAC.Address)
	}
	match := -1
	for i, n := range nets {
		if mac != "" && (n.MAC == nil || strings.ToLower(n.MAC.Address) != mac) {
			continue
		}
		if match >= 0 {
			if mac != "" {
				return -1, virerr.New(virerr.ErrOperationFailed, virerr.FromDomain, "multiple devices matching MAC address %s found", mac)
			}
			return -1, virerr.New(virerr.ErrOperationFailed, virerr.FromDomain, "multiple matching devices found")
		}
		match = i
	}
	if match < 0 {
		shown := mac
		if shown == "" {
			shown = "(<null>)"
		}
		return -1, virerr.New(virerr.ErrDeviceMissing, virerr.FromDomain,
			"no device found at address '(<null>)' matching MAC address '%s' and alias '(<null>)'", shown)
	}
	return match, nil
}

// sameHostdev is virDomainHostdevMatch for the host devices an LXC
// domain can have: the same mode, type and source.
func sameHostdev(a, b *libvirtxml.DomainHostdev) bool {
	switch {
	case a.SubsysUSB != nil || b.SubsysUSB != nil:
		return a.SubsysUSB != nil && b.SubsysUSB != nil && reflect.DeepEqual(a.SubsysUSB.Source, b.SubsysUSB.Source)
	case a.CapsStorage != nil || b.CapsStorage != nil:
		return a.CapsStorage != nil && b.CapsStorage != nil && reflect.DeepEqual(a.CapsStorage.Source, b.CapsStorage.Source)
	case a.CapsMisc != nil || b.CapsMisc != nil:
		return a.CapsMisc != nil && b.CapsMisc != nil && reflect.DeepEqual(a.CapsMisc.Source, b.CapsMisc.Source)
	case a.CapsNet != nil || b.CapsNet != nil:
		return a.CapsNet != nil && b.CapsNet != nil && a.CapsNet.Source != nil && b.CapsNet.Source != nil &&
			a.CapsNet.Source.Interface == b.CapsNet.Source.Interface
	}
	return reflect.DeepEqual(a, b)
}
