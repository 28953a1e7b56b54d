package lxcnative

import (
	"fmt"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/cparse"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/virerr"
)

// ttys adds lxc.tty.max (or lxc.tty) pty consoles (lxcCreateConsoles).
func (b *builder) ttys(conf config) error {
	v, ok := conf.get("lxc.tty.max")
	if !ok {
		if v, ok = conf.get("lxc.tty"); !ok {
			return nil
		}
	}
	n, rest, ok := cparse.Long(v)
	if !ok || rest != "" || n < 0 {
		// libvirt 9.0's daemon aborts on a negative count.
		return internalError("failed to parse int: '%s'", v)
	}
	for i := range n {
		fmt.Fprintf(&b.consoles, "<console type='pty'><target type='lxc' port='%d'/></console>\n", i)
	}
	return nil
}

// idmaps reads lxc.idmap (or the older lxc.id_map) lines,
// "u|g CONTAINER-ID HOST-ID COUNT", into the <idmap> libvirt makes of
// them: the first number as target, the second as start
// (lxcIdmapWalkCallback).
func (b *builder) idmaps(conf config) error {
	for _, e := range conf {
		if e.name != "lxc.idmap" && e.name != "lxc.id_map" {
			continue
		}
		typ, nums, ok := scanIDMap(e.value)
		if !ok {
			return internalError("invalid %s: '%s'", e.name, e.value)
		}
		r := libvirtxml.DomainIDMapRange{Target: uint(nums[0]), Start: uint(nums[1]), Count: uint(nums[2])}
		switch typ {
		case 'u':
			b.uidMap = append(b.uidMap, r)
		case 'g':
			b.gidMap = append(b.gidMap, r)
		default:
			return unknownError()
		}
	}
	return nil
}

// scanIDMap is sscanf(value, "%c %lu %lu %lu"): a character, then three
// numbers each after optional white space; anything after them is
// ignored.
func scanIDMap(v string) (byte, [3]uint64, bool) {
	var nums [3]uint64
	if v == "" {
		return 0, nums, false
	}
	typ, rest := v[0], v[1:]
	for i := range nums {
		n, r, ok := cparse.ULLPrefix(rest)
		if !ok {
			return 0, nums, false
		}
		nums[i], rest = n, r
	}
	return typ, nums, true
}

// memoryLimit is virMemoryLimitTruncate: KiB, capped at "unlimited".
func memoryLimit(kib uint64) uint64 { return min(kib, 9007199254740991) }

// memTune reads lxc.cgroup.memory.* (lxcSetMemTune): the hard limit is
// also the memory size.
func (b *builder) memTune(conf config) error {
	for _, k := range []struct{ key, tag string }{
		{"lxc.cgroup.memory.limit_in_bytes", "hard_limit"},
		{"lxc.cgroup.memory.soft_limit_in_bytes", "soft_limit"},
		{"lxc.cgroup.memory.memsw.limit_in_bytes", "swap_hard_limit"},
	} {
		v, ok := conf.get(k.key)
		if !ok {
			continue
		}
		bytes, err := convertSize(v)
		if err != nil {
			return err
		}
		kib := bytes / 1024
		if k.tag == "hard_limit" {
			b.memory = fmt.Sprint(kib)
		}
		fmt.Fprintf(&b.memtune, "<%s unit='KiB'>%d</%s>", k.tag, memoryLimit(kib), k.tag)
	}
	return nil
}

// cpuTune reads lxc.cgroup.cpu.* (lxcSetCpuTune).
func (b *builder) cpuTune(conf config) error {
	for _, k := range []struct {
		key, tag string
		signed   bool
	}{
		{"lxc.cgroup.cpu.shares", "shares", false},
		{"lxc.cgroup.cpu.cfs_quota_us", "quota", true},
		{"lxc.cgroup.cpu.cfs_period_us", "period", false},
	} {
		v, ok := conf.get(k.key)
		if !ok {
			continue
		}
		var text string
		if k.signed {
			n, ok := cparse.LL(v)
			if !ok {
				return internalError("failed to parse integer: '%s'", v)
			}
			text = fmt.Sprint(n)
		} else {
			n, ok := cparse.ULL(v)
			if !ok {
				return internalError("failed to parse integer: '%s'", v)
			}
			text = fmt.Sprint(n)
		}
		fmt.Fprintf(&b.cputune, "<%s>%s</%s>", k.tag, text, k.tag)
	}
	return nil
}

// cpusetLen is VIR_DOMAIN_CPUMASK_LEN.
const cpusetLen = 1024

// cpusetTune reads lxc.cgroup.cpuset.cpus and .mems (lxcSetCpusetTune).
func (b *builder) cpusetTune(conf config) error {
	if v, ok := conf.get("lxc.cgroup.cpuset.cpus"); ok {
		set, ok := cparse.ParseBitmap(v, cpusetLen)
		if !ok {
			return bitmapError(v)
		}
		b.cpuset = cparse.FormatBitmap(set)
	}
	if v, ok := conf.get("lxc.cgroup.cpuset.mems"); ok {
		set, ok := cparse.ParseBitmap(v, cpusetLen)
		if !ok {
			return bitmapError(v)
		}
		fmt.Fprintf(&b.numatune, "<memory mode='strict' nodeset='%s'/>", cparse.FormatBitmap(set))
	}
	return nil
}

func bitmapError(v string) error {
	return virerr.New(virerr.ErrInvalidArg, virerr.FromNone, "Failed to parse bitmap '%s'", v)
}

// blkioDevice is one <blkiotune><device>.
type blkioDevice struct {
	path                 string
	weight, riops, wiops uint64
	rbps, wbps           uint64
}

// blkioTune reads lxc.cgroup.blkio.weight and the per-device keys
// ("MAJOR:MINOR VALUE"; lxcSetBlkioTune).
func (b *builder) blkioTune(conf config) error {
	if v, ok := conf.get("lxc.cgroup.blkio.weight"); ok {
		w, ok := cparse.UI(v)
		if !ok {
			return internalError("failed to parse integer: '%s'", v)
		}
		fmt.Fprintf(&b.blkiotune, "<weight>%d</weight>", w)
	}
	var devs []*blkioDevice
	for _, e := range conf {
		key, ok := strings.CutPrefix(e.name, "lxc.cgroup.blkio.")
		if !ok || key == "weight" {
			continue
		}
		parts := splitFields(e.value)
		if len(parts) < 2 {
			return internalError("invalid %s value: '%s'", e.name, e.value)
		}
		path := "/dev/block/" + parts[0]
		var d *blkioDevice
		for _, x := range devs {
			if x.path == path {
				d = x
			}
		}
		if d == nil {
			d = &blkioDevice{path: path}
			devs = append(devs, d)
		}
		if err := d.set(key, parts[1]); err != nil {
			return err
		}
	}
	for _, d := range devs {
		if d.weight|d.riops|d.wiops|d.rbps|d.wbps == 0 {
			continue // libvirt prints a device only with a value
		}
		fmt.Fprintf(&b.blkiotune, "<device><path>%s</path>", esc(d.path))
		for _, f := range []struct {
			tag string
			v   uint64
		}{{"weight", d.weight}, {"read_iops_sec", d.riops}, {"write_iops_sec", d.wiops},
			{"read_bytes_sec", d.rbps}, {"write_bytes_sec", d.wbps}} {
			if f.v != 0 {
				fmt.Fprintf(&b.blkiotune, "<%s>%d</%s>", f.tag, f.v, f.tag)
			}
		}
		b.blkiotune.WriteString("</device>")
	}
	return nil
}

// set records one per-device value; keys libvirt does not know are
// ignored (the device stays, without that value).
func (d *blkioDevice) set(key, v string) error {
	var target *uint64
	what, wide := "", false
	switch key {
	case "device_weight":
		target, what = &d.weight, "device weight"
	case "throttle.read_bps_device":
		target, what, wide = &d.rbps, "read_bps_device", true
	case "throttle.write_bps_device":
		target, what, wide = &d.wbps, "write_bps_device", true
	case "throttle.read_iops_device":
		target, what = &d.riops, "read_iops_device"
	case "throttle.write_iops_device":
		target, what = &d.wiops, "write_iops_device"
	default:
		return nil
	}
	var n uint64
	var ok bool
	if wide {
		n, ok = cparse.ULL(v)
	} else {
		var u uint
		u, ok = cparse.UI(v)
		n = uint64(u)
	}
	if !ok {
		return internalError("failed to parse %s: '%s'", what, v)
	}
	*target = n
	return nil
}

// capDrop turns the first lxc.cap.drop list into capabilities switched
// off under the "allow" policy, which libvirt always sets
// (lxcSetCapDrop).
func (b *builder) capDrop(conf config) {
	v, _ := conf.get("lxc.cap.drop")
	drop := strings.Split(v, " ")
	var caps strings.Builder
	for _, c := range domainxml.CapabilityNames() {
		for _, d := range drop {
			if d == c {
				fmt.Fprintf(&caps, "<%s state='off'/>", c)
				break
			}
		}
	}
	fmt.Fprintf(&b.features, "<capabilities policy='allow'>%s</capabilities>", caps.String())
}
