package remote

import (
	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/driver"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/virerr"
)

// onDomain builds a procedure whose args name a domain: the args struct is
// decoded, the domain resolved, then fn runs.
func onDomain[A any](h *Handlers, readOnly bool, dom func(*A) libvirt.Domain, fn func(c *server.Call, a *A, ref driver.Ref) (any, error)) server.Procedure {
	return server.Procedure{
		ReadOnly: readOnly,
		NewArgs:  func() any { return new(A) },
		Handler: func(c *server.Call) (any, error) {
			a := c.Args.(*A)
			ref, err := h.resolve(dom(a))
			if err != nil {
				return nil, err
			}
			return fn(c, a, ref)
		},
	}
}

func boolInt(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// domainProcs are the lookup and query procedures.
func (h *Handlers) domainProcs() map[uint32]server.Procedure {
	return map[uint32]server.Procedure{
		proto.ProcConnectGetAllDomainStats: h.statsProc(),
		proto.ProcDomainMemoryStats:        h.memoryStatsProc(),
		proto.ProcDomainGetCPUStats:        h.cpuStatsProc(),
		proto.ProcDomainLookupByName: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.DomainLookupByNameArgs{} },
			Handler: func(c *server.Call) (any, error) {
				ref, err := h.drv.LookupByName(c.Args.(*libvirt.DomainLookupByNameArgs).Name)
				if err != nil {
					return nil, err
				}
				return &libvirt.DomainLookupByNameRet{Dom: fromRef(ref)}, nil
			}},
		proto.ProcDomainLookupByUUID: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.DomainLookupByUUIDArgs{} },
			Handler: func(c *server.Call) (any, error) {
				ref, err := h.drv.LookupByUUID(toRef(libvirt.Domain{UUID: c.Args.(*libvirt.DomainLookupByUUIDArgs).UUID}).UUID)
				if err != nil {
					return nil, err
				}
				return &libvirt.DomainLookupByUUIDRet{Dom: fromRef(ref)}, nil
			}},
		proto.ProcDomainLookupByID: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.DomainLookupByIDArgs{} },
			Handler: func(c *server.Call) (any, error) {
				ref, err := h.drv.LookupByID(int(c.Args.(*libvirt.DomainLookupByIDArgs).ID))
				if err != nil {
					return nil, err
				}
				return &libvirt.DomainLookupByIDRet{Dom: fromRef(ref)}, nil
			}},
		proto.ProcConnectListAllDomains: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.ConnectListAllDomainsArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.ConnectListAllDomainsArgs)
				refs, err := h.drv.ListAll(uint32(a.Flags))
				if err != nil {
					return nil, err
				}
				ret := &libvirt.ConnectListAllDomainsRet{Ret: uint32(len(refs))}
				if a.NeedResults != 0 {
					ret.Domains = make([]libvirt.Domain, 0, len(refs))
					for _, r := range refs {
						ret.Domains = append(ret.Domains, fromRef(r))
					}
				}
				return ret, nil
			}},
		proto.ProcConnectNumOfDomains: {ReadOnly: true, Handler: func(*server.Call) (any, error) {
			return &libvirt.ConnectNumOfDomainsRet{Num: int32(h.drv.NumOfDomains())}, nil
		}},
		proto.ProcConnectNumOfDefinedDomains: {ReadOnly: true, Handler: func(*server.Call) (any, error) {
			return &libvirt.ConnectNumOfDefinedDomainsRet{Num: int32(h.drv.NumOfDefinedDomains())}, nil
		}},
		proto.ProcConnectListDomains: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.ConnectListDomainsArgs{} },
			Handler: func(c *server.Call) (any, error) {
				max := int(c.Args.(*libvirt.ConnectListDomainsArgs).Maxids)
				ret := &libvirt.ConnectListDomainsRet{}
				for _, id := range h.drv.ListIDs() {
					if len(ret.Ids) >= max {
						break
					}
					ret.Ids = append(ret.Ids, int32(id))
				}
				return ret, nil
			}},
		proto.ProcConnectListDefinedDomains: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.ConnectListDefinedDomainsArgs{} },
			Handler: func(c *server.Call) (any, error) {
				max := int(c.Args.(*libvirt.ConnectListDefinedDomainsArgs).Maxnames)
				names := h.drv.ListDefinedNames()
				if len(names) > max {
					names = names[:max]
				}
				return &libvirt.ConnectListDefinedDomainsRet{Names: names}, nil
			}},
		proto.ProcDomainGetState: onDomain(h, true, func(a *libvirt.DomainGetStateArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainGetStateArgs, ref driver.Ref) (any, error) {
				st, reason, err := h.drv.GetState(ref, a.Flags)
				if err != nil {
					return nil, err
				}
				return &libvirt.DomainGetStateRet{State: int32(st), Reason: int32(reason)}, nil
			}),
		proto.ProcDomainGetInfo: onDomain(h, true, func(a *libvirt.DomainGetInfoArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainGetInfoArgs, ref driver.Ref) (any, error) {
				in, err := h.drv.GetInfo(ref)
				if err != nil {
					return nil, err
				}
				return &libvirt.DomainGetInfoRet{State: uint8(in.State), MaxMem: in.MaxMemKiB, Memory: in.MemoryKiB,
					NrVirtCPU: in.NrVirtCPU, CPUTime: in.CPUTimeNs}, nil
			}),
		proto.ProcDomainGetXMLDesc: onDomain(h, true, func(a *libvirt.DomainGetXMLDescArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainGetXMLDescArgs, ref driver.Ref) (any, error) {
				if err := secureXMLAllowed(c, uint32(a.Flags)); err != nil {
					return nil, err
				}
				x, err := h.drv.GetXML(ref, uint32(a.Flags))
				if err != nil {
					return nil, err
				}
				return &libvirt.DomainGetXMLDescRet{XML: x}, nil
			}),
		proto.ProcDomainGetOSType: onDomain(h, true, func(a *libvirt.DomainGetOsTypeArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainGetOsTypeArgs, ref driver.Ref) (any, error) {
				t, err := h.drv.GetOSType(ref)
				if err != nil {
					return nil, err
				}
				return &libvirt.DomainGetOsTypeRet{Type: t}, nil
			}),
		proto.ProcDomainGetMaxMemory: onDomain(h, true, func(a *libvirt.DomainGetMaxMemoryArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainGetMaxMemoryArgs, ref driver.Ref) (any, error) {
				m, err := h.drv.GetMaxMemory(ref)
				if err != nil {
					return nil, err
				}
				return &libvirt.DomainGetMaxMemoryRet{Memory: m}, nil
			}),
		proto.ProcDomainIsActive: onDomain(h, true, func(a *libvirt.DomainIsActiveArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainIsActiveArgs, ref driver.Ref) (any, error) {
				v, err := h.drv.IsActive(ref)
				return &libvirt.DomainIsActiveRet{Active: boolInt(v)}, err
			}),
		proto.ProcDomainIsPersistent: onDomain(h, true, func(a *libvirt.DomainIsPersistentArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainIsPersistentArgs, ref driver.Ref) (any, error) {
				v, err := h.drv.IsPersistent(ref)
				return &libvirt.DomainIsPersistentRet{Persistent: boolInt(v)}, err
			}),
		proto.ProcDomainIsUpdated: onDomain(h, true, func(a *libvirt.DomainIsUpdatedArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainIsUpdatedArgs, ref driver.Ref) (any, error) {
				v, err := h.drv.IsUpdated(ref)
				return &libvirt.DomainIsUpdatedRet{Updated: boolInt(v)}, err
			}),
		proto.ProcDomainGetAutostart: onDomain(h, true, func(a *libvirt.DomainGetAutostartArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainGetAutostartArgs, ref driver.Ref) (any, error) {
				v, err := h.drv.Autostart(ref)
				return &libvirt.DomainGetAutostartRet{Autostart: boolInt(v)}, err
			}),
		proto.ProcDomainSetAutostart: onDomain(h, false, func(a *libvirt.DomainSetAutostartArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainSetAutostartArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.SetAutostart(ref, a.Autostart != 0)
			}),
		proto.ProcDomainHasManagedSaveImage: onDomain(h, true, func(a *libvirt.DomainHasManagedSaveImageArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainHasManagedSaveImageArgs, ref driver.Ref) (any, error) {
				return &libvirt.DomainHasManagedSaveImageRet{Result: 0}, nil
			}),
		proto.ProcDomainGetSecurityLabel: onDomain(h, true, func(a *libvirt.DomainGetSecurityLabelArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainGetSecurityLabelArgs, ref driver.Ref) (any, error) {
				// Security model "none": an empty label, not enforcing.
				return &libvirt.DomainGetSecurityLabelRet{}, nil
			}),
	}
}

// secureXMLAllowed refuses VIR_DOMAIN_XML_SECURE on a read-only connection,
// as libvirt does.
func secureXMLAllowed(c *server.Call, flags uint32) error {
	const xmlSecure = 1
	if flags&xmlSecure != 0 && c.Conn.ReadOnly() {
		return virerr.New(virerr.ErrOperationDenied, virerr.FromNone, "virDomainGetXMLDesc with secure flag")
	}
	return nil
}
