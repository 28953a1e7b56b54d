package domainxml

import (
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/virerr"
)

// Disks as libvirt 9.0's parser leaves them: the target checks of
// virDomainDiskDefParseXML, the order of virDomainDiskInsertPreAlloced,
// the bus and drive address of virDomainDiskDefPostParse and the
// controllers of virDomainDefAddDiskControllers.

// diskPrefixes are the target name prefixes virDiskNameToIndex knows.
var diskPrefixes = []string{"fd", "hd", "vd", "sd", "xvd", "ubd"}

// DiskNameToIndex is libvirt's virDiskNameToIndex: "sda" is 0, "hdb" 1,
// "vdaa" 26; a trailing partition number is allowed; -1 for a name
// without a known prefix or with anything else after the letters.
func DiskNameToIndex(name string) int {
	rest, ok := "", false
	for _, p := range diskPrefixes {
		if rest, ok = strings.CutPrefix(name, p); ok {
			break
		}
	}
	if !ok {
		return -1
	}
	idx, i := 0, 0
	for ; i < len(rest) && rest[i] >= 'a' && rest[i] <= 'z'; i++ {
		if i > 0 {
			idx++
		}
		idx = idx*26 + int(rest[i]-'a')
	}
	for ; i < len(rest); i++ {
		if rest[i] < '0' || rest[i] > '9' {
			return -1
		}
	}
	return idx
}

// InsertDisk is virDomainDiskInsert: disk goes before the first disk on
// its bus whose index is greater, else after the last disk on its bus,
// else at the end.
func InsertDisk(ds *libvirtxml.DomainDeviceList, disk libvirtxml.DomainDisk) {
	at := -1
	for i := len(ds.Disks) - 1; i >= 0; i-- {
		if diskBus(ds.Disks[i]) != diskBus(disk) {
			continue
		}
		if DiskNameToIndex(diskTarget(ds.Disks[i])) > DiskNameToIndex(diskTarget(disk)) {
			at = i
		} else if at == -1 {
			at = i + 1
		}
	}
	if at < 0 {
		at = len(ds.Disks)
	}
	ds.Disks = append(ds.Disks[:at], append([]libvirtxml.DomainDisk{disk}, ds.Disks[at:]...)...)
}

func diskBus(d libvirtxml.DomainDisk) string {
	if d.Target == nil {
		return ""
	}
	return d.Target.Bus
}

func diskTarget(d libvirtxml.DomainDisk) string {
	if d.Target == nil {
		return ""
	}
	return d.Target.Dev
}

// DiskSource is a disk's local source path (virDomainDiskGetSource): its
// file, block device, directory or volume; "" for none.
func DiskSource(d libvirtxml.DomainDisk) string {
	switch s := d.Source; {
	case s == nil:
		return ""
	case s.File != nil:
		return s.File.File
	case s.Block != nil:
		return s.Block.Dev
	case s.Dir != nil:
		return s.Dir.Dir
	case s.Volume != nil:
		return s.Volume.Volume
	}
	return ""
}

// checkDisks is the target part of virDomainDiskDefParseXML, for each
// disk in document order.
func checkDisks(disks []libvirtxml.DomainDisk) error {
	for _, d := range disks {
		dst := diskTarget(d)
		if dst == "" {
			if src := DiskSource(d); src != "" {
				return domErr(virerr.ErrNoTarget, "%s", src)
			}
			return domErr(virerr.ErrNoTarget, "")
		}
		floppy := d.Device == "floppy"
		if !floppy && strings.HasPrefix(dst, "fd") {
			return domErr(virerr.ErrInternalError, "Invalid harddisk device name: %s", dst)
		}
		if floppy && !strings.HasPrefix(dst, "fd") {
			return domErr(virerr.ErrInternalError, "Invalid floppy device name: %s", dst)
		}
		if d.Device == "lun" && (d.Source == nil || (d.Source.Block == nil && d.Source.Network == nil)) {
			return domErr(virerr.ErrConfigUnsupported, "disk device='lun' is only valid for block type disk source")
		}
		// Only removable media may be empty.
		if (d.Device == "" || d.Device == "disk" || d.Device == "lun") && DiskSource(d) == "" &&
			(d.Source == nil || d.Source.Network == nil) {
			return domErr(virerr.ErrNoSource, "%s", dst)
		}
	}
	return nil
}

// fillDisks orders the disks as the parser inserts them (with the buses
// the document gave), then gives each its default bus and drive address,
// and adds the disk controllers the addresses name.
func fillDisks(dev *libvirtxml.DomainDeviceList) error {
	in := dev.Disks
	dev.Disks = nil
	for _, d := range in {
		InsertDisk(dev, d)
	}
	for i := range dev.Disks {
		if err := fillDisk(&dev.Disks[i]); err != nil {
			return err
		}
	}
	for _, c := range []string{"scsi", "fdc", "ide", "sata"} {
		addDiskControllers(dev, c)
	}
	return nil
}

// addVirtioSerial is virDomainDefMaybeAddVirtioSerialController: a virtio
// channel or console needs virtio-serial controller 0.
func addVirtioSerial(dev *libvirtxml.DomainDeviceList) {
	need := false
	for _, c := range dev.Channels {
		need = need || (c.Target != nil && c.Target.VirtIO != nil)
	}
	for _, c := range dev.Consoles {
		need = need || (c.Target != nil && c.Target.Type == "virtio")
	}
	if need && !hasController(dev, "virtio-serial", 0) {
		idx := uint(0)
		dev.Controllers = append(dev.Controllers, libvirtxml.DomainController{Type: "virtio-serial", Index: &idx})
	}
}

// fillDisk is the bus and address part of virDomainDiskDefPostParse.
func fillDisk(d *libvirtxml.DomainDisk) error {
	dst := diskTarget(*d)
	if d.Target.Bus == "" {
		bus := "ide"
		switch {
		case d.Device == "floppy":
			bus = "fdc"
		case strings.HasPrefix(dst, "hd"):
			bus = "ide"
		case strings.HasPrefix(dst, "sd"):
			bus = "scsi"
		case strings.HasPrefix(dst, "vd"):
			bus = "virtio"
		case strings.HasPrefix(dst, "xvd"):
			bus = "xen"
		case strings.HasPrefix(dst, "ubd"):
			bus = "uml"
		}
		d.Target.Bus = bus
	}
	if d.Device == "" {
		d.Device = "disk"
	}
	if d.Device == "cdrom" && d.ReadOnly == nil {
		d.ReadOnly = &libvirtxml.DomainDiskReadOnly{}
	}
	if d.Address != nil {
		return nil
	}
	idx := DiskNameToIndex(dst)
	if idx < 0 {
		return xmlError("Unknown disk name '%s' and no address specified", dst)
	}
	// Units per bus and buses per controller, many controllers
	// (virDomainDiskDefAssignAddress; a narrow SCSI bus).
	var controller, bus, unit int
	switch d.Target.Bus {
	case "scsi":
		controller, unit = idx/7, idx%7
	case "fdc":
		controller, unit = idx/2, idx%2
	case "ide":
		controller, bus, unit = idx/4, (idx%4)/2, idx%2
	case "sata":
		controller, unit = idx/6, idx%6
	default:
		return nil // not controller based
	}
	u := func(v int) *uint { x := uint(v); return &x }
	d.Address = &libvirtxml.DomainAddress{Drive: &libvirtxml.DomainAddressDrive{
		Controller: u(controller), Bus: u(bus), Target: u(0), Unit: u(unit)}}
	return nil
}

// addDiskControllers is virDomainDefAddDiskControllersForType: controllers
// of type typ with indexes 0 to the highest a disk on that bus names.
func addDiskControllers(dev *libvirtxml.DomainDeviceList, typ string) {
	top := -1
	for _, d := range dev.Disks {
		if diskBus(d) != typ || d.Address == nil || d.Address.Drive == nil || d.Address.Drive.Controller == nil {
			continue
		}
		top = max(top, int(*d.Address.Drive.Controller))
	}
	for i := 0; i <= top; i++ {
		if !hasController(dev, typ, uint(i)) {
			idx := uint(i)
			dev.Controllers = append(dev.Controllers, libvirtxml.DomainController{Type: typ, Index: &idx})
		}
	}
}

func hasController(dev *libvirtxml.DomainDeviceList, typ string, idx uint) bool {
	for _, c := range dev.Controllers {
		if c.Type == typ && c.Index != nil && *c.Index == idx {
			return true
		}
	}
	return false
}
