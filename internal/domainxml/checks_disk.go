package domainxml

import "virtlxc/internal/virerr"

// Values virDomainDiskDefParseXML takes for a <disk>'s attributes (libvirt
// 9.0: a bus of "none" is refused, the first value of the enum).
var (
	diskTypes   = []string{"none", "file", "block", "dir", "network", "volume", "nvme", "vhostuser"}
	diskDevices = []string{"disk", "cdrom", "floppy", "lun"}
	diskBuses   = []string{"none", "ide", "fdc", "scsi", "virtio", "xen", "usb", "uml", "sata", "sd"}
	diskTrays   = []string{"closed", "open"}
)

// parseDisks is the attribute part of virDomainDiskDefParseXML for each
// <disk> (its type, device, target bus and tray), then
// virDomainDiskDefValidate's rule that floppies, and only they, sit on
// the fdc bus.
func (p *parsed) parseDisks(root *node) error {
	for _, d := range devices(root, "disk") {
		if _, err := propEnum(d, "type", true, diskTypes...); err != nil {
			return err
		}
		device, err := propEnum(d, "device", false, diskDevices...)
		if err != nil {
			return err
		}
		t := d.child("target")
		if t == nil {
			continue
		}
		bus, err := propEnum(t, "bus", true, diskBuses...)
		if err != nil {
			return err
		}
		if _, err := propEnum(t, "tray", false, diskTrays...); err != nil {
			return err
		}
		switch {
		case device == "floppy" && bus != "" && bus != "fdc":
			return domErr(virerr.ErrInternalError, "Invalid bus type '%s' for floppy disk", bus)
		case device != "floppy" && bus == "fdc":
			return domErr(virerr.ErrInternalError, "Invalid bus type '%s' for disk", bus)
		}
	}
	return nil
}
