package domainxml

import (
	"slices"

	"virtlxc/internal/virerr"
)

// domErr is an error raised by libvirt's domain code (VIR_FROM_DOMAIN).
func domErr(code virerr.Code, format string, args ...any) error {
	return virerr.New(code, virerr.FromDomain, format, args...)
}

// xmlError is VIR_ERR_XML_ERROR raised by the domain code.
func xmlError(format string, args ...any) error {
	return domErr(virerr.ErrXMLError, format, args...)
}

// propError is the message of virxml.c's attribute helpers for a value they
// refuse (VIR_ERR_XML_ERROR, VIR_FROM_XML).
func propError(el *node, attr, value string) error {
	return virerr.New(virerr.ErrXMLError, virerr.FromXML,
		"Invalid value for attribute '%s' in element '%s': '%s'.", attr, el.name.Local, value)
}

// missingProp is virXMLPropStringRequired's error.
func missingProp(el *node, attr string) error {
	return virerr.New(virerr.ErrXMLError, virerr.FromXML,
		"Missing required attribute '%s' in element '%s'", attr, el.name.Local)
}

// noErrorSet is what a client sees when a libvirt driver fails without
// reporting an error (virNetMessageSaveError).
func noErrorSet() error {
	return virerr.Raw(virerr.ErrInternalError, virerr.FromRPC,
		"Library function returned error but did not set virError")
}

// propEnum is virXMLPropEnum: an absent attribute is fine; a present one
// must be one of values (nonzero: not the first one).
func propEnum(el *node, attr string, nonzero bool, values ...string) (string, error) {
	v, ok := el.attr(attr)
	if !ok {
		return "", nil
	}
	i := slices.Index(values, v)
	if i < 0 || (nonzero && i == 0) {
		return "", propError(el, attr, v)
	}
	return v, nil
}

// propSwitch is virXMLPropTristateSwitch: "on" or "off" when present.
func propSwitch(el *node, attr string) (string, error) {
	return propEnum(el, attr, true, "default", "on", "off")
}

// propBool is virXMLPropTristateBool: "yes" or "no" when present.
func propBool(el *node, attr string) (string, error) {
	return propEnum(el, attr, true, "default", "yes", "no")
}

// KnownArch reports whether name is one of libvirt 9.0's architecture
// names (virArchFromString).
func KnownArch(name string) bool { return slices.Contains(arches, name) }

// CapabilityNames are libvirt's process capability features
// (<features><capabilities>), in its order.
func CapabilityNames() []string { return slices.Clone(capFeatures) }

// Enumerations of libvirt 9.0 (VIR_ENUM_IMPL in domain_conf.c and friends).
var (
	virtTypes = []string{"none", "qemu", "kqemu", "kvm", "xen", "lxc", "uml", "openvz", "test",
		"vmware", "hyperv", "vbox", "phyp", "parallels", "bhyve", "vz", "hvf"}
	osTypes = []string{"hvm", "xen", "linux", "exe", "uml", "xenpvh"}
	arches  = []string{"alpha", "armv6l", "armv7l", "armv7b", "aarch64", "cris", "i686", "ia64",
		"lm32", "m68k", "microblaze", "microblazeel", "mips", "mipsel", "mips64", "mips64el",
		"openrisc", "parisc", "parisc64", "ppc", "ppcle", "ppc64", "ppc64le", "ppcemb",
		"riscv32", "riscv64", "s390", "s390x", "sh4", "sh4eb", "sparc", "sparc64",
		"unicore32", "x86_64", "xtensa", "xtensaeb"}
	lifecycleActions = []string{"destroy", "restart", "rename-restart", "preserve",
		"coredump-destroy", "coredump-restart"}
	lockFailureActions = []string{"default", "poweroff", "restart", "pause", "ignore"}
	clockOffsets       = []string{"utc", "localtime", "variable", "timezone", "absolute"}
	features           = []string{"acpi", "apic", "pae", "hap", "viridian", "privnet", "hyperv",
		"kvm", "pvspinlock", "capabilities", "pmu", "vmport", "gic", "smm", "ioapic", "hpt",
		"vmcoreinfo", "htm", "nested-hv", "msrs", "ccf-assist", "xen", "cfpc", "sbbc", "ibs", "tcg"}
	capFeatures = []string{"audit_control", "audit_write", "block_suspend", "chown",
		"dac_override", "dac_read_search", "fowner", "fsetid", "ipc_lock", "ipc_owner", "kill",
		"lease", "linux_immutable", "mac_admin", "mac_override", "mknod", "net_admin",
		"net_bind_service", "net_broadcast", "net_raw", "setgid", "setfcap", "setpcap", "setuid",
		"sys_admin", "sys_boot", "sys_chroot", "sys_module", "sys_nice", "sys_pacct",
		"sys_ptrace", "sys_rawio", "sys_resource", "sys_time", "sys_tty_config", "syslog",
		"wake_alarm"}
	fsTypes       = []string{"mount", "block", "file", "template", "ram", "bind", "volume"}
	fsAccessModes = []string{"", "passthrough", "mapped", "squash"}
	fsDrivers     = []string{"default", "path", "handle", "loop", "nbd", "ploop", "virtiofs"}
	fsFormats     = []string{"none", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi",
		"fat", "vhd", "ploop", "cow", "qcow", "qcow2", "qed", "vmdk"}
	netTypes = []string{"user", "ethernet", "vhostuser", "server", "client", "mcast", "network",
		"bridge", "internal", "direct", "hostdev", "udp", "vdpa", "null", "vds"}
	chrTypes = []string{"null", "vc", "pty", "dev", "file", "pipe", "stdio", "udp", "tcp", "unix",
		"spicevmc", "spiceport", "nmdm", "qemu-vdagent", "dbus"}
	consoleTargets = []string{"none", "serial", "xen", "uml", "virtio", "lxc", "openvz", "sclp", "sclplm"}
)
