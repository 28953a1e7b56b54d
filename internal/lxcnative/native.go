// Package lxcnative turns an LXC tools container configuration
// (lxc.utsname, lxc.rootfs, lxc.network.*, lxc.net.N.*, lxc.mount.entry,
// lxc.cgroup.*, ...) into a domain definition as libvirt 9.0's LXC driver
// does for virsh domxml-from-native lxc-tools (lxc_native.c): the same
// keys, defaults, quirks and errors.
package lxcnative

import (
	"fmt"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/cparse"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/virerr"
)

// Format is the native format name libvirt's LXC driver accepts.
const Format = "lxc-tools"

// unknownError is what a client reads when libvirt's conversion fails
// without reporting why (virErrorGenericFailure).
func unknownError() error {
	return virerr.Raw(virerr.ErrInternalError, virerr.FromNone, "An error occurred, but the cause is unknown")
}

func internalError(format string, args ...any) error {
	return virerr.New(virerr.ErrInternalError, virerr.FromLXC, format, args...)
}

// Convert reads an LXC configuration and returns the domain libvirt
// makes of it, defaults filled (opts: the emulator and host arch); the
// UUID is new.
func Convert(text string, opts domainxml.Options) (*domainxml.Domain, error) {
	conf, err := readConfig(text)
	if err != nil {
		return nil, err
	}
	b := &builder{}
	if err := b.build(conf); err != nil {
		return nil, err
	}
	opts.NoDefaultArch, opts.SkipValidate, opts.Validate, opts.Live = true, true, false, false
	d, err := domainxml.Parse([]byte(b.document()), opts)
	if err != nil {
		return nil, err
	}
	// What libvirt sets without its XML parser's checks.
	if d.Devices != nil {
		for i := range d.Devices.Interfaces {
			if i < len(b.macs) {
				d.Devices.Interfaces[i].MAC = &libvirtxml.DomainInterfaceMAC{Address: b.macs[i]}
			}
		}
	}
	if len(b.uidMap)+len(b.gidMap) > 0 {
		d.IDMap = &libvirtxml.DomainIDMap{UIDs: b.uidMap, GIDs: b.gidMap}
	}
	return d, nil
}

// builder collects the definition's elements as XML text.
type builder struct {
	name, arch          string
	memory              string // KiB; "" is the default 64 MiB
	memtune, cputune    strings.Builder
	blkiotune, numatune strings.Builder
	cpuset              string
	features            strings.Builder
	filesystems         strings.Builder
	interfaces          strings.Builder
	consoles, hostdevs  strings.Builder
	macs                []string
	uidMap, gidMap      []libvirtxml.DomainIDMapRange
}

// esc escapes text for an XML attribute or element.
func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", `"`, "&quot;").Replace(s)
}

// build is lxcParseConfigString, in its order.
func (b *builder) build(conf config) error {
	if v, ok := conf.get("lxc.arch"); ok {
		switch {
		case domainxml.KnownArch(v):
			b.arch = v
		case v == "x86":
			b.arch = "i686"
		case v == "amd64":
			b.arch = "x86_64"
		}
	}
	name, ok := conf.get("lxc.uts.name")
	if !ok {
		if name, ok = conf.get("lxc.utsname"); !ok {
			return unknownError()
		}
	}
	b.name = name
	root, ok := conf.get("lxc.rootfs.path")
	if !ok {
		if root, ok = conf.get("lxc.rootfs"); !ok {
			return unknownError()
		}
	}
	b.filesystem(strings.HasPrefix(root, "/dev/"), false, root, "/", false, 0)
	_, fstab := conf.get("lxc.mount.fstab")
	_, mount := conf.get("lxc.mount")
	if fstab || mount {
		return virerr.New(virerr.ErrArgumentUnsupported, virerr.FromLXC,
			"lxc.mount.fstab or lxc.mount found, use lxc.mount.entry lines instead")
	}
	for _, e := range conf {
		if e.name == "lxc.mount.entry" {
			if err := b.mountEntry(e.value); err != nil {
				return err
			}
		}
	}
	for _, step := range []func(config) error{b.networks, b.ttys, b.idmaps, b.memTune, b.cpuTune, b.cpusetTune, b.blkioTune} {
		if err := step(conf); err != nil {
			return err
		}
	}
	b.capDrop(conf)
	return nil
}

// document is the definition as XML for domainxml.Parse.
func (b *builder) document() string {
	var w strings.Builder
	fmt.Fprintf(&w, "<domain type='lxc'>\n<name>%s</name>\n", esc(b.name))
	mem := b.memory
	if mem == "" {
		mem = "65536"
	}
	fmt.Fprintf(&w, "<memory unit='KiB'>%s</memory>\n", mem)
	if b.cpuset != "" {
		fmt.Fprintf(&w, "<vcpu placement='static' cpuset='%s'>1</vcpu>\n", b.cpuset)
	} else {
		w.WriteString("<vcpu placement='static'>1</vcpu>\n")
	}
	for _, part := range []struct {
		tag string
		b   *strings.Builder
	}{{"memtune", &b.memtune}, {"cputune", &b.cputune}, {"blkiotune", &b.blkiotune}, {"numatune", &b.numatune}} {
		if part.b.Len() > 0 {
			fmt.Fprintf(&w, "<%s>%s</%s>\n", part.tag, part.b.String(), part.tag)
		}
	}
	w.WriteString("<os><type")
	if b.arch != "" {
		fmt.Fprintf(&w, " arch='%s'", b.arch)
	}
	w.WriteString(">exe</type><init>/sbin/init</init></os>\n")
	fmt.Fprintf(&w, "<features>%s</features>\n", b.features.String())
	w.WriteString("<on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>\n")
	fmt.Fprintf(&w, "<devices>\n%s%s%s%s</devices>\n</domain>\n",
		b.filesystems.String(), b.interfaces.String(), b.consoles.String(), b.hostdevs.String())
	return w.String()
}

// filesystem adds a <filesystem> (lxcAddFSDef): a block device, a RAM
// filesystem of usage bytes, or a directory mount.
func (b *builder) filesystem(block, ram bool, src, dst string, readonly bool, usage uint64) {
	w := &b.filesystems
	switch {
	case block:
		fmt.Fprintf(w, "<filesystem type='block' accessmode='passthrough'><source dev='%s'/>", esc(src))
	case ram:
		fmt.Fprintf(w, "<filesystem type='ram' accessmode='passthrough'><source usage='%d' units='KiB'/>", usage/1024)
	default:
		fmt.Fprintf(w, "<filesystem type='mount' accessmode='passthrough'><source dir='%s'/>", esc(src))
	}
	fmt.Fprintf(w, "<target dir='%s'/>", esc(dst))
	if readonly {
		w.WriteString("<readonly/>")
	}
	w.WriteString("</filesystem>\n")
}

// basicMounts are the mount points libvirt's container always sets up
// (lxcBasicMounts): lxc.mount.entry lines for them are skipped.
var basicMounts = []string{"/proc", "/proc/sys", "/proc/sys/net/ipv4", "/proc/sys/net/ipv6",
	"/sys", "/sys/kernel/security", "/sys/fs/selinux"}

// splitFields is lxcStringSplit: words separated by spaces or tabs.
func splitFields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' })
}

// mountEntry adds one lxc.mount.entry fstab line (lxcAddFstabLine).
func (b *builder) mountEntry(line string) error {
	parts := splitFields(line)
	if len(parts) < 4 {
		return unknownError()
	}
	src, dst, typ, options := parts[0], parts[1], parts[2], strings.Split(parts[3], ",")
	if !strings.HasPrefix(dst, "/") {
		dst = "/" + dst
	}
	for _, m := range basicMounts {
		if dst == m {
			return nil
		}
	}
	ram := typ == "tmpfs"
	var usage uint64
	if ram {
		found := false
		for _, o := range options {
			if size, ok := strings.CutPrefix(o, "size="); ok {
				var err error
				if usage, err = convertSize(size); err != nil {
					return err
				}
				found = true
				break
			}
		}
		if !found {
			return internalError("missing tmpfs size, set the size option")
		}
	}
	readonly := false
	for _, o := range options {
		readonly = readonly || o == "ro"
	}
	b.filesystem(strings.HasPrefix(src, "/dev/"), ram, src, dst, readonly, usage)
	return nil
}

// convertSize is lxcConvertSize: a number with an optional unit, in
// bytes; a percentage cannot be converted.
func convertSize(size string) (uint64, error) {
	v, unit, ok := cparse.ULLPrefix(size)
	if !ok {
		return 0, internalError("failed to convert size: '%s'", size)
	}
	if unit == "%" {
		return 0, internalError("can't convert relative size: '%s'", size)
	}
	bytes, err := cparse.ScaleInteger(v, unit, 1, ^uint64(0))
	if err != nil {
		return 0, internalError("failed to convert size: '%s'", size)
	}
	return bytes, nil
}
