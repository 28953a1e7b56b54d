// Package plan turns a parsed domain definition into the resolved container
// description (spec.Container) the init stage applies. It is pure: no
// syscalls, no files; everything about the host it needs comes in Host.
package plan

import (
	"strconv"
	"strings"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/netdev"
	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

// Host is what the plan needs to know about the machine.
type Host struct {
	// CgroupNS is true when the kernel has cgroup namespaces.
	CgroupNS bool
	// Cgroups are the hierarchies to mount inside the container.
	Cgroups []spec.CgroupMount
}

// Build resolves d for a start with passFDs inherited descriptors. Errors are
// libvirt's start-time rejections (spec §8.2) as *virerr.Error.
func Build(d *domainxml.Domain, passFDs int, host Host) (*spec.Container, error) {
	if d.OS == nil || d.OS.Init == "" {
		return nil, virerr.New(virerr.ErrXMLError, virerr.FromDomain, "init binary must be specified")
	}
	nconsoles, err := checkConsoles(d)
	if err != nil {
		return nil, err
	}
	c := &spec.Container{
		Name:      d.Name,
		UUID:      d.UUID,
		Hostname:  Hostname(d.Name),
		Consoles:  nconsoles,
		DevptsGID: 5,
		Init:      append([]string{d.OS.Init}, d.OS.InitArgs...),
		Cwd:       "/",
		User:      d.OS.InitUser,
		Group:     d.OS.InitGroup,
		PassFDs:   passFDs,
		NewIPC:    true,
		NewUTS:    true,
		NewCgroup: host.CgroupNS,
		Cgroups:   host.Cgroups,
		Root:      spec.Root{Kind: spec.MountHostBind, Source: "/"},
	}
	if d.OS.InitDir != "" {
		c.Cwd = d.OS.InitDir
	}
	c.Env = Env(d, nconsoles, passFDs)
	if err := planFilesystems(d, c); err != nil {
		return nil, err
	}
	if err := planNamespaces(d, c); err != nil {
		return nil, err
	}
	planCaps(d, c)
	if err := planSecurity(d, c); err != nil {
		return nil, err
	}
	return c, nil
}

func lxcError(code virerr.Code, format string, args ...any) error {
	return virerr.New(code, virerr.FromLXC, format, args...)
}

// checkConsoles applies "at least one console, all of them pty".
func checkConsoles(d *domainxml.Domain) (int, error) {
	var consoles []domainxml.Console
	if d.Devices != nil {
		consoles = d.Devices.Consoles
	}
	if len(consoles) == 0 {
		return 0, lxcError(virerr.ErrConfigUnsupported, "At least one PTY console is required")
	}
	for _, con := range consoles {
		if con.Source != nil && con.Source.Pty == nil {
			return 0, lxcError(virerr.ErrConfigUnsupported, "Only PTY console types are supported")
		}
	}
	return len(consoles), nil
}

// Hostname is the domain name reduced as libvirt reduces it: only
// [A-Za-z0-9-] kept, one leading '-' removed.
func Hostname(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		}
	}
	return strings.TrimPrefix(b.String(), "-")
}

// Env is init's whole environment, in libvirt's order (spec §2.8.2) with
// virtlxc's choices from ARCHITECTURE.md: PATH=/bin:/usr/bin, and
// LISTEN_FDS/LISTEN_PID when descriptors are passed.
func Env(d *domainxml.Domain, nconsoles, passFDs int) []string {
	env := []string{
		"PATH=/bin:/usr/bin",
		"TERM=linux",
		"container=lxc-libvirt",
		"HOME=/",
		"container_uuid=" + d.UUID,
	}
	if nconsoles > 1 {
		var ttys []string
		for i := 1; i < nconsoles; i++ {
			ttys = append(ttys, "pts/"+strconv.Itoa(i))
		}
		env = append(env, "container_ttys="+strings.Join(ttys, " "))
	}
	env = append(env, "LIBVIRT_LXC_UUID="+d.UUID, "LIBVIRT_LXC_NAME="+d.Name)
	if d.OS != nil && d.OS.Cmdline != "" {
		env = append(env, "LIBVIRT_LXC_CMDLINE="+d.OS.Cmdline)
	}
	if passFDs > 0 {
		env = append(env, "LISTEN_FDS="+strconv.Itoa(passFDs), "LISTEN_PID=1")
	}
	if d.OS != nil {
		for _, e := range d.OS.InitEnv {
			env = append(env, e.Name+"="+e.Value)
		}
	}
	return env
}

// planCaps copies <features><capabilities> into the spec.
func planCaps(d *domainxml.Domain, c *spec.Container) {
	if d.Features == nil || d.Features.Capabilities == nil {
		return
	}
	caps := d.Features.Capabilities
	c.CapPolicy = caps.Policy
	c.CapStates = CapabilityStates(caps)
}

// fsSourceDir returns the directory or device a filesystem names.
func fsSourceDir(fs domainxml.Filesystem) (kind string, src string) {
	s := fs.Source
	switch {
	case s == nil:
		return "mount", ""
	case s.Mount != nil:
		return "mount", s.Mount.Dir
	case s.Bind != nil:
		return "bind", s.Bind.Dir
	case s.Block != nil:
		return "block", s.Block.Dev
	case s.File != nil:
		return "file", s.File.File
	case s.RAM != nil:
		return "ram", ""
	case s.Template != nil:
		return "template", s.Template.Name
	case s.Volume != nil:
		return "volume", s.Volume.Volume
	}
	return "mount", ""
}

func planFilesystems(d *domainxml.Domain, c *spec.Container) error {
	if d.Devices == nil {
		return nil
	}
	for _, fs := range d.Devices.Filesystems {
		kind, src := fsSourceDir(fs)
		target := ""
		if fs.Target != nil {
			target = fs.Target.Dir
		}
		ro := fs.ReadOnly != nil
		if kind == "file" {
			if err := checkFileDriver(fs); err != nil {
				return err
			}
		}
		if target == "/" {
			switch kind {
			case "mount", "bind":
				c.Root = spec.Root{Kind: spec.MountHostBind, Source: src, ReadOnly: ro}
			case "block":
				c.Root = spec.Root{Kind: spec.MountBlock, Source: src, ReadOnly: ro}
			case "file":
				c.Root = spec.Root{Kind: spec.MountFile, Source: src, ReadOnly: ro}
			default:
				return lxcError(virerr.ErrConfigUnsupported, "Unsupported root filesystem type %s", kind)
			}
			continue
		}
		m := spec.Mount{Target: target, ReadOnly: ro, Source: src}
		switch kind {
		case "mount":
			m.Kind = spec.MountHostBind
		case "bind":
			m.Kind = spec.MountBind
		case "block":
			m.Kind = spec.MountBlock
		case "ram":
			m.Kind = spec.MountRAM
			m.SizeBytes = uint64(fs.Source.RAM.Usage) * 1024
		case "file":
			m.Kind = spec.MountFile
		default:
			return lxcError(virerr.ErrConfigUnsupported, "Cannot mount filesystem type %s", kind)
		}
		c.Mounts = append(c.Mounts, m)
	}
	return nil
}

func planNamespaces(d *domainxml.Domain, c *spec.Container) error {
	needNet := d.Features != nil && d.Features.PrivNet != nil
	if d.Devices != nil {
		ifaces, err := netdev.Plan(d.Devices.Interfaces)
		if err != nil {
			return err
		}
		c.Interfaces = ifaces
		if len(ifaces) > 0 {
			needNet = true
		}
		if c.NetDevs, err = netdev.PlanHostdevs(d.Devices.Hostdevs); err != nil {
			return err
		}
		if len(c.NetDevs) > 0 {
			needNet = true
		}
	}
	if ns := d.LXCNamespace; ns != nil {
		if ns.ShareNet != nil && needNet {
			return lxcError(virerr.ErrConfigUnsupported,
				"Config asks for inherit net namespace as well as private network interfaces")
		}
		for _, sh := range []struct {
			kind string
			m    *domainxml.NamespaceMap
		}{{"net", ns.ShareNet}, {"ipc", ns.ShareIPC}, {"uts", ns.ShareUTS}} {
			if sh.m == nil || sh.m.Type == "none" {
				continue
			}
			if sh.m.Type == "netns" && sh.kind != "net" {
				return lxcError(virerr.ErrConfigUnsupported, "'netns' namespace source can only be used with sharenet")
			}
			c.Share = append(c.Share, sh.kind)
			switch sh.kind {
			case "ipc":
				c.NewIPC = false
			case "uts":
				c.NewUTS = false
			}
		}
	}
	c.NewNet = needNet
	if m := d.IDMap; m != nil && len(m.UIDs) > 0 && len(m.GIDs) > 0 {
		c.NewUser = true
		c.IDMapRootUID = int(m.UIDs[0].Target)
		c.IDMapRootGID = int(m.GIDs[0].Target)
	}
	return nil
}

// CapabilityStates lists the per-capability on/off states of a
// <capabilities> element by libvirt name.
func CapabilityStates(caps *domainxml.FeatureCapabilities) map[string]string {
	states := map[string]string{}
	add := func(name string, f *domainxml.FeatureCapability) {
		if f == nil {
			return
		}
		st := f.State
		if st == "" {
			st = "on"
		}
		states[name] = st
	}
	add("audit_control", caps.AuditControl)
	add("audit_write", caps.AuditWrite)
	add("block_suspend", caps.BlockSuspend)
	add("chown", caps.Chown)
	add("dac_override", caps.DACOverride)
	add("dac_read_search", caps.DACReadSearch)
	add("fowner", caps.FOwner)
	add("fsetid", caps.FSetID)
	add("ipc_lock", caps.IPCLock)
	add("ipc_owner", caps.IPCOwner)
	add("kill", caps.Kill)
	add("lease", caps.Lease)
	add("linux_immutable", caps.LinuxImmutable)
	add("mac_admin", caps.MACAdmin)
	add("mac_override", caps.MACOverride)
	add("mknod", caps.MkNod)
	add("net_admin", caps.NetAdmin)
	add("net_bind_service", caps.NetBindService)
	add("net_broadcast", caps.NetBroadcast)
	add("net_raw", caps.NetRaw)
	add("setgid", caps.SetGID)
	add("setfcap", caps.SetFCap)
	add("setpcap", caps.SetPCap)
	add("setuid", caps.SetUID)
	add("sys_admin", caps.SysAdmin)
	add("sys_boot", caps.SysBoot)
	add("sys_chroot", caps.SysChRoot)
	add("sys_module", caps.SysModule)
	add("sys_nice", caps.SysNice)
	add("sys_pacct", caps.SysPAcct)
	add("sys_ptrace", caps.SysPTrace)
	add("sys_rawio", caps.SysRawIO)
	add("sys_resource", caps.SysResource)
	add("sys_time", caps.SysTime)
	add("sys_tty_config", caps.SysTTYCnofig)
	add("syslog", caps.SysLog)
	add("wake_alarm", caps.WakeAlarm)
	return states
}

// checkFileDriver applies libvirt's rules for <filesystem type='file'>: the
// loop driver (the default for raw images) is supported; nbd needs
// qemu-nbd, which virtlxc does not run.
func checkFileDriver(fs domainxml.Filesystem) error {
	drv, format := "", ""
	if fs.Driver != nil {
		drv, format = fs.Driver.Type, fs.Driver.Format
	}
	if drv == "" {
		if format == "" || format == "raw" || format == "none" {
			drv = "loop"
		} else {
			drv = "nbd"
		}
	}
	switch drv {
	case "loop":
		if format != "" && format != "raw" && format != "none" {
			return lxcError(virerr.ErrConfigUnsupported, "fs format %s is not supported", format)
		}
		return nil
	case "nbd":
		return lxcError(virerr.ErrConfigUnsupported, "fs driver %s is not supported (no qemu-nbd support)", drv)
	}
	return lxcError(virerr.ErrConfigUnsupported, "fs driver %s is not supported", drv)
}
