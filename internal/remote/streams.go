package remote

import (
	"io"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/driver"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/wire"
)

// streamProcs are virsh console (a stream) and lxc-enter-namespace (fds).
func (h *Handlers) streamProcs() map[uint32]map[uint32]server.Procedure {
	return map[uint32]map[uint32]server.Procedure{
		wire.ProgramRemote: {
			proto.ProcDomainOpenConsole: onDomain(h, false, func(a *libvirt.DomainOpenConsoleArgs) libvirt.Domain { return a.Dom },
				func(c *server.Call, a *libvirt.DomainOpenConsoleArgs, ref driver.Ref) (any, error) {
					dev := ""
					if len(a.DevName) > 0 {
						dev = a.DevName[0]
					}
					cons, err := h.drv.OpenConsole(ref, dev, a.Flags)
					if err != nil {
						return nil, err
					}
					st := c.OpenStream()
					go func() { _, _ = io.Copy(cons, st); cons.Close() }() // keystrokes in
					go func() { _, _ = io.Copy(st, cons); st.Close() }()   // output out; Close = EOF
					return nil, nil
				}),
		},
		wire.ProgramVirtlxc: {
			proto.VirtlxcProcDomainConsoleResize: onDomain(h, false, func(a *proto.VirtlxcDomainConsoleResizeArgs) libvirt.Domain { return a.Dom },
				func(c *server.Call, a *proto.VirtlxcDomainConsoleResizeArgs, ref driver.Ref) (any, error) {
					dev := ""
					if len(a.DevName) > 0 {
						dev = a.DevName[0]
					}
					return nil, h.drv.ResizeConsole(ref, dev, uint16(a.Rows), uint16(a.Cols))
				}),
		},
		wire.ProgramLXC: {
			proto.LXCProcDomainOpenNamespace: onDomain(h, false, func(a *proto.LXCDomainOpenNamespaceArgs) libvirt.Domain { return a.Dom },
				func(c *server.Call, a *proto.LXCDomainOpenNamespaceArgs, ref driver.Ref) (any, error) {
					files, err := h.drv.OpenNamespaces(ref, a.Flags)
					if err != nil {
						return nil, err
					}
					c.SendFDs(files...)
					return nil, nil
				}),
		},
	}
}
