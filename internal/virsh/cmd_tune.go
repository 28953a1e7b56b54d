package virsh

import (
	"math"
	"strings"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/xdr"
	"virtlxc/internal/virerr"
)

func cmdMemtune() *CmdDef {
	size := func(name, help string) OptDef { return OptDef{Name: name, Type: OptInt, Help: help} }
	return &CmdDef{
		Name: "memtune", Group: "domain",
		Help: "Get or set memory parameters",
		Desc: "Get or set the current memory parameters for a guest domain.\n    To get the memory parameters use following command: \n\n    virsh # memtune <domain>",
		Opts: append([]OptDef{
			optDomainFull(),
			size("hard-limit", "Max memory, as scaled integer (default KiB)"),
			size("soft-limit", "Memory during contention, as scaled integer (default KiB)"),
			size("swap-hard-limit", "Max memory plus swap, as scaled integer (default KiB)"),
			size("min-guarantee", "Min guaranteed memory, as scaled integer (default KiB)"),
		}, optConfigLiveCurrent()...),
		Run: runMemtune,
	}
}

var memtuneParams = []struct{ opt, field string }{
	{"hard-limit", "hard_limit"}, {"soft-limit", "soft_limit"},
	{"swap-hard-limit", "swap_hard_limit"}, {"min-guarantee", "min_guarantee"},
}

func runMemtune(s *Session, pc *ParsedCmd) error {
	flags, _, err := affectFlags(pc)
	if err != nil {
		return err
	}
	dom, err := s.domainArg(pc, byAny)
	if err != nil {
		return err
	}
	var params []libvirt.TypedParam
	for _, m := range memtuneParams {
		o, ok := pc.find(m.opt)
		if !ok {
			continue
		}
		v, err := ParseMemtuneSize(o.data)
		if err != nil {
			return withLibvirtError(err, "Unable to parse integer parameter %s", m.opt)
		}
		params = append(params, ullongParam(m.field, v))
	}
	c := s.conn
	return s.setOrShowParams("memory", params, true,
		func(p []libvirt.TypedParam) error {
			return c.call(proto.ProcDomainSetMemoryParameters, &libvirt.DomainSetMemoryParametersArgs{Dom: dom, Params: p, Flags: flags}, nil)
		},
		func(n int32, f uint32) ([]libvirt.TypedParam, int32, error) {
			var ret libvirt.DomainGetMemoryParametersRet
			err := c.call(proto.ProcDomainGetMemoryParameters, &libvirt.DomainGetMemoryParametersArgs{Dom: dom, Nparams: n, Flags: flags | f}, &ret)
			return ret.Params, ret.Nparams, err
		})
}

func cmdBlkiotune() *CmdDef {
	str := func(name, help string) OptDef { return OptDef{Name: name, Type: OptString, Help: help} }
	return &CmdDef{
		Name: "blkiotune", Group: "domain",
		Help: "Get or set blkio parameters",
		Desc: "Get or set the current blkio parameters for a guest domain.\n    To get the blkio parameters use following command: \n\n    virsh # blkiotune <domain>",
		Opts: append([]OptDef{
			optDomainFull(),
			{Name: "weight", Type: OptInt, Help: "IO Weight"},
			str("device-weights", "per-device IO Weights, in the form of /path/to/device,weight,..."),
			str("device-read-iops-sec", "per-device read I/O limit per second, in the form of /path/to/device,read_iops_sec,..."),
			str("device-write-iops-sec", "per-device write I/O limit per second, in the form of /path/to/device,write_iops_sec,..."),
			str("device-read-bytes-sec", "per-device bytes read per second, in the form of /path/to/device,read_bytes_sec,..."),
			str("device-write-bytes-sec", "per-device bytes wrote per second, in the form of /path/to/device,write_bytes_sec,..."),
		}, optConfigLiveCurrent()...),
		Run: runBlkiotune,
	}
}

var blkioDeviceParams = []struct{ opt, field string }{
	{"device-weights", "device_weight"}, {"device-read-iops-sec", "device_read_iops_sec"},
	{"device-write-iops-sec", "device_write_iops_sec"}, {"device-read-bytes-sec", "device_read_bytes_sec"},
	{"device-write-bytes-sec", "device_write_bytes_sec"},
}

func runBlkiotune(s *Session, pc *ParsedCmd) error {
	flags, _, err := affectFlags(pc)
	if err != nil {
		return err
	}
	dom, err := s.domainArg(pc, byAny)
	if err != nil {
		return err
	}
	var params []libvirt.TypedParam
	weight, hasWeight, err := pc.Int("weight")
	if err != nil {
		return err
	}
	if hasWeight {
		if weight <= 0 {
			return cmdErrorf("Invalid value of %d for I/O weight", weight)
		}
		params = append(params, libvirt.TypedParam{Field: "weight", Value: libvirt.TypedParamValue{D: xdr.ParamUint, I: uint32(weight)}})
	}
	for _, d := range blkioDeviceParams {
		v, ok, err := pc.String(d.opt)
		if err != nil {
			return err
		}
		if ok {
			params = append(params, libvirt.TypedParam{Field: d.field, Value: libvirt.TypedParamValue{D: xdr.ParamString, I: v}})
		}
	}
	c := s.conn
	return s.setOrShowParams("blkio", params, false,
		func(p []libvirt.TypedParam) error {
			return c.call(proto.ProcDomainSetBlkioParameters, &libvirt.DomainSetBlkioParametersArgs{Dom: dom, Params: p, Flags: flags}, nil)
		},
		func(n int32, f uint32) ([]libvirt.TypedParam, int32, error) {
			var ret libvirt.DomainGetBlkioParametersRet
			err := c.call(proto.ProcDomainGetBlkioParameters, &libvirt.DomainGetBlkioParametersArgs{Dom: dom, Nparams: n, Flags: flags | f}, &ret)
			return ret.Params, ret.Nparams, err
		})
}

// setOrShowParams is what memtune and blkiotune share, as virsh does it:
// with parameters, set them; without, ask for the count, then the values
// (each get asks for typed-parameter string support first), and print
// them (scaled: memory sizes in KiB with "unlimited").
func (s *Session) setOrShowParams(what string, params []libvirt.TypedParam, scaled bool,
	set func([]libvirt.TypedParam) error, get func(n int32, flags uint32) ([]libvirt.TypedParam, int32, error)) error {
	c := s.conn
	if len(params) > 0 {
		if _, err := c.supports(proto.FeatureTypedParamString); err != nil {
			return failed(err, "Unable to change %s parameters", what)
		}
		if err := set(params); err != nil {
			return failed(err, "Unable to change %s parameters", what)
		}
		return nil
	}
	fetch := func(n int32) ([]libvirt.TypedParam, int32, error) {
		f, err := c.typedParamStringFlag()
		if err != nil {
			return nil, 0, err
		}
		return get(n, f)
	}
	_, count, err := fetch(0)
	if err != nil {
		return failed(err, "Unable to get number of %s parameters", what)
	}
	if count == 0 {
		return nil
	}
	got, _, err := fetch(count)
	if err != nil {
		return failed(err, "Unable to get %s parameters", what)
	}
	s.print(FormatParams(got, scaled))
	return nil
}

func cmdSchedinfo() *CmdDef {
	return &CmdDef{
		Name: "schedinfo", Group: "domain",
		Help: "show/set scheduler parameters",
		Desc: "Show/Set scheduler parameters.",
		Opts: []OptDef{
			optDomainFull(),
			// Named only (virsh's VSH_OFLAG_REQ_OPT): a positional word
			// after the domain is a --set.
			{Name: "weight", Type: OptInt, NamedOnly: true, Help: "weight for XEN_CREDIT"},
			{Name: "cap", Type: OptInt, NamedOnly: true, Help: "cap for XEN_CREDIT"},
			optBool("current", "get/set current scheduler info"),
			optBool("config", "get/set value to be used on next boot"),
			optBool("live", "get/set value from running domain"),
			{Name: "set", Type: OptArgv, Help: "parameter=value"},
		},
		Run: runSchedinfo,
	}
}

func runSchedinfo(s *Session, pc *ParsedCmd) error {
	flags, current, err := affectFlags(pc)
	if err != nil {
		return err
	}
	live, config := pc.Bool("live"), pc.Bool("config")
	dom, err := s.domainArg(pc, byAny)
	if err != nil {
		return err
	}
	c := s.conn
	var st libvirt.DomainGetSchedulerTypeRet
	if err := c.call(proto.ProcDomainGetSchedulerType, &libvirt.DomainGetSchedulerTypeArgs{Dom: dom}, &st); err != nil {
		s.printf("%-15s: %s\n", "Scheduler", "Unknown")
		return err
	}
	s.printf("%-15s: %s\n", "Scheduler", st.Type)
	if st.Nparams == 0 {
		return nil
	}
	withFlags := flags != 0 || current
	queryFlags := flags
	if live && config {
		queryFlags = 0
	}
	get := func() ([]libvirt.TypedParam, error) {
		if withFlags {
			f, err := c.typedParamStringFlag()
			if err != nil {
				return nil, err
			}
			var ret libvirt.DomainGetSchedulerParametersFlagsRet
			err = c.call(proto.ProcDomainGetSchedulerParametersFlags, &libvirt.DomainGetSchedulerParametersFlagsArgs{Dom: dom, Nparams: st.Nparams, Flags: queryFlags | f}, &ret)
			return ret.Params, err
		}
		var ret libvirt.DomainGetSchedulerParametersRet
		err := c.call(proto.ProcDomainGetSchedulerParameters, &libvirt.DomainGetSchedulerParametersArgs{Dom: dom, Nparams: st.Nparams}, &ret)
		return ret.Params, err
	}
	params, err := get()
	if err != nil {
		return err
	}
	updates, err := schedUpdates(pc, params)
	if err != nil {
		return err
	}
	if len(updates) > 0 {
		if _, err := c.supports(proto.FeatureTypedParamString); err != nil {
			return err
		}
		if withFlags {
			err = c.call(proto.ProcDomainSetSchedulerParametersFlags, &libvirt.DomainSetSchedulerParametersFlagsArgs{Dom: dom, Params: updates, Flags: flags}, nil)
		} else {
			err = c.call(proto.ProcDomainSetSchedulerParameters, &libvirt.DomainSetSchedulerParametersArgs{Dom: dom, Params: updates}, nil)
		}
		if err != nil {
			return err
		}
		if params, err = get(); err != nil {
			return err
		}
	} else if live && config {
		return cmdErrorf("cannot query both live and config at once")
	}
	s.print(FormatParams(params, false))
	return nil
}

// schedUpdates turns --set name=value (and --cap, --weight) into typed
// parameters of the types the server reported, as virsh's
// cmdSchedInfoUpdate.
func schedUpdates(pc *ParsedCmd, current []libvirt.TypedParam) ([]libvirt.TypedParam, error) {
	var out []libvirt.TypedParam
	one := func(field, value string) error {
		for _, p := range current {
			if p.Field == field {
				np, err := ParamFromString(field, p.Value.D, value)
				if err != nil {
					return err
				}
				out = append(out, np)
				return nil
			}
		}
		return cmdErrorf("invalid scheduler option: %s", field)
	}
	for _, set := range pc.Argv("set") {
		field, value, ok := strings.Cut(set, "=")
		if !ok {
			return nil, cmdErrorf("Invalid syntax for --set, expecting name=value")
		}
		if err := one(field, value); err != nil {
			return nil, err
		}
	}
	for _, name := range []string{"cap", "weight"} {
		v, ok, err := pc.String(name)
		if err != nil {
			return nil, err
		}
		if ok {
			if err := one(name, v); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func memoryCmd(name, help, desc, sizeHelp string, maximum bool) *CmdDef {
	return &CmdDef{
		Name: name, Group: "domain", Help: help, Desc: desc,
		Opts: append([]OptDef{optDomainFull(), {Name: "size", Type: OptInt, Required: true, Help: sizeHelp}},
			optConfigLiveCurrent()...),
		Run: func(s *Session, pc *ParsedCmd) error {
			flags, current, err := affectFlags(pc)
			if err != nil {
				return err
			}
			// Without --config, --live or --current virsh's setmem changes
			// the running domain (VIR_DOMAIN_AFFECT_LIVE: an inactive one is
			// refused), setmaxmem the current state.
			if !maximum && flags == 0 && !current {
				flags = 1
			}
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			bytes, _, err := pc.Scaled("size", 1024, math.MaxUint64)
			if err != nil {
				return err
			}
			kib := divUp(bytes, 1024)
			// virsh 9.0 always calls virDomainSetMemoryFlags, which checks
			// the size before the call.
			if maximum {
				flags |= memMaximum
			}
			err = checkMemorySize(kib)
			if err == nil {
				err = s.conn.call(proto.ProcDomainSetMemoryFlags, &libvirt.DomainSetMemoryFlagsArgs{Dom: dom, Memory: kib, Flags: flags}, nil)
			}
			if err != nil && maximum {
				return failed(err, "Unable to change MaxMemorySize")
			}
			return err
		},
	}
}

// memMaximum is VIR_DOMAIN_MEM_MAXIMUM.
const memMaximum = 4

// checkMemorySize is virDomainSetMemoryFlags's argument check.
func checkMemorySize(kib uint64) error {
	if kib == 0 {
		return virerr.Raw(virerr.ErrInvalidArg, virerr.FromDomain, "memory in virDomainSetMemoryFlags must not be zero")
	}
	if kib > math.MaxInt64/1024 {
		return virerr.New(virerr.ErrOverflow, virerr.FromNone, "input too large: %d", kib)
	}
	return nil
}

func cmdSetmem() *CmdDef {
	return memoryCmd("setmem", "change memory allocation", "Change the current memory allocation in the guest domain.",
		"new memory size, as scaled integer (default KiB)", false)
}

func cmdSetmaxmem() *CmdDef {
	return memoryCmd("setmaxmem", "change maximum memory limit", "Change the maximum memory allocation limit in the guest domain.",
		"new maximum memory size, as scaled integer (default KiB)", true)
}
