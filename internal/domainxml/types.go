package domainxml

import "libvirt.org/go/libvirtxml"

// Aliases of the model's types that other packages name, so that only this
// package imports libvirtxml.
type (
	// Filesystem is a <filesystem> device.
	Filesystem = libvirtxml.DomainFilesystem
	// Console is a <console> device.
	Console = libvirtxml.DomainConsole
	// FeatureCapabilities is <features><capabilities>.
	FeatureCapabilities = libvirtxml.DomainFeatureCapabilities
	// FeatureCapability is one capability's state element.
	FeatureCapability = libvirtxml.DomainFeatureCapability
)

// MemoryTuneLimit is one <memtune> limit.
type MemoryTuneLimit = libvirtxml.DomainMemoryTuneLimit

// NamespaceMap is one <lxc:sharenet/shareipc/shareuts> entry.
type NamespaceMap = libvirtxml.DomainLXCNamespaceMap

// Hostdev is a <hostdev> device.
type Hostdev = libvirtxml.DomainHostdev

// HostdevType is the type of host device h as libvirt names it: the
// subsystem type (usb, pci, scsi, scsi_host, mdev) or the capability type
// (storage, misc, net); "unknown" for none.
func HostdevType(h Hostdev) string {
	switch {
	case h.SubsysUSB != nil:
		return "usb"
	case h.SubsysPCI != nil:
		return "pci"
	case h.SubsysSCSI != nil:
		return "scsi"
	case h.SubsysSCSIHost != nil:
		return "scsi_host"
	case h.SubsysMDev != nil:
		return "mdev"
	case h.CapsStorage != nil:
		return "storage"
	case h.CapsMisc != nil:
		return "misc"
	case h.CapsNet != nil:
		return "net"
	}
	return "unknown"
}
