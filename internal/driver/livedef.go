package driver

import (
	"fmt"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/cgroups"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/netdev"
	"virtlxc/internal/virerr"
)

// libvirtEmulators are the paths of libvirt's own controller; a definition
// naming one of them runs virtlxc's controller.
var libvirtEmulators = []string{domainxml.DefaultEmulator, "/usr/lib/libvirt/libvirt_lxc"}

// checkConsoles applies libvirt's start-time console rules.
func checkConsoles(def *domainxml.Domain) error {
	if def.Devices == nil || len(def.Devices.Consoles) == 0 {
		return virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "At least one PTY console is required")
	}
	for _, c := range def.Devices.Consoles {
		if c.Source != nil && c.Source.Pty == nil {
			return virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "Only PTY console types are supported")
		}
	}
	return nil
}

// checkSecLabels refuses a definition asking for a security label model
// this host cannot apply, as libvirt's virSecurityManagerCheckAllLabel
// does at start: virtlxc's security model is "none" (no SELinux or
// AppArmor driver), so only model "none" (or none given) passes.
func checkSecLabels(def *domainxml.Domain) error {
	for _, l := range def.SecLabel {
		if l.Model != "" && l.Model != "none" {
			return virerr.New(virerr.ErrConfigUnsupported, virerr.FromSecurity,
				"Unable to find security driver for model %s", l.Model)
		}
	}
	return nil
}

// ensurePartition gives def the default resource partition when it has
// none (libvirt does this to the definition being started).
func ensurePartition(def *domainxml.Domain) {
	if def.Resource == nil {
		def.Resource = alloc(def.Resource)
	}
	if def.Resource.Partition == "" {
		def.Resource.Partition = cgroups.DefaultPartition
	}
}

// recordIfaceNames records in the live definition what a start named:
// each interface's host end (names, in interface order; "" for none) and,
// where the definition gave none, its name inside the container (<guest
// dev='ethK'/>, as libvirt records them at start; not for interfaces
// attached later). It reports whether it changed anything.
func recordIfaceNames(live *domainxml.Domain, names []string) bool {
	if live.Devices == nil || len(live.Devices.Interfaces) == 0 {
		return false
	}
	guests := netdev.NewGuestNames(live.Devices.Interfaces)
	for i := range live.Devices.Interfaces {
		n := &live.Devices.Interfaces[i]
		guest := guests.Next(*n)
		if n.Guest == nil || n.Guest.Dev == "" {
			n.Guest = &libvirtxml.DomainInterfaceGuest{Dev: guest}
		}
		if i < len(names) && names[i] != "" {
			if n.Target == nil {
				n.Target = alloc(n.Target)
			}
			n.Target.Dev = names[i]
		}
	}
	return true
}

// partitionOf returns def's resource partition, or the default one.
func partitionOf(def *domainxml.Domain) string {
	if def != nil && def.Resource != nil && def.Resource.Partition != "" {
		return def.Resource.Partition
	}
	return cgroups.DefaultPartition
}

// hostRootFS is the root filesystem libvirt adds to a definition without
// one, <filesystem type='mount'><source dir='/'/><target dir='/'/>: after
// post-parse, so no accessmode is printed.
func hostRootFS() domainxml.Filesystem {
	var root domainxml.Filesystem
	root.XMLName.Local = "filesystem"
	root.Source = alloc(root.Source)
	root.Source.Mount = alloc(root.Source.Mount)
	root.Source.Mount.Dir = "/"
	root.Target = alloc(root.Target)
	root.Target.Dir = "/"
	return root
}

// buildLiveDef returns the live definition of a domain about to start
// from def: a copy with the implicit root filesystem (host / at /) when no
// filesystem has target /, the resource partition, and each console's
// tty, source path and alias (console0, console1, ...). The pty path is
// the container-side /dev/pts/N of the container's private devpts.
func buildLiveDef(def *domainxml.Domain) (*domainxml.Domain, error) {
	live := domainxml.Clone(def)
	ensurePartition(live)
	if live.Devices == nil {
		live.Devices = alloc(live.Devices)
	}
	hasRoot := false
	for _, fs := range live.Devices.Filesystems {
		if fs.Target != nil && fs.Target.Dir == "/" {
			hasRoot = true
		}
	}
	if !hasRoot {
		live.Devices.Filesystems = append([]domainxml.Filesystem{hostRootFS()}, live.Devices.Filesystems...)
	}
	for i := range live.Devices.Consoles {
		c := &live.Devices.Consoles[i]
		pts := fmt.Sprintf("/dev/pts/%d", i)
		if c.Source == nil {
			c.Source = alloc(c.Source)
		}
		if c.Source.Pty == nil {
			c.Source.Pty = alloc(c.Source.Pty)
		}
		c.Source.Pty.Path = pts
		if i == 0 {
			// virDomainChrDefFormat prints tty= for the first console
			// only (its compatibility with the old <console tty>).
			c.TTY = pts
		}
		c.Alias = alloc(c.Alias)
		c.Alias.Name = fmt.Sprintf("console%d", i)
	}
	return live, nil
}

// inactiveView returns def as libvirt formats a live definition with the
// INACTIVE flag: without id and without the consoles' pty paths.
func inactiveView(def *domainxml.Domain) *domainxml.Domain {
	out := domainxml.Clone(def)
	out.ID = nil
	if out.Devices != nil {
		for i := range out.Devices.Consoles {
			c := &out.Devices.Consoles[i]
			c.TTY = ""
			if c.Source != nil && c.Source.Pty != nil {
				c.Source.Pty.Path = ""
			}
		}
		for i := range out.Devices.Interfaces {
			// A network interface without its port: libvirt's
			// inactive format prints the network alone.
			if s := out.Devices.Interfaces[i].Source; s != nil && s.Network != nil {
				s.Direct = nil
				s.Network.Bridge, s.Network.PortID = "", ""
			}
		}
	}
	return out
}

// emulatorOf returns the program to run as def's controller: virtlxc's
// own for no emulator, libvirt's paths and the driver's default, else the
// emulator named.
func (d *Driver) emulatorOf(def *domainxml.Domain) string {
	emu := ""
	if def.Devices != nil {
		emu = def.Devices.Emulator
	}
	if emu == "" || emu == d.emulator {
		return d.controller
	}
	for _, e := range libvirtEmulators {
		if emu == e {
			return d.controller
		}
	}
	return emu
}
