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
