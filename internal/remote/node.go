package remote

import (
	"errors"
	"fmt"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/driver"
	"virtlxc/internal/hostinfo"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/xdr"
	"virtlxc/internal/virerr"
)

// Limits of the node statistics replies (REMOTE_NODE_*_MAX).
const (
	nodeCPUStatsMax    = 16
	nodeMemoryStatsMax = 16
	nodeMemoryParamMax = 64
	nodeMaxCells       = 1024
	nodeFreePagesMax   = 1024 // REMOTE_NODE_MAX_CELLS
	typedParamStringOK = 4    // VIR_TYPED_PARAM_STRING_OKAY
)

// invalidArg is virReportInvalidArg: VIR_ERR_INVALID_ARG with the message
// as given (no "invalid argument: " before it).
func invalidArg(msg string) error { return virerr.Raw(virerr.ErrInvalidArg, virerr.FromNone, msg) }

// nodeProcs are the host statistics procedures (virsh nodecpustats,
// nodememstats, nodecpumap, node-memory-tune), answered from /proc and
// /sys as libvirt's virhostcpu.c and virhostmem.c do.
func (h *Handlers) nodeProcs() map[uint32]server.Procedure {
	return map[uint32]server.Procedure{
		proto.ProcNodeGetCPUStats: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.NodeGetCPUStatsArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.NodeGetCPUStatsArgs)
				if a.Nparams > nodeCPUStatsMax {
					return nil, virerr.Raw(virerr.ErrRPC, virerr.FromRPC, "nparams too large")
				}
				if a.CPUNum < 0 && a.CPUNum != -1 {
					return nil, invalidArg("cpuNum in virNodeGetCPUStats only accepts -1 as a negative value")
				}
				if err := driver.CheckFlags(a.Flags, 0, "virHostCPUGetStats"); err != nil {
					return nil, err
				}
				if a.Nparams == 0 {
					return &libvirt.NodeGetCPUStatsRet{Nparams: hostinfo.NumCPUStats}, nil
				}
				if a.Nparams != hostinfo.NumCPUStats {
					return nil, invalidArg("nparams in virHostCPUGetStatsLinux must be equal to 4")
				}
				stats, err := h.host.CPUStats(int(a.CPUNum))
				if errors.Is(err, hostinfo.ErrNoSuchCPU) {
					return nil, invalidArg("Invalid cpuNum in virHostCPUGetStatsLinux")
				}
				if err != nil {
					return nil, virerr.Wrap(err, virerr.ErrSystemError, virerr.FromNone, "cannot open /proc/stat: %v", err)
				}
				ret := &libvirt.NodeGetCPUStatsRet{Nparams: int32(len(stats))}
				for _, s := range stats {
					ret.Params = append(ret.Params, libvirt.NodeGetCPUStats{Field: s.Field, Value: s.Value})
				}
				return ret, nil
			}},
		proto.ProcNodeGetMemoryStats: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.NodeGetMemoryStatsArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.NodeGetMemoryStatsArgs)
				if a.Nparams > nodeMemoryStatsMax {
					return nil, virerr.Raw(virerr.ErrRPC, virerr.FromRPC, "nparams too large")
				}
				if a.CellNum < 0 && a.CellNum != -1 {
					return nil, invalidArg("cellNum in virNodeGetMemoryStats only accepts -1 as a negative value")
				}
				if err := driver.CheckFlags(a.Flags, 0, "virHostMemGetStats"); err != nil {
					return nil, err
				}
				stats, err := h.host.MemoryStats(int(a.CellNum))
				var cr *hostinfo.CellRangeError
				switch {
				case errors.As(err, &cr):
					return nil, invalidArg(cr.Error())
				case errors.Is(err, hostinfo.ErrNoNUMA):
					return nil, virerr.New(virerr.ErrConfigUnsupported, virerr.FromNone, "%s", err.Error())
				case err != nil:
					return nil, virerr.Wrap(err, virerr.ErrSystemError, virerr.FromNone, "%v", err)
				}
				if a.Nparams == 0 {
					return &libvirt.NodeGetMemoryStatsRet{Nparams: int32(len(stats))}, nil
				}
				if int(a.Nparams) != len(stats) {
					return nil, invalidArg(fmt.Sprintf("nparams in virHostMemGetStatsLinux must be %d", len(stats)))
				}
				ret := &libvirt.NodeGetMemoryStatsRet{Nparams: int32(len(stats))}
				for _, s := range stats {
					ret.Params = append(ret.Params, libvirt.NodeGetMemoryStats{Field: s.Field, Value: s.Value})
				}
				return ret, nil
			}},
		proto.ProcNodeGetCPUMap: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.NodeGetCPUMapArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.NodeGetCPUMapArgs)
				if err := driver.CheckFlags(a.Flags, 0, "virHostCPUGetMap"); err != nil {
					return nil, err
				}
				present, online, count := h.host.CPUMap()
				ret := &libvirt.NodeGetCPUMapRet{Ret: int32(present)}
				if a.NeedMap != 0 {
					ret.Cpumap = online
				}
				if a.NeedOnline != 0 {
					ret.Online = uint32(count)
				}
				return ret, nil
			}},
		proto.ProcNodeGetCellsFreeMemory: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.NodeGetCellsFreeMemoryArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.NodeGetCellsFreeMemoryArgs)
				if a.Maxcells > nodeMaxCells {
					return nil, virerr.Raw(virerr.ErrRPC, virerr.FromRPC, "maxCells > REMOTE_NODE_MAX_CELLS")
				}
				cells, err := h.host.CellsFreeMemory(int(a.StartCell), int(a.Maxcells))
				if err != nil {
					return nil, virerr.New(virerr.ErrInternalError, virerr.FromNone, "%s", err.Error())
				}
				return &libvirt.NodeGetCellsFreeMemoryRet{Cells: cells}, nil
			}},
		proto.ProcNodeGetFreePages: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.NodeGetFreePagesArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.NodeGetFreePagesArgs)
				if len(a.Pages)*int(a.CellCount) > nodeFreePagesMax {
					return nil, virerr.Raw(virerr.ErrRPC, virerr.FromRPC, "the result won't fit into REMOTE_NODE_MAX_CELLS")
				}
				if err := driver.CheckFlags(a.Flags, 0, "lxcNodeGetFreePages"); err != nil {
					return nil, err
				}
				counts, err := h.host.FreePages(a.Pages, int(a.StartCell), int(a.CellCount))
				var pe *hostinfo.PageSizeError
				switch {
				case errors.As(err, &pe):
					return nil, virerr.New(virerr.ErrOperationFailed, virerr.FromNone, "%s", err.Error())
				case err != nil:
					return nil, virerr.New(virerr.ErrInternalError, virerr.FromNone, "%s", err.Error())
				case len(counts) == 0:
					return nil, virerr.New(virerr.ErrOperationFailed, virerr.FromNone, "no suitable info found")
				}
				return &libvirt.NodeGetFreePagesRet{Counts: counts}, nil
			}},
		proto.ProcNodeSuspendForDuration: {
			NewArgs: func() any { return &libvirt.NodeSuspendForDurationArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.NodeSuspendForDurationArgs)
				if err := driver.CheckFlags(a.Flags, 0, "virNodeSuspend"); err != nil {
					return nil, err
				}
				// The host reports no suspend target (its capabilities'
				// power_management is empty): every one is refused, as
				// libvirt refuses a target the host lacks.
				names := []string{"Suspend-to-RAM", "Suspend-to-Disk", "Hybrid-Suspend"}
				if int(a.Target) >= len(names) {
					return nil, virerr.New(virerr.ErrInvalidArg, virerr.FromNone, "Invalid suspend target")
				}
				return nil, virerr.New(virerr.ErrArgumentUnsupported, virerr.FromNone, "%s", names[a.Target])
			}},
		proto.ProcNodeGetMemoryParameters: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.NodeGetMemoryParametersArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.NodeGetMemoryParametersArgs)
				if a.Nparams > nodeMemoryParamMax {
					return nil, virerr.Raw(virerr.ErrRPC, virerr.FromRPC, "nparams too large")
				}
				if err := driver.CheckFlags(a.Flags, typedParamStringOK, "virHostMemGetParameters"); err != nil {
					return nil, err
				}
				if a.Nparams == 0 {
					return &libvirt.NodeGetMemoryParametersRet{Nparams: int32(hostinfo.NumKSMParams)}, nil
				}
				ps, err := h.host.KSMParams(int(a.Nparams))
				if err != nil {
					return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromNone, "%v", err)
				}
				ret := &libvirt.NodeGetMemoryParametersRet{Nparams: int32(len(ps))}
				for _, p := range ps {
					tp := ullong(p.Field, p.Value)
					if !p.Wide {
						tp.Value = libvirt.TypedParamValue{D: xdr.ParamUint, I: uint32(p.Value)}
					}
					ret.Params = append(ret.Params, tp)
				}
				return ret, nil
			}},
	}
}
