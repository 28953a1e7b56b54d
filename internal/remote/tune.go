package remote

import (
	"fmt"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/driver"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/xdr"
	"virtlxc/internal/virerr"
)

func ullong(field string, v uint64) libvirt.TypedParam {
	return libvirt.TypedParam{Field: field, Value: libvirt.TypedParamValue{D: xdr.ParamULLong, I: v}}
}

// firstN answers the two-step typed-parameter protocol: nparams 0 asks
// for the count only.
func firstN(params []libvirt.TypedParam, n int32) ([]libvirt.TypedParam, int32) {
	if n == 0 {
		return nil, int32(len(params))
	}
	if int(n) < len(params) {
		params = params[:n]
	}
	return params, int32(len(params))
}

// paramError is libvirt's virTypedParamsValidate wording.
func paramError(p libvirt.TypedParam, want string) error {
	return virerr.New(virerr.ErrInvalidArg, virerr.FromNone, "invalid type '%s' for parameter '%s', expected '%s'", paramTypeName(p.Value.D), p.Field, want)
}

func unknownParam(p libvirt.TypedParam) error {
	return virerr.New(virerr.ErrInvalidArg, virerr.FromNone, "parameter '%s' not supported", p.Field)
}

func paramTypeName(d uint32) string {
	names := map[uint32]string{1: "int", 2: "uint", 3: "llong", 4: "ullong", 5: "double", 6: "boolean", 7: "string"}
	if n, ok := names[d]; ok {
		return n
	}
	return fmt.Sprint(d)
}

func asUint64(p libvirt.TypedParam) (uint64, error) {
	if v, ok := p.Value.I.(uint64); ok && p.Value.D == xdr.ParamULLong {
		return v, nil
	}
	return 0, paramError(p, "ullong")
}

func memoryParams(mt driver.MemoryTune) []libvirt.TypedParam {
	return []libvirt.TypedParam{ullong("hard_limit", mt.HardLimit), ullong("soft_limit", mt.SoftLimit), ullong("swap_hard_limit", mt.SwapHardLimit)}
}

func schedParams(sp driver.SchedulerParams) []libvirt.TypedParam {
	return []libvirt.TypedParam{ullong("cpu_shares", sp.CPUShares), ullong("vcpu_period", sp.VCPUPeriod),
		{Field: "vcpu_quota", Value: libvirt.TypedParamValue{D: xdr.ParamLLong, I: sp.VCPUQuota}}}
}

func schedUpdate(params []libvirt.TypedParam) (driver.SchedulerUpdate, error) {
	var u driver.SchedulerUpdate
	for _, p := range params {
		switch p.Field {
		case "cpu_shares", "vcpu_period":
			v, err := asUint64(p)
			if err != nil {
				return u, err
			}
			if p.Field == "cpu_shares" {
				u.CPUShares = &v
			} else {
				u.VCPUPeriod = &v
			}
		case "vcpu_quota":
			v, ok := p.Value.I.(int64)
			if !ok || p.Value.D != xdr.ParamLLong {
				return u, paramError(p, "llong")
			}
			u.VCPUQuota = &v
		default:
			return u, unknownParam(p)
		}
	}
	return u, nil
}

func blkioParams(bt driver.BlkioTune) []libvirt.TypedParam {
	str := func(f, v string) libvirt.TypedParam {
		return libvirt.TypedParam{Field: f, Value: libvirt.TypedParamValue{D: xdr.ParamString, I: v}}
	}
	return []libvirt.TypedParam{
		{Field: "weight", Value: libvirt.TypedParamValue{D: xdr.ParamUint, I: bt.Weight}},
		str("device_weight", bt.DeviceWeight), str("device_read_iops_sec", bt.DeviceReadIopsSec),
		str("device_write_iops_sec", bt.DeviceWriteIopsSec), str("device_read_bytes_sec", bt.DeviceReadBytesSec),
		str("device_write_bytes_sec", bt.DeviceWriteBytesSec),
	}
}

// tuneProcs are memtune, schedinfo, blkiotune, setmem and setmaxmem.
func (h *Handlers) tuneProcs() map[uint32]server.Procedure {
	getSched := func(ref driver.Ref, n int32, flags uint32) ([]libvirt.TypedParam, error) {
		sp, err := h.drv.GetSchedulerParameters(ref, flags)
		if err != nil {
			return nil, err
		}
		params, _ := firstN(schedParams(sp), n)
		return params, nil
	}
	setSched := func(ref driver.Ref, params []libvirt.TypedParam, flags uint32) error {
		u, err := schedUpdate(params)
		if err != nil {
			return err
		}
		return h.drv.SetSchedulerParameters(ref, u, flags)
	}
	return map[uint32]server.Procedure{
		proto.ProcDomainGetMemoryParameters: onDomain(h, true, func(a *libvirt.DomainGetMemoryParametersArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainGetMemoryParametersArgs, ref driver.Ref) (any, error) {
				mt, err := h.drv.GetMemoryParameters(ref, a.Flags)
				if err != nil {
					return nil, err
				}
				params, n := firstN(memoryParams(mt), a.Nparams)
				return &libvirt.DomainGetMemoryParametersRet{Params: params, Nparams: n}, nil
			}),
		proto.ProcDomainSetMemoryParameters: onDomain(h, false, func(a *libvirt.DomainSetMemoryParametersArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainSetMemoryParametersArgs, ref driver.Ref) (any, error) {
				var u driver.MemoryTuneUpdate
				for _, p := range a.Params {
					v, err := asUint64(p)
					if err != nil {
						return nil, err
					}
					switch p.Field {
					case "hard_limit":
						u.HardLimit = &v
					case "soft_limit":
						u.SoftLimit = &v
					case "swap_hard_limit":
						u.SwapHardLimit = &v
					default:
						return nil, unknownParam(p)
					}
				}
				return nil, h.drv.SetMemoryParameters(ref, u, a.Flags)
			}),
		proto.ProcDomainGetSchedulerType: onDomain(h, true, func(a *libvirt.DomainGetSchedulerTypeArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainGetSchedulerTypeArgs, ref driver.Ref) (any, error) {
				t, n, err := h.drv.SchedulerType(ref)
				if err != nil {
					return nil, err
				}
				return &libvirt.DomainGetSchedulerTypeRet{Type: t, Nparams: int32(n)}, nil
			}),
		proto.ProcDomainGetSchedulerParameters: onDomain(h, true, func(a *libvirt.DomainGetSchedulerParametersArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainGetSchedulerParametersArgs, ref driver.Ref) (any, error) {
				params, err := getSched(ref, a.Nparams, 0)
				return &libvirt.DomainGetSchedulerParametersRet{Params: params}, err
			}),
		proto.ProcDomainGetSchedulerParametersFlags: onDomain(h, true, func(a *libvirt.DomainGetSchedulerParametersFlagsArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainGetSchedulerParametersFlagsArgs, ref driver.Ref) (any, error) {
				params, err := getSched(ref, a.Nparams, a.Flags)
				return &libvirt.DomainGetSchedulerParametersFlagsRet{Params: params}, err
			}),
		proto.ProcDomainSetSchedulerParameters: onDomain(h, false, func(a *libvirt.DomainSetSchedulerParametersArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainSetSchedulerParametersArgs, ref driver.Ref) (any, error) {
				return nil, setSched(ref, a.Params, 0)
			}),
		proto.ProcDomainSetSchedulerParametersFlags: onDomain(h, false, func(a *libvirt.DomainSetSchedulerParametersFlagsArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainSetSchedulerParametersFlagsArgs, ref driver.Ref) (any, error) {
				return nil, setSched(ref, a.Params, a.Flags)
			}),
		proto.ProcDomainGetBlkioParameters: onDomain(h, true, func(a *libvirt.DomainGetBlkioParametersArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainGetBlkioParametersArgs, ref driver.Ref) (any, error) {
				if a.Nparams == 0 {
					n, err := h.drv.BlkioParameterCount(ref, a.Flags)
					return &libvirt.DomainGetBlkioParametersRet{Nparams: int32(n)}, err
				}
				bt, err := h.drv.GetBlkioParameters(ref, a.Flags)
				if err != nil {
					return nil, err
				}
				params, n := firstN(blkioParams(bt), a.Nparams)
				return &libvirt.DomainGetBlkioParametersRet{Params: params, Nparams: n}, nil
			}),
		proto.ProcDomainSetBlkioParameters: onDomain(h, false, func(a *libvirt.DomainSetBlkioParametersArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainSetBlkioParametersArgs, ref driver.Ref) (any, error) {
				for _, p := range a.Params {
					if driver.IsBlkioDeviceParam(p.Field) {
						s, ok := p.Value.I.(string)
						if !ok || p.Value.D != xdr.ParamString {
							return nil, paramError(p, "string")
						}
						if err := h.drv.SetBlkioDevices(ref, p.Field, s, a.Flags); err != nil {
							return nil, err
						}
						continue
					}
					if p.Field != "weight" {
						return nil, virerr.New(virerr.ErrOperationUnsupported, virerr.FromLXC, "setting %s is not supported", p.Field)
					}
					w, ok := p.Value.I.(uint32)
					if !ok || p.Value.D != xdr.ParamUint {
						return nil, paramError(p, "uint")
					}
					if err := h.drv.SetBlkioWeight(ref, w, a.Flags); err != nil {
						return nil, err
					}
				}
				return nil, nil
			}),
		proto.ProcDomainSetMemory: onDomain(h, false, func(a *libvirt.DomainSetMemoryArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainSetMemoryArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.SetMemory(ref, a.Memory, driver.AffectLive)
			}),
		proto.ProcDomainSetMemoryFlags: onDomain(h, false, func(a *libvirt.DomainSetMemoryFlagsArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainSetMemoryFlagsArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.SetMemory(ref, a.Memory, a.Flags)
			}),
		proto.ProcDomainSetMaxMemory: onDomain(h, false, func(a *libvirt.DomainSetMaxMemoryArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainSetMaxMemoryArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.SetMaxMemory(ref, a.Memory)
			}),
	}
}
