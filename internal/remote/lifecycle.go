package remote

import (
	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/driver"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
)

// lifecycleProcs are define/undefine/start/stop and friends.
func (h *Handlers) lifecycleProcs() map[uint32]server.Procedure {
	define := func(xml string, flags uint32) (any, error) {
		ref, err := h.drv.DefineXML([]byte(xml), flags)
		if err != nil {
			return nil, err
		}
		return &libvirt.DomainDefineXMLRet{Dom: fromRef(ref)}, nil
	}
	start := func(c *server.Call, ref driver.Ref, flags uint32) (driver.Ref, error) {
		return h.drv.Start(ref, flags, c.TakeFDs(), h.connID(c))
	}
	createXML := func(c *server.Call, xml string, flags uint32) (any, error) {
		ref, err := h.drv.CreateXML([]byte(xml), flags, c.TakeFDs(), h.connID(c))
		if err != nil {
			return nil, err
		}
		return &libvirt.DomainCreateXMLRet{Dom: fromRef(ref)}, nil
	}
	return map[uint32]server.Procedure{
		proto.ProcDomainDefineXML: {NewArgs: func() any { return &libvirt.DomainDefineXMLArgs{} },
			Handler: func(c *server.Call) (any, error) { return define(c.Args.(*libvirt.DomainDefineXMLArgs).XML, 0) }},
		proto.ProcDomainDefineXMLFlags: {NewArgs: func() any { return &libvirt.DomainDefineXMLFlagsArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.DomainDefineXMLFlagsArgs)
				return define(a.XML, uint32(a.Flags))
			}},
		proto.ProcDomainUndefine: onDomain(h, false, func(a *libvirt.DomainUndefineArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainUndefineArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.Undefine(ref, 0)
			}),
		proto.ProcDomainUndefineFlags: onDomain(h, false, func(a *libvirt.DomainUndefineFlagsArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainUndefineFlagsArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.Undefine(ref, uint32(a.Flags))
			}),
		proto.ProcDomainCreate: onDomain(h, false, func(a *libvirt.DomainCreateArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainCreateArgs, ref driver.Ref) (any, error) {
				_, err := start(c, ref, 0)
				return nil, err
			}),
		proto.ProcDomainCreateWithFlags: onDomain(h, false, func(a *libvirt.DomainCreateWithFlagsArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainCreateWithFlagsArgs, ref driver.Ref) (any, error) {
				r, err := start(c, ref, a.Flags)
				if err != nil {
					return nil, err
				}
				return &libvirt.DomainCreateWithFlagsRet{Dom: fromRef(r)}, nil
			}),
		proto.ProcDomainCreateWithFiles: onDomain(h, false, func(a *libvirt.DomainCreateWithFilesArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainCreateWithFilesArgs, ref driver.Ref) (any, error) {
				r, err := start(c, ref, uint32(a.Flags))
				if err != nil {
					return nil, err
				}
				return &libvirt.DomainCreateWithFilesRet{Dom: fromRef(r)}, nil
			}),
		proto.ProcDomainCreateXML: {NewArgs: func() any { return &libvirt.DomainCreateXMLArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.DomainCreateXMLArgs)
				return createXML(c, a.XMLDesc, uint32(a.Flags))
			}},
		proto.ProcDomainCreateXMLWithFiles: {NewArgs: func() any { return &libvirt.DomainCreateXMLWithFilesArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.DomainCreateXMLWithFilesArgs)
				ret, err := createXML(c, a.XMLDesc, uint32(a.Flags))
				if err != nil {
					return nil, err
				}
				return &libvirt.DomainCreateXMLWithFilesRet{Dom: ret.(*libvirt.DomainCreateXMLRet).Dom}, nil
			}},
		proto.ProcDomainShutdown: onDomain(h, false, func(a *libvirt.DomainShutdownArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainShutdownArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.Shutdown(ref, 0)
			}),
		proto.ProcDomainShutdownFlags: onDomain(h, false, func(a *libvirt.DomainShutdownFlagsArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainShutdownFlagsArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.Shutdown(ref, uint32(a.Flags))
			}),
		proto.ProcDomainReboot: onDomain(h, false, func(a *libvirt.DomainRebootArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainRebootArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.Reboot(ref, uint32(a.Flags))
			}),
		proto.ProcDomainDestroy: onDomain(h, false, func(a *libvirt.DomainDestroyArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainDestroyArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.Destroy(ref, 0)
			}),
		proto.ProcDomainDestroyFlags: onDomain(h, false, func(a *libvirt.DomainDestroyFlagsArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainDestroyFlagsArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.Destroy(ref, uint32(a.Flags))
			}),
		proto.ProcDomainSuspend: onDomain(h, false, func(a *libvirt.DomainSuspendArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainSuspendArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.Suspend(ref)
			}),
		proto.ProcDomainResume: onDomain(h, false, func(a *libvirt.DomainResumeArgs) libvirt.Domain { return a.Dom },
			func(c *server.Call, a *libvirt.DomainResumeArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.Resume(ref)
			}),
	}
}
