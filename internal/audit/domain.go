package audit

import (
	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/domainxml"
)

// StartResources is the resource part of virDomainAuditStart for def, in
// libvirt's order, every record with reason start and success true: one
// disk record per disk, fs per filesystem, net per interface, one per
// hostdev (caps net gives none), chardev per console, then mem and vcpu.
func StartResources(d Domain, def *libvirtxml.Domain) []Record {
	var recs []Record
	add := func(r Record, ok bool) {
		if ok {
			recs = append(recs, r)
		}
	}
	if dev := def.Devices; dev != nil {
		for _, disk := range dev.Disks {
			add(GenericDev(d, "disk", ReasonStart, "", domainxml.DiskSource(disk), true))
		}
		for _, fs := range dev.Filesystems {
			add(GenericDev(d, "fs", ReasonStart, "", fsPath(fs), true))
		}
		for _, nic := range dev.Interfaces {
			mac := ""
			if nic.MAC != nil {
				mac = nic.MAC.Address
			}
			add(GenericDev(d, "net", ReasonStart, "", mac, true))
		}
		for _, h := range dev.Hostdevs {
			add(hostdevRecord(d, ReasonStart, h, true))
		}
		for _, c := range dev.Consoles {
			path := ""
			if c.Source != nil && c.Source.Pty != nil {
				path = c.Source.Pty.Path
			}
			add(GenericDev(d, "chardev", ReasonStart, "", path, true))
		}
	}
	var mem, vcpu int64
	if def.Memory != nil {
		mem = int64(scaleKiB(def.Memory.Value, def.Memory.Unit))
	}
	if def.VCPU != nil {
		vcpu = int64(def.VCPU.Value)
		if def.VCPU.Current > 0 { // virDomainDefGetVcpus: the vcpus online
			vcpu = int64(def.VCPU.Current)
		}
	}
	recs = append(recs, Sized(d, "mem", ReasonStart, 0, mem, true), Sized(d, "vcpu", ReasonStart, 0, vcpu, true))
	return recs
}

// hostdevRecord is virDomainAuditHostdev's record for h; ok is false for
// the kinds that give none (caps net, PCI/SCSI/mdev, which LXC refuses).
func hostdevRecord(d Domain, reason string, h libvirtxml.DomainHostdev, success bool) (Record, bool) {
	switch {
	case h.SubsysUSB != nil:
		var bus, dev uint
		if s := h.SubsysUSB.Source; s != nil && s.Address != nil {
			if s.Address.Bus != nil {
				bus = *s.Address.Bus
			}
			if s.Address.Device != nil {
				dev = *s.Address.Device
			}
		}
		return USBHostdev(d, reason, bus, dev, success), true
	case h.CapsStorage != nil:
		path := ""
		if h.CapsStorage.Source != nil {
			path = h.CapsStorage.Source.Block
		}
		return CapsHostdev(d, reason, "disk", path, success), true
	case h.CapsMisc != nil:
		path := ""
		if h.CapsMisc.Source != nil {
			path = h.CapsMisc.Source.Char
		}
		return CapsHostdev(d, reason, "chardev", path, success), true
	}
	return Record{}, false
}

// fsPath is a filesystem's source (fs->src->path): the directory, file,
// block device, template or volume name; "" for ram filesystems.
func fsPath(fs libvirtxml.DomainFilesystem) string {
	s := fs.Source
	switch {
	case s == nil:
		return ""
	case s.Mount != nil:
		return s.Mount.Dir
	case s.File != nil:
		return s.File.File
	case s.Block != nil:
		return s.Block.Dev
	case s.Template != nil:
		return s.Template.Name
	case s.Bind != nil:
		return s.Bind.Dir
	case s.Volume != nil:
		return s.Volume.Volume
	}
	return ""
}

// scaleKiB converts a libvirt memory value in unit to KiB.
func scaleKiB(v uint, unit string) uint64 {
	n := uint64(v)
	switch unit {
	case "b", "bytes":
		return n / 1024
	case "", "k", "KiB":
		return n
	case "KB":
		return n * 1000 / 1024
	case "M", "MiB":
		return n << 10
	case "MB":
		return n * 1000 * 1000 / 1024
	case "G", "GiB":
		return n << 20
	case "GB":
		return n * 1000 * 1000 * 1000 / 1024
	case "T", "TiB":
		return n << 30
	case "TB":
		return n * 1000 * 1000 * 1000 * 1000 / 1024
	}
	return n
}

// Disk is virDomainAuditDisk: the record of a disk replaced, attached
// (old nil) or detached (new nil); ok is false when neither has a local
// path (libvirt then sends none).
func Disk(d Domain, reason string, old, new *libvirtxml.DomainDisk, success bool) (Record, bool) {
	var o, n string
	if old != nil {
		o = domainxml.DiskSource(*old)
	}
	if new != nil {
		n = domainxml.DiskSource(*new)
	}
	return GenericDev(d, "disk", reason, o, n, success)
}

// Hostdev is virDomainAuditHostdev: the record of host device h attached
// or detached; ok is false for the kinds that give none.
func Hostdev(d Domain, reason string, h libvirtxml.DomainHostdev, success bool) (Record, bool) {
	return hostdevRecord(d, reason, h, success)
}
