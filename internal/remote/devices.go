package remote

import (
	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/driver"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
)

// deviceProcs are the device attach, detach and update procedures
// (virsh attach-device, attach-interface, detach-*, update-device).
func (h *Handlers) deviceProcs() map[uint32]server.Procedure {
	return map[uint32]server.Procedure{
		proto.ProcDomainAttachDevice: onDomain(h, false, func(a *libvirt.DomainAttachDeviceArgs) libvirt.Domain { return a.Dom },
			func(_ *server.Call, a *libvirt.DomainAttachDeviceArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.AttachDevice(ref, a.XML, driver.AffectLive)
			}),
		proto.ProcDomainAttachDeviceFlags: onDomain(h, false, func(a *libvirt.DomainAttachDeviceFlagsArgs) libvirt.Domain { return a.Dom },
			func(_ *server.Call, a *libvirt.DomainAttachDeviceFlagsArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.AttachDevice(ref, a.XML, a.Flags)
			}),
		proto.ProcDomainDetachDevice: onDomain(h, false, func(a *libvirt.DomainDetachDeviceArgs) libvirt.Domain { return a.Dom },
			func(_ *server.Call, a *libvirt.DomainDetachDeviceArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.DetachDevice(ref, a.XML, driver.AffectLive)
			}),
		proto.ProcDomainDetachDeviceFlags: onDomain(h, false, func(a *libvirt.DomainDetachDeviceFlagsArgs) libvirt.Domain { return a.Dom },
			func(_ *server.Call, a *libvirt.DomainDetachDeviceFlagsArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.DetachDevice(ref, a.XML, a.Flags)
			}),
		proto.ProcDomainUpdateDeviceFlags: onDomain(h, false, func(a *libvirt.DomainUpdateDeviceFlagsArgs) libvirt.Domain { return a.Dom },
			func(_ *server.Call, a *libvirt.DomainUpdateDeviceFlagsArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.UpdateDevice(ref, a.XML, uint32(a.Flags))
			}),
	}
}
