package domainxml

import (
	"reflect"
	"strconv"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/cparse"
	"virtlxc/internal/virerr"
)

// postParse does what libvirt's virDomainDefPostParse does for an LXC
// domain, in its order: the LXC callback (capabilities lookup, default
// emulator), the per-device callbacks, virDomainDefPostParseCommon and the
// feature checks. It also puts libvirt's reading of the input (p) into the
// model and fills the defaults libvirt prints.
func postParse(d *Domain, p *parsed, opts Options) error {
	applyParsed(d, p)
	if err := capsLookup(p, opts); err != nil {
		return err
	}
	if d.Devices == nil {
		d.Devices = &libvirtxml.DomainDeviceList{}
	}
	if d.Devices.Emulator == "" {
		d.Devices.Emulator = opts.Emulator
		if d.Devices.Emulator == "" {
			d.Devices.Emulator = DefaultEmulator
		}
	}
	if err := fillDevices(d, p, opts); err != nil {
		return err
	}
	// virDomainDefPostParse: LXC has no input devices, and no default
	// model for the video device a <graphics> implies.
	if len(d.Devices.Inputs) > 0 {
		return domErr(virerr.ErrInternalError, "Input devices are not supported by this virtualization driver.")
	}
	if len(d.Devices.Graphics) > 0 && len(d.Devices.Videos) == 0 {
		return domErr(virerr.ErrInternalError, "missing video model and cannot determine default")
	}
	if d.VCPU != nil && d.VCPU.Value == 0 {
		// libvirt's words for a domain without vCPUs.
		return domErr(virerr.ErrInternalError, "CPU IDs in <numa> exceed the <vcpu> count")
	}
	if len(d.Devices.Memorydevs) > 0 {
		return domErr(virerr.ErrConfigUnsupported, "memory devices are not supported by this driver")
	}
	if len(d.Devices.RedirDevs) > 0 {
		return domErr(virerr.ErrConfigUnsupported, "cannot add redirected USB device: USB is disabled for this domain")
	}
	if d.NUMATune != nil && len(d.NUMATune.MemNodes) > 0 && (d.CPU == nil || d.CPU.Numa == nil || len(d.CPU.Numa.Cell) == 0) {
		return xmlError("Element 'memnode' is invalid without any guest NUMA cells")
	}
	if d.CPU != nil && d.CPU.Topology != nil && d.CPU.Topology.Dies == 0 {
		d.CPU.Topology.Dies = 1 // virCPUDefParseXML: one die unless said
	}
	// virDomainDefPostParseCommon
	if p.osType == "exe" && d.OS.Init == "" {
		return xmlError("init binary must be specified")
	}
	if err := fillMemory(d, p); err != nil {
		return err
	}
	fillNumaPlacement(d)
	for i, c := range d.Devices.Consoles {
		if i > 0 && c.Target != nil && c.Target.Type == "serial" {
			return domErr(virerr.ErrConfigUnsupported, "Only the first console can be a serial port")
		}
	}
	// virDomainDefPostParseCheckFeatures: LXC has none of the optional
	// features.
	if p.maxKiB > 0 && p.slots > 0 {
		return domErr(virerr.ErrConfigUnsupported, "memory hotplug tunables <maxMemory> are not supported by this hypervisor driver")
	}
	if containsByte(p.name, '/') {
		return xmlError("name %s cannot contain '/'", p.name)
	}
	if d.VCPUs != nil && len(d.VCPUs.VCPU) > 0 {
		return domErr(virerr.ErrConfigUnsupported, "individual CPU state configuration is not supported")
	}
	return nil
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// capsLookup is virCapabilitiesDomainSupported against the LXC driver's
// capabilities: os type exe, the host arch or its 32-bit alternative,
// domain type lxc ("none" matches anything).
func capsLookup(p *parsed, opts Options) error {
	host := archOr("", opts)
	arches := []string{host}
	if alt := alt32(host); alt != "" {
		arches = append(arches, alt)
	}
	archOK := p.arch == "" // VIR_ARCH_NONE matches any
	for _, a := range arches {
		archOK = archOK || a == p.arch
	}
	if p.osType == "exe" && archOK && (p.virtType == "lxc" || p.virtType == "none") {
		return nil
	}
	msg := ""
	if p.osType != "hvm" {
		msg += "ostype=" + p.osType + " "
	}
	msg += "arch=" + p.arch + " "
	if p.virtType != "none" {
		msg += "domaintype=" + p.virtType + " "
	}
	return virerr.New(virerr.ErrInvalidArg, virerr.FromCapabilities, "could not find capabilities for %s", msg)
}

// alt32 is lxcContainerGetAlt32bitArch.
func alt32(arch string) string {
	return map[string]string{"x86_64": "i686", "s390x": "s390", "ppc64": "ppc", "parisc64": "parisc",
		"sparc64": "sparc", "mips64": "mips", "mips64el": "mipsel", "aarch64": "armv7l"}[arch]
}

func archOr(arch string, opts Options) string {
	if arch != "" {
		return arch
	}
	if opts.HostArch != "" {
		return opts.HostArch
	}
	return hostArch()
}

// applyParsed puts libvirt's reading of the input into the model, where
// libvirtxml reads it differently (the first of repeated elements, XPath
// string values, libvirt's number syntax, defaults).
func applyParsed(d *Domain, p *parsed) {
	d.Name, d.UUID, d.Type = p.name, p.uuid, p.virtType
	if d.OS == nil {
		d.OS = &libvirtxml.DomainOS{}
	}
	if d.OS.Type == nil {
		d.OS.Type = &libvirtxml.DomainOSType{}
	}
	d.OS.Type.Type, d.OS.Type.Arch = p.osType, p.arch
	if p.osType == "exe" {
		d.OS.InitArgs = p.initArgs
		d.OS.InitEnv = nil
		for _, e := range p.initEnv {
			d.OS.InitEnv = append(d.OS.InitEnv, libvirtxml.DomainOSInitEnv{Name: e[0], Value: e[1]})
		}
		d.OS.Init, d.OS.InitDir, d.OS.InitUser, d.OS.InitGroup, d.OS.Cmdline =
			p.osText["init"], p.osText["initdir"], p.osText["inituser"], p.osText["initgroup"], p.osText["cmdline"]
	}
	d.OnPoweroff, d.OnReboot, d.OnCrash = p.onPoweroff, p.onReboot, p.onCrash
	d.OnLockFailure = "" // printed only when not the default
	if p.onLockFailure != "default" {
		d.OnLockFailure = p.onLockFailure
	}
	if p.uidMaps == 0 && p.gidMaps == 0 {
		d.IDMap = nil
	}
	if m := d.IDMap; m != nil { // libvirt sorts the ranges as it parses them
		sortIDMap(m.UIDs, func(r libvirtxml.DomainIDMapRange) uint { return r.Start })
		sortIDMap(m.GIDs, func(r libvirtxml.DomainIDMapRange) uint { return r.Start })
	}
	if d.VCPU == nil {
		d.VCPU = &libvirtxml.DomainVCPU{}
	}
	d.VCPU.Value, d.VCPU.Placement, d.VCPU.Current = p.vcpuMax, p.placement, 0
	if p.vcpuCur < p.vcpuMax {
		d.VCPU.Current = p.vcpuCur
	}
	d.VCPU.CPUSet = ""
	if p.placement != "auto" && len(p.cpuset) > 0 && len(p.cpuset) < 1024 {
		d.VCPU.CPUSet = cparse.FormatBitmap(p.cpuset)
	}
	normalizeClock(d)
	normalizeFeatures(d)
}

// normalizeClock prints <clock> as virDomainDefFormat does: a numeric
// adjustment of utc/localtime makes the offset variable.
func normalizeClock(d *Domain) {
	c := d.Clock
	if c == nil {
		d.Clock = &libvirtxml.DomainClock{Offset: "utc"}
		return
	}
	if c.Offset == "" {
		c.Offset = "utc"
	}
	adj, basis, tz, start := c.Adjustment, c.Basis, c.TimeZone, c.Start
	c.Adjustment, c.Basis, c.TimeZone, c.Start = "", "", "", 0
	switch c.Offset {
	case "utc", "localtime":
		switch {
		case adj == "reset":
			c.Adjustment = adj
		case adj != "":
			v, _ := cparse.LL(adj)
			c.Offset, c.Adjustment, c.Basis = "variable", strconv.FormatInt(v, 10), c.Offset
		}
	case "variable":
		v, _ := cparse.LL(adj) // unreadable means 0
		c.Adjustment, c.Basis = strconv.FormatInt(v, 10), basis
		if c.Basis == "" {
			c.Basis = "utc"
		}
	case "timezone":
		c.TimeZone = tz
	case "absolute":
		c.Start = start
	}
}

// normalizeFeatures prints <features><capabilities> as libvirt does: a
// capability without state is on, the policy is printed when not default
// or when capabilities are listed, and an empty <features> goes away.
func normalizeFeatures(d *Domain) {
	f := d.Features
	if f == nil {
		return
	}
	if c := f.Capabilities; c != nil {
		any := false
		v := reflect.ValueOf(c).Elem()
		for i := 0; i < v.NumField(); i++ {
			if cp, ok := v.Field(i).Interface().(*libvirtxml.DomainFeatureCapability); ok && cp != nil {
				any = true
				if cp.State == "" {
					cp.State = "on"
				}
			}
		}
		switch {
		case any && c.Policy == "":
			c.Policy = "default"
		case !any && (c.Policy == "" || c.Policy == "default"):
			f.Capabilities = nil
		}
	}
	if reflect.ValueOf(*f).IsZero() {
		d.Features = nil
	}
}

// fillMemory is virDomainDefPostParseMemory (sizes in KiB, currentMemory
// clamped to memory) and memtune's defaults.
func fillMemory(d *Domain, p *parsed) error {
	if p.memKiB == 0 {
		return xmlError("Memory size must be specified via <memory> or in the <numa> configuration")
	}
	cur := p.curKiB
	if cur == 0 || cur > p.memKiB {
		cur = p.memKiB
	}
	if (p.maxKiB > 0 || p.slots > 0) && !(p.maxKiB > 0 && p.slots > 0) {
		return xmlError("both maximum memory size and memory slot count must be specified")
	}
	if p.maxKiB > 0 && p.maxKiB < p.memKiB {
		return xmlError("maximum memory size must be equal or greater than the actual memory size")
	}
	dump := ""
	if d.Memory != nil {
		dump = d.Memory.DumpCore
	}
	d.Memory = &libvirtxml.DomainMemory{Value: uint(p.memKiB), Unit: "KiB", DumpCore: dump}
	d.CurrentMemory = &libvirtxml.DomainCurrentMemory{Value: uint(cur), Unit: "KiB"}
	d.MaximumMemory = nil // an LXC domain cannot have one (checked above)
	d.MemoryTune = nil
	var limits [4]*libvirtxml.DomainMemoryTuneLimit
	set := false
	for i, v := range p.memtune {
		if (i == 2 && v > 0) || (i != 2 && v < memoryUnlimited) {
			limits[i] = &libvirtxml.DomainMemoryTuneLimit{Value: v, Unit: "KiB"}
			set = true
		}
	}
	if set {
		d.MemoryTune = &libvirtxml.DomainMemoryTune{HardLimit: limits[0], SoftLimit: limits[1],
			MinGuarantee: limits[2], SwapHardLimit: limits[3]}
	}
	return nil
}

// validateDef is what virDomainDefValidate checks for an LXC domain: the
// devices first, then the domain-wide rules.
func validateDef(d *Domain, p *parsed) error {
	for _, n := range p.nets {
		if n.hostIP && n.typ != "ethernet" {
			return domErr(virerr.ErrConfigUnsupported, "Invalid attempt to set network interface host-side IP route "+
				"and/or address info on interface of type '%s'. This is only supported on interfaces of type 'ethernet'", n.typ)
		}
		if n.managed == "no" && n.typ != "ethernet" {
			return domErr(virerr.ErrConfigUnsupported, "unmanaged target dev is not supported on interfaces of type '%s'", n.typ)
		}
	}
	for _, fs := range d.Devices.Filesystems {
		if fs.Target == nil || fs.Target.Dir == "" {
			if src := fsSource(&fs); src != "" {
				return domErr(virerr.ErrNoTarget, "%s", src)
			}
			return domErr(virerr.ErrNoTarget, "")
		}
	}
	for _, a := range []struct{ event, action string }{{"poweroff", d.OnPoweroff}, {"reboot", d.OnReboot}} {
		if a.action == "coredump-destroy" || a.action == "coredump-restart" {
			return domErr(virerr.ErrConfigUnsupported, "Lifecycle event '%s' doesn't support '%s' action", a.event, a.action)
		}
	}
	if p.shares > 0 && (p.shares < 2 || p.shares > 262144) {
		return domErr(virerr.ErrConfigUnsupported, "Value of cputune 'shares' must be in range [2, 262144]")
	}
	for i, v := range p.periods {
		if v > 0 && (v < 1000 || v > 1000000) {
			return domErr(virerr.ErrConfigUnsupported, "Value of cputune '%s' must be in range [1000, 1000000]", cputuneNames[1+2*i])
		}
	}
	for i, v := range p.quotas {
		if v > 0 && (v < 1000 || v > 17592186044415) {
			return domErr(virerr.ErrConfigUnsupported, "Value of cputune '%s' must be in range [1000, 17592186044415]", cputuneNames[2+2*i])
		}
	}
	if (p.uidMaps > 0) != (p.gidMaps > 0) {
		return domErr(virerr.ErrConfigUnsupported, "uid and gid should be mapped both")
	}
	if m := d.IDMap; m != nil && p.uidMaps > 0 {
		if m.UIDs[0].Start != 0 || m.GIDs[0].Start != 0 {
			return domErr(virerr.ErrConfigUnsupported, "You must map the root user of container")
		}
	}
	return nil
}

// fillNumaPlacement is virDomainNumatuneParseXML's default: with vCPUs
// placed automatically, memory is placed automatically too (strict, when
// no <numatune> says otherwise) unless a nodeset or placement is given.
func fillNumaPlacement(d *Domain) {
	if d.VCPU == nil || d.VCPU.Placement != "auto" {
		return
	}
	switch {
	case d.NUMATune == nil:
		d.NUMATune = &libvirtxml.DomainNUMATune{Memory: &libvirtxml.DomainNUMATuneMemory{Mode: "strict", Placement: "auto"}}
	case d.NUMATune.Memory != nil && d.NUMATune.Memory.Nodeset == "" && d.NUMATune.Memory.Placement == "":
		d.NUMATune.Memory.Placement = "auto"
	}
}
