package domainxml

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/virerr"
)

var initEnvName = regexp.MustCompile(`^[a-zA-Z_]+[a-zA-Z0-9_]*$`)

// reservedIfnamePrefixes are the prefixes of host interface names libvirt
// generates itself; user-given target names using them are dropped from an
// inactive definition (virDomainNetDefParseXML).
var reservedIfnamePrefixes = []string{"vnet", "vif", "macvtap", "macvlan"}

// postParse checks d as libvirt's generic parser and LXC callbacks do and
// fills the defaults they fill.
func postParse(d *Domain, opts Options) error {
	if err := checkIdentity(d); err != nil {
		return err
	}
	if err := checkOS(d, opts); err != nil {
		return err
	}
	if err := fillMemory(d); err != nil {
		return err
	}
	if d.VCPU == nil {
		d.VCPU = &libvirtxml.DomainVCPU{Value: 1}
	}
	if d.VCPU.Placement == "" {
		d.VCPU.Placement = "static"
	}
	if d.Clock == nil {
		d.Clock = &libvirtxml.DomainClock{Offset: "utc"}
	}
	if d.OnPoweroff == "" {
		d.OnPoweroff = "destroy"
	}
	if d.OnReboot == "" {
		d.OnReboot = "restart"
	}
	if d.OnCrash == "" {
		d.OnCrash = "destroy"
	}
	if err := checkEnums(d); err != nil {
		return err
	}
	if err := checkIDMap(d); err != nil {
		return err
	}
	if err := checkNamespaces(d); err != nil {
		return err
	}
	return fillDevices(d, opts)
}

func checkIdentity(d *Domain) error {
	if d.Type == "" {
		return xmlError("missing domain type attribute")
	}
	if d.Type != "lxc" {
		return virerr.New(virerr.ErrConfigUnsupported, virerr.FromCapabilities,
			"Emulator '%s' does not support virt type '%s'", DefaultEmulator, d.Type)
	}
	if d.Name == "" {
		return virerr.New(virerr.ErrNoName, virerr.FromDomain, "")
	}
	if strings.Contains(d.Name, "/") {
		return xmlError("name %s cannot contain '/'", d.Name)
	}
	if strings.ContainsAny(d.Name, "\n") {
		return xmlError("name %s cannot contain '\n'", d.Name)
	}
	if d.UUID == "" {
		d.UUID = NewUUID()
		return nil
	}
	u, ok := ParseUUID(d.UUID)
	if !ok {
		return xmlError("malformed uuid element")
	}
	d.UUID = u
	return nil
}

func checkOS(d *Domain, opts Options) error {
	if d.OS == nil || d.OS.Type == nil || d.OS.Type.Type == "" {
		return xmlError("an os <type> must be specified")
	}
	if d.OS.Type.Type != "exe" {
		return virerr.New(virerr.ErrConfigUnsupported, virerr.FromCapabilities,
			"No guest options available for arch '%s'", archOr(d.OS.Type.Arch, opts))
	}
	arch := archOr(d.OS.Type.Arch, opts)
	host := archOr("", opts)
	if arch != host && !(host == "x86_64" && arch == "i686") && !(host == "aarch64" && arch == "armv7l") {
		return virerr.New(virerr.ErrConfigUnsupported, virerr.FromCapabilities,
			"No guest options available for arch '%s'", arch)
	}
	d.OS.Type.Arch = arch
	if d.OS.Init == "" {
		return xmlError("init binary must be specified")
	}
	for _, e := range d.OS.InitEnv {
		if !initEnvName.MatchString(e.Name) {
			return xmlError("invalid initenv name '%s'", e.Name)
		}
	}
	return nil
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

// fillMemory normalises memory sizes to KiB and defaults currentMemory.
func fillMemory(d *Domain) error {
	var total uint64
	if d.Memory != nil {
		kib, err := toKiB(uint64(d.Memory.Value), d.Memory.Unit)
		if err != nil {
			return xmlError("invalid value for 'memory': %s", err)
		}
		total = kib
		d.Memory.Value, d.Memory.Unit = uint(kib), "KiB"
	}
	if total == 0 {
		return xmlError("Memory size must be specified via <memory> or in the <numa> configuration")
	}
	cur := total
	if d.CurrentMemory != nil {
		kib, err := toKiB(uint64(d.CurrentMemory.Value), d.CurrentMemory.Unit)
		if err != nil {
			return xmlError("invalid value for 'currentMemory': %s", err)
		}
		if kib != 0 && kib < total {
			cur = kib
		}
	}
	d.CurrentMemory = &libvirtxml.DomainCurrentMemory{Value: uint(cur), Unit: "KiB"}
	if mt := d.MemoryTune; mt != nil {
		for _, l := range []*libvirtxml.DomainMemoryTuneLimit{mt.HardLimit, mt.SoftLimit, mt.MinGuarantee, mt.SwapHardLimit} {
			if l == nil {
				continue
			}
			kib, err := toKiB(l.Value, l.Unit)
			if err != nil {
				return xmlError("invalid value for memtune: %s", err)
			}
			l.Value, l.Unit = kib, "KiB"
		}
	}
	return nil
}

// NewUUID returns a random (version 4) UUID in libvirt's format.
func NewUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ParseUUID accepts a UUID as libvirt's virUUIDParse does (32 hex digits,
// dashes and spaces between them ignored, leading and trailing blanks
// allowed) and returns it in canonical lowercase dashed form.
func ParseUUID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var b [16]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' || c == ' ' {
			continue
		}
		if n >= 32 || !isHex(c) || i+1 >= len(s) || !isHex(s[i+1]) {
			return "", false
		}
		b[n/2] = hexVal(c)<<4 | hexVal(s[i+1])
		n += 2
		i++
	}
	if n != 32 {
		return "", false
	}
	return formatUUID(b), true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
