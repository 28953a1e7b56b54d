package server_test

import (
	"io"
	"log/slog"
	"net"
	"os"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/wire"
	"virtlxc/internal/virerr"
)

// A handler set touching each facility: args and ret from go-libvirt,
// a libvirt error, a console stream, fds out, and an event.
func ExampleServer_Register() {
	srv := server.New(slog.Default(), server.Options{})

	srv.Register(wire.ProgramRemote, proto.ProcDomainLookupByName, server.Procedure{
		ReadOnly: true,
		NewArgs:  func() any { return &libvirt.DomainLookupByNameArgs{} },
		Handler: func(c *server.Call) (any, error) {
			name := c.Args.(*libvirt.DomainLookupByNameArgs).Name
			return nil, virerr.New(virerr.ErrNoDomain, virerr.FromLXC, "No domain with matching name '%s'", name)
		}})

	// virsh console: the reply goes first, then the pty's bytes both ways.
	srv.Register(wire.ProgramRemote, proto.ProcDomainOpenConsole, server.Procedure{
		NewArgs: func() any { return &libvirt.DomainOpenConsoleArgs{} },
		Handler: func(c *server.Call) (any, error) {
			pty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0) // the container's console, really
			if err != nil {
				return nil, err
			}
			st := c.OpenStream()
			go func() { io.Copy(pty, st); pty.Close() }() // keystrokes in
			go func() { io.Copy(st, pty); st.Close() }()  // output out; Close = EOF
			return nil, nil
		}})

	// lxc-enter-namespace: REPLY_WITH_FDS.
	srv.Register(wire.ProgramLXC, proto.LXCProcDomainOpenNamespace, server.Procedure{
		NewArgs: func() any { return &proto.LXCDomainOpenNamespaceArgs{} },
		Handler: func(c *server.Call) (any, error) {
			ns, err := os.Open("/proc/self/ns/uts")
			if err != nil {
				return nil, err
			}
			c.SendFDs(ns) // closed by the server once sent
			return nil, nil
		}})

	// Events: remember the registration, push MESSAGEs from anywhere later.
	srv.Register(wire.ProgramRemote, proto.ProcConnectDomainEventCallbackRegisterAny, server.Procedure{
		ReadOnly: true,
		NewArgs:  func() any { return &libvirt.ConnectDomainEventCallbackRegisterAnyArgs{} },
		Handler: func(c *server.Call) (any, error) {
			conn := c.Conn
			go conn.SendMessage(wire.ProgramRemote, proto.ProcDomainEventCallbackLifecycle,
				&libvirt.DomainEventCallbackLifecycleMsg{CallbackID: 1})
			return &libvirt.ConnectDomainEventCallbackRegisterAnyRet{CallbackID: 1}, nil
		}})

	l, err := net.Listen("unix", "/run/libvirt/virtlxcd-sock")
	if err != nil {
		return
	}
	go srv.Serve(l, false)
	defer srv.Close()
}
