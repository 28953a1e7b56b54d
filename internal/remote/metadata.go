package remote

import (
	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/driver"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/xdr"
	"virtlxc/internal/virerr"
)

// optArg is a remote_string argument: nil when absent.
func optArg(s libvirt.OptString) *string {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}

// metadataProcs are DOMAIN_SET_METADATA and DOMAIN_GET_METADATA (virsh
// desc, metadata).
func (h *Handlers) metadataProcs() map[uint32]server.Procedure {
	return map[uint32]server.Procedure{
		proto.ProcDomainSetMetadata: onDomain(h, false, func(a *libvirt.DomainSetMetadataArgs) libvirt.Domain { return a.Dom },
			func(_ *server.Call, a *libvirt.DomainSetMetadataArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.SetMetadata(ref, a.Type, optArg(a.Metadata), optArg(a.Key), optArg(a.Uri), uint32(a.Flags))
			}),
		proto.ProcDomainGetMetadata: onDomain(h, true, func(a *libvirt.DomainGetMetadataArgs) libvirt.Domain { return a.Dom },
			func(_ *server.Call, a *libvirt.DomainGetMetadataArgs, ref driver.Ref) (any, error) {
				md, err := h.drv.GetMetadata(ref, a.Type, optArg(a.Uri), uint32(a.Flags))
				if err != nil {
					return nil, err
				}
				return &libvirt.DomainGetMetadataRet{Metadata: md}, nil
			}),
	}
}

// guestProcs are DOMAIN_GET_HOSTNAME (from the DHCP leases of the
// domain's type='network' interfaces, as libvirt's LXC driver answers)
// and DOMAIN_SEND_PROCESS_SIGNAL.
func (h *Handlers) guestProcs() map[uint32]server.Procedure {
	return map[uint32]server.Procedure{
		proto.ProcDomainGetHostname: onDomain(h, true, func(a *libvirt.DomainGetHostnameArgs) libvirt.Domain { return a.Dom },
			func(_ *server.Call, a *libvirt.DomainGetHostnameArgs, ref driver.Ref) (any, error) {
				if err := driver.CheckFlags(uint32(a.Flags), hostnameLease, "lxcDomainGetHostname"); err != nil {
					return nil, err
				}
				ifaces, err := h.drv.Interfaces(ref)
				if err != nil {
					return nil, err
				}
				if h.nets == nil {
					return nil, virerr.New(virerr.ErrNoSupport, virerr.FromNone, "no connection driver available for network:///system")
				}
				for _, i := range ifaces {
					if i.Network == "" {
						continue
					}
					leases, err := h.nets.Leases(i.Network, i.MAC)
					if err != nil {
						return nil, err
					}
					for _, l := range leases {
						if l.Hostname != "" {
							return &libvirt.DomainGetHostnameRet{Hostname: l.Hostname}, nil
						}
					}
				}
				return nil, virerr.New(virerr.ErrNoHostname, virerr.FromLXC, "no hostname found for domain %s", ref.Name)
			}),
		proto.ProcDomainSendProcessSignal: onDomain(h, false, func(a *libvirt.DomainSendProcessSignalArgs) libvirt.Domain { return a.Dom },
			func(_ *server.Call, a *libvirt.DomainSendProcessSignalArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.SendProcessSignal(ref, a.PidValue, a.Signum, a.Flags)
			}),
	}
}

// hostnameLease is VIR_DOMAIN_GET_HOSTNAME_LEASE.
const hostnameLease = 1

// blockStatsParams is LXC_NB_DOMAIN_BLOCK_STAT_PARAM.
const blockStatsParams = 4

// blockProcs are DOMAIN_BLOCK_STATS and DOMAIN_BLOCK_STATS_FLAGS (virsh
// domblkstat).
func (h *Handlers) blockProcs() map[uint32]server.Procedure {
	return map[uint32]server.Procedure{
		proto.ProcDomainBlockStats: onDomain(h, true, func(a *libvirt.DomainBlockStatsArgs) libvirt.Domain { return a.Dom },
			func(_ *server.Call, a *libvirt.DomainBlockStatsArgs, ref driver.Ref) (any, error) {
				st, err := h.drv.BlockStats(ref, a.Path)
				if err != nil {
					return nil, err
				}
				return &libvirt.DomainBlockStatsRet{RdReq: st.RdReq, RdBytes: st.RdBytes, WrReq: st.WrReq, WrBytes: st.WrBytes, Errs: -1}, nil
			}),
		proto.ProcDomainBlockStatsFlags: onDomain(h, true, func(a *libvirt.DomainBlockStatsFlagsArgs) libvirt.Domain { return a.Dom },
			func(_ *server.Call, a *libvirt.DomainBlockStatsFlagsArgs, ref driver.Ref) (any, error) {
				if err := driver.CheckFlags(a.Flags, typedParamStringOK, "lxcDomainBlockStatsFlags"); err != nil {
					return nil, err
				}
				if a.Nparams == 0 {
					return &libvirt.DomainBlockStatsFlagsRet{Nparams: blockStatsParams}, nil
				}
				st, err := h.drv.BlockStats(ref, a.Path)
				if err != nil {
					return nil, err
				}
				params := []libvirt.TypedParam{
					llong("wr_bytes", st.WrBytes), llong("wr_operations", st.WrReq),
					llong("rd_bytes", st.RdBytes), llong("rd_operations", st.RdReq),
				}
				params = params[:min(len(params), int(max(a.Nparams, 0)))]
				return &libvirt.DomainBlockStatsFlagsRet{Params: params, Nparams: int32(len(params))}, nil
			}),
	}
}

func llong(field string, v int64) libvirt.TypedParam {
	return libvirt.TypedParam{Field: field, Value: libvirt.TypedParamValue{D: xdr.ParamLLong, I: v}}
}
