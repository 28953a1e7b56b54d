package domainxml

import (
	"math"
	"slices"
	"strings"

	"virtlxc/internal/cparse"
	"virtlxc/internal/virerr"
)

// parsed is what libvirt's parser makes of the values it reads itself,
// where that differs from what libvirtxml reads; applyParsed puts it into
// the model.
type parsed struct {
	name, uuid                  string
	virtType, osType, arch      string
	memKiB, curKiB, maxKiB      uint64
	slots                       uint
	memtune                     [4]uint64 // hard, soft, min_guarantee, swap_hard (KiB)
	vcpuMax, vcpuCur            uint
	placement                   string
	shares                      uint64
	hasShares                   bool
	periods                     [4]uint64 // period, global_, emulator_, iothread_
	quotas                      [4]int64  // the same for quota
	onPoweroff, onReboot        string
	onCrash, onLockFailure      string
	initArgs                    []string
	initEnv                     [][2]string
	ramBytes                    map[int]uint64 // <filesystem type='ram'> usage by index
	nets                        []netInfo
	cpuset                      []int
	osText                      map[string]string // init, initdir... as libvirt reads them
	uidMaps, gidMaps            int
	hasNamespace, hasBootloader bool
}

// netInfo is what validation needs of an <interface>.
type netInfo struct {
	typ, mac, managed, model string // mac: canonical, "" = generate
	hostIP                   bool
}

// parseDef runs the checks of libvirt's virDomainDefParseXML on the input
// tree, in libvirt's order, stopping at the first error.
func parseDef(root *node, opts Options) (*parsed, error) {
	p := &parsed{ramBytes: map[int]uint64{}}
	steps := []func(*node) error{
		p.parseIDs,
		func(r *node) error { return p.parseCaps(r, opts) },
		p.parseTitle, p.parseMemory, p.parseTunables, p.parseResource,
		p.parseFeatures, p.parseLifecycle, p.parseClock, p.parseInit,
		p.parseDisks, p.parseFilesystems, p.parseInterfaces, p.parseConsoles, p.parseHostdevs,
		p.parseIDMap, p.parseNamespaces,
		func(r *node) error { return p.parseSeclabels(r, opts) },
	}
	for _, step := range steps {
		if err := step(root); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// parseIDs is virDomainDefParseIDs.
func (p *parsed) parseIDs(root *node) error {
	name, ok := root.child("name").xstr()
	if !ok {
		return domErr(virerr.ErrNoName, "")
	}
	p.name = name
	if s, ok := root.child("uuid").xstr(); ok {
		u, ok := ParseUUID(s)
		if !ok {
			return domErr(virerr.ErrInternalError, "malformed uuid element")
		}
		p.uuid = u
	} else {
		p.uuid = NewUUID()
	}
	switch genids := root.all("genid"); {
	case len(genids) > 1:
		return xmlError("element 'genid' can only appear once")
	case len(genids) == 1:
		if s, ok := genids[0].xstr(); ok {
			if _, ok := ParseUUID(s); !ok {
				return domErr(virerr.ErrInternalError, "malformed genid element")
			}
		} else {
			setText(genids[0], NewUUID()) // an empty <genid/> asks for one
		}
	}
	return nil
}

// parseCaps is virDomainDefParseCaps.
func (p *parsed) parseCaps(root *node, opts Options) error {
	typ, _ := root.attr("type")
	osType, hasOS := root.find("os", "type").xstr()
	arch, hasArch := "", false
	if t := root.find("os", "type"); t != nil {
		arch, _ = t.attr("arch")
		hasArch = arch != ""
	}
	_, p.hasBootloader = root.child("bootloader").xstr()
	if typ == "" {
		return domErr(virerr.ErrInternalError, "missing domain type attribute")
	}
	if !slices.Contains(virtTypes, typ) {
		return domErr(virerr.ErrConfigUnsupported, "invalid domain type %s", typ)
	}
	switch {
	case !hasOS && p.hasBootloader:
		osType = "xen"
	case !hasOS:
		return xmlError("an os <type> must be specified")
	case !slices.Contains(osTypes, osType):
		return domErr(virerr.ErrConfigUnsupported, "unknown OS type '%s'", osType)
	case osType == "linux" && typ == "xen":
		osType = "xen"
	}
	if hasArch && !slices.Contains(arches, arch) {
		return domErr(virerr.ErrConfigUnsupported, "Unknown architecture %s", arch)
	}
	if !hasArch && !opts.NoDefaultArch {
		arch = archOr("", opts)
	}
	p.virtType, p.osType, p.arch = typ, osType, arch
	return nil
}

func (p *parsed) parseTitle(root *node) error {
	if t, _ := root.child("title").xstr(); strings.Contains(t, "\n") {
		return xmlError("Domain title can't contain newlines")
	}
	return nil
}

// parseMemory is virDomainDefParseMemory.
func (p *parsed) parseMemory(root *node) error {
	var err error
	if p.memKiB, err = parseMemory(root.child("memory"), "./memory[1]"); err != nil {
		return err
	}
	if p.curKiB, err = parseMemory(root.child("currentMemory"), "./currentMemory[1]"); err != nil {
		return err
	}
	maxMem := root.child("maxMemory")
	b, _, err := parseScaled(maxMem, "./maxMemory[1]", nil, 1024, math.MaxInt64)
	if err != nil {
		return err
	}
	if p.maxKiB = divUp(b, 1024); p.maxKiB >= divUp(math.MaxInt64, 1024) {
		return domErr(virerr.ErrOverflow, "size value too large")
	}
	if s, ok := maxMem.attr("slots"); ok && s != "" {
		if p.slots, ok = cparse.UIP(s); !ok {
			return xmlError("Failed to parse memory slot count")
		}
	}
	_, err = propSwitch(root.child("memory"), "dumpCore")
	return err
}

// parseTunables is virDomainDefTunablesParse: memtune, vcpu and cputune.
func (p *parsed) parseTunables(root *node) error {
	limits := []struct {
		el    string
		limit bool
	}{{"hard_limit", true}, {"soft_limit", true}, {"min_guarantee", false}, {"swap_hard_limit", true}}
	for i, l := range limits {
		el := root.find("memtune", l.el)
		xpath := "./memtune/" + l.el + "[1]"
		var err error
		if l.limit {
			p.memtune[i], err = parseMemoryLimit(el, xpath)
		} else {
			p.memtune[i], err = parseMemory(el, xpath)
		}
		if err != nil {
			return err
		}
	}
	if err := p.parseVCPU(root); err != nil {
		return err
	}
	return p.parseCPUTune(root)
}

// parseVCPU is virDomainVcpuParse.
func (p *parsed) parseVCPU(root *node) error {
	p.vcpuMax, p.vcpuCur, p.placement = 1, 1, "static"
	v := root.child("vcpu")
	if v == nil {
		return nil
	}
	var ok bool
	if p.vcpuMax, ok = cparse.UI(v.str()); !ok {
		return xmlError("maximum vcpus count must be an integer")
	}
	p.vcpuCur = p.vcpuMax
	if s, present := v.attr("current"); present {
		if p.vcpuCur, ok = cparse.UIP(s); !ok {
			return virerr.New(virerr.ErrXMLError, virerr.FromXML,
				"Invalid value for attribute 'current' in element 'vcpu': '%s'. Expected non-negative integer value", s)
		}
	}
	placement, err := propEnum(v, "placement", false, "static", "auto")
	if err != nil {
		return err
	}
	if placement != "" {
		p.placement = placement
	}
	if cpuset, ok := v.attr("cpuset"); ok && p.placement != "auto" {
		set, ok := cparse.ParseBitmap(cpuset, 1024)
		if !ok {
			return virerr.New(virerr.ErrInvalidArg, virerr.FromNone, "Failed to parse bitmap '%s'", cpuset)
		}
		if len(set) == 0 {
			return domErr(virerr.ErrConfigUnsupported, "Invalid value of 'cpuset': %s", cpuset)
		}
		p.cpuset = set
	}
	if p.vcpuCur > p.vcpuMax {
		return domErr(virerr.ErrConfigUnsupported, "maximum vCPU count must not be less than current vCPU count")
	}
	return nil
}

// parseCPUTune reads the cputune numbers; their ranges are checked at
// validation (validateDef).
func (p *parsed) parseCPUTune(root *node) error {
	for i, name := range cputuneNames {
		s, ok := root.find("cputune", name).xstr()
		if !ok {
			continue
		}
		switch {
		case i == 0:
			p.shares, ok = cparse.ULLP(s)
			p.hasShares = true
		case i%2 == 1:
			p.periods[i/2], ok = cparse.ULLP(s)
		default:
			p.quotas[i/2-1], ok = cparse.LL(s)
		}
		if !ok {
			return xmlError("can't parse cputune %s value", name)
		}
	}
	return nil
}

// cputuneNames are the cputune numbers in libvirt's parse order: shares,
// then period and quota pairs.
var cputuneNames = []string{"shares", "period", "quota", "global_period", "global_quota",
	"emulator_period", "emulator_quota", "iothread_period", "iothread_quota"}

// parseResource is the <resource> part of virDomainDefParseXML.
func (p *parsed) parseResource(root *node) error {
	res := root.all("resource")
	if len(res) > 1 {
		return xmlError("only one resource element is supported")
	}
	if len(res) == 1 {
		_, part := res[0].child("partition").xstr()
		appid, _ := res[0].find("fibrechannel").attr("appid")
		if !part && appid == "" {
			// virDomainResourceDefParse returns NULL without an error.
			return noErrorSet()
		}
	}
	return nil
}

// parseFeatures is virDomainFeaturesDefParse for what an LXC domain uses.
func (p *parsed) parseFeatures(root *node) error {
	for _, f := range root.all("features") {
		for _, c := range f.children {
			if !slices.Contains(features, c.name.Local) {
				return domErr(virerr.ErrConfigUnsupported, "unexpected feature '%s'", c.name.Local)
			}
			if c.name.Local != "capabilities" {
				continue
			}
			if _, err := propEnum(c, "policy", false, "default", "allow", "deny"); err != nil {
				return err
			}
			for _, cp := range c.children {
				if !slices.Contains(capFeatures, cp.name.Local) {
					return domErr(virerr.ErrConfigUnsupported, "unexpected capability feature '%s'", cp.name.Local)
				}
				if _, err := propSwitch(cp, "state"); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// parseLifecycle is virDomainDefLifecycleParse.
func (p *parsed) parseLifecycle(root *node) error {
	actions := []struct {
		name  string
		dst   *string
		def   string
		valid []string
	}{
		{"on_reboot", &p.onReboot, "restart", lifecycleActions},
		{"on_poweroff", &p.onPoweroff, "destroy", lifecycleActions},
		{"on_crash", &p.onCrash, "destroy", lifecycleActions},
		{"on_lockfailure", &p.onLockFailure, "default", lockFailureActions},
	}
	for _, a := range actions {
		v, ok := root.child(a.name).xstr()
		if ok && !slices.Contains(a.valid, v) {
			return domErr(virerr.ErrConfigUnsupported, "unknown %s action: %s", a.name, v)
		}
		*a.dst = a.def
		if ok {
			*a.dst = v
		}
	}
	return nil
}

// parseClock is the offset part of virDomainDefClockParse.
func (p *parsed) parseClock(root *node) error {
	clock := root.child("clock")
	offset, ok := clock.attr("offset")
	if !ok || offset == "" {
		offset = "utc"
	}
	if !slices.Contains(clockOffsets, offset) {
		return domErr(virerr.ErrConfigUnsupported, "unknown clock offset '%s'", offset)
	}
	switch offset {
	case "utc", "localtime":
		if adj, _ := clock.attr("adjustment"); adj != "" && adj != "reset" {
			if _, ok := cparse.LL(adj); !ok {
				return xmlError("unknown clock adjustment '%s'", adj)
			}
		}
	case "variable":
		if basis, _ := clock.attr("basis"); basis != "" && basis != "utc" && basis != "localtime" {
			return domErr(virerr.ErrConfigUnsupported, "unknown clock basis '%s'", basis)
		}
	case "timezone":
		if tz, _ := clock.attr("timezone"); tz == "" {
			return domErr(virerr.ErrInternalError, "missing 'timezone' attribute for clock with offset='timezone'")
		}
	case "absolute":
		if s, _ := clock.attr("start"); s == "" || !ok2(cparse.ULLP(s)) {
			return domErr(virerr.ErrInternalError, "missing 'start' attribute for clock with offset='absolute'")
		}
	}
	return nil
}

// ok2 keeps the success flag of a (value, ok) pair.
func ok2[T any](_ T, ok bool) bool { return ok }

// parseInit is virDomainDefParseBootInitOptions (os type exe only).
func (p *parsed) parseInit(root *node) error {
	if p.osType != "exe" {
		return nil
	}
	p.osText = map[string]string{}
	for _, el := range []string{"init", "cmdline", "initdir", "inituser", "initgroup"} {
		p.osText[el], _ = root.find("os", el).xstr()
	}
	var args []*node
	var envs []*node
	for _, os := range root.all("os") {
		args = append(args, os.all("initarg")...)
		envs = append(envs, os.all("initenv")...)
	}
	for _, a := range args {
		v, ok := a.firstContent()
		if !ok {
			return xmlError("No data supplied for <initarg> element")
		}
		p.initArgs = append(p.initArgs, v)
	}
	for _, e := range envs {
		name, ok := e.attr("name")
		if !ok {
			return xmlError("No name supplied for <initenv> element")
		}
		v, ok := e.firstContent()
		if !ok {
			return xmlError("No value supplied for <initenv name='%s'> element", name)
		}
		p.initEnv = append(p.initEnv, [2]string{name, v})
	}
	return nil
}
