package server_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/client"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/wire"
	"virtlxc/internal/virerr"
)

func open(t *testing.T, path string, opts client.Options) *client.Client {
	t.Helper()
	c, err := client.OpenWith(path, "lxc:///system?socket="+path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func hostname(c *client.Client) (string, error) {
	var ret libvirt.ConnectGetHostnameRet
	err := c.Call(wire.ProgramRemote, proto.ProcConnectGetHostname, nil, &ret)
	return ret.Hostname, err
}

// wantErr checks a call failed with exactly this libvirt error.
func wantErr(t *testing.T, err error, code virerr.Code, dom virerr.Domain, msg string) {
	t.Helper()
	var ve *virerr.Error
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *virerr.Error", err, err)
	}
	if ve.Code != code || ve.Domain != dom || ve.Message != msg {
		t.Fatalf("got error code=%d domain=%d %q\nwant       code=%d domain=%d %q",
			ve.Code, ve.Domain, ve.Message, code, dom, msg)
	}
}

func TestOpenAndCall(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	c := open(t, ts.rw, client.Options{})
	if f := c.Features(); !f.KeepAlive || !f.EventCallback || !f.CloseCallback {
		t.Fatalf("features %+v", f)
	}
	h, err := hostname(c)
	if err != nil || h != "toyhost" {
		t.Fatalf("hostname %q, %v", h, err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := hostname(c); !errors.Is(err, client.ErrClosed) {
		t.Fatalf("call after close: %v", err)
	}
}

func TestOpenRejectsOtherDriver(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	_, err := client.Open(ts.rw, "qemu:///system")
	wantErr(t, err, virerr.ErrNoConnect, virerr.FromNone, "no connection driver available for qemu:///system")
}

func TestErrorArrivesIntact(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	c := open(t, ts.rw, client.Options{})
	var ret libvirt.DomainLookupByNameRet
	err := c.Call(wire.ProgramRemote, proto.ProcDomainLookupByName, &libvirt.DomainLookupByNameArgs{Name: "nosuchdom"}, &ret)
	wantErr(t, err, virerr.ErrNoDomain, virerr.FromLXC, "Domain not found: No domain with matching name 'nosuchdom'")
	if err := c.Call(wire.ProgramRemote, proto.ProcDomainLookupByName, &libvirt.DomainLookupByNameArgs{Name: "alpha"}, &ret); err != nil || ret.Dom != alpha {
		t.Fatalf("lookup alpha: %+v, %v", ret, err)
	}
}

func TestUnknownProcedureAndProgram(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	c := open(t, ts.rw, client.Options{})
	err := c.Call(wire.ProgramRemote, 9999, nil, nil)
	wantErr(t, err, virerr.ErrRPC, virerr.FromRPC, "unknown procedure: 9999")
	if !client.IsUnknownProcedure(err) {
		t.Fatal("IsUnknownProcedure is false")
	}
	err = c.Call(wire.ProgramQEMU, 1, nil, nil)
	wantErr(t, err, virerr.ErrRPC, virerr.FromRPC, fmt.Sprintf("Cannot find program %d version 1", wire.ProgramQEMU))
	// The connection survives both.
	if _, err := hostname(c); err != nil {
		t.Fatal(err)
	}
}

func TestBadArgsAreAnRPCError(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	c := open(t, ts.rw, client.Options{})
	// A name length far past the payload.
	err := c.Call(wire.ProgramRemote, proto.ProcDomainLookupByName, &struct{ N uint32 }{0x7fffffff}, nil)
	wantErr(t, err, virerr.ErrRPC, virerr.FromRPC, "Unable to decode message payload")
}

func TestCallBeforeOpen(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	c, err := client.Dial(ts.rw, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = hostname(c)
	wantErr(t, err, virerr.ErrInternalError, virerr.FromRPC, "internal error: connection not open")
	var auth libvirt.AuthListRet
	if err := c.Call(wire.ProgramRemote, proto.ProcAuthList, nil, &auth); err != nil || len(auth.Types) != 1 {
		t.Fatalf("auth list before open: %+v, %v", auth, err)
	}
}

func TestReadOnly(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	destroy := &libvirt.DomainDestroyArgs{Dom: alpha}
	const denied = "operation forbidden: read only access prevents virDomainDestroy"
	for name, c := range map[string]*client.Client{
		"ro socket":         open(t, ts.ro, client.Options{}),
		"VIR_CONNECT_RO":    open(t, ts.rw, client.Options{ReadOnly: true}),
		"ro socket, RO bit": open(t, ts.ro, client.Options{ReadOnly: true}),
	} {
		t.Run(name, func(t *testing.T) {
			if h, err := hostname(c); err != nil || h != "toyhost" {
				t.Fatalf("read-only call: %q, %v", h, err)
			}
			err := c.Call(wire.ProgramRemote, proto.ProcDomainDestroy, destroy, nil)
			wantErr(t, err, virerr.ErrOperationDenied, virerr.FromDomain, denied)
			_, err = c.CallFDs(wire.ProgramLXC, proto.LXCProcDomainOpenNamespace, &proto.LXCDomainOpenNamespaceArgs{Dom: alpha}, nil, nil)
			wantErr(t, err, virerr.ErrOperationDenied, virerr.FromNone, "operation forbidden: read only access prevents virDomainLxcOpenNamespace")
		})
	}
	rw := open(t, ts.rw, client.Options{})
	if err := rw.Call(wire.ProgramRemote, proto.ProcDomainDestroy, destroy, nil); err != nil {
		t.Fatalf("destroy on the read-write socket: %v", err)
	}
}

func TestPeerCredentials(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	c := open(t, ts.rw, client.Options{})
	var ret libvirt.ConnectGetSysinfoRet
	if err := c.Call(wire.ProgramRemote, proto.ProcConnectGetSysinfo, &libvirt.ConnectGetSysinfoArgs{}, &ret); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("pid=%d uid=%d ok=true", os.Getpid(), os.Getuid()); ret.Sysinfo != want {
		t.Fatalf("handler saw %q, want %q", ret.Sysinfo, want)
	}
}

func TestFDsBothWays(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	c := open(t, ts.rw, client.Options{})

	// Client to server: CALL_WITH_FDS; the handler writes into each pipe.
	var readers, writers []*os.File
	for range 3 {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		readers, writers = append(readers, r), append(writers, w)
	}
	var ret libvirt.DomainCreateWithFilesRet
	got, err := c.CallFDs(wire.ProgramRemote, proto.ProcDomainCreateWithFiles,
		&libvirt.DomainCreateWithFilesArgs{Dom: alpha}, writers, &ret)
	for _, w := range writers {
		w.Close()
	}
	if err != nil || len(got) != 0 || ret.Dom.ID != 3 || ret.Dom.Name != "alpha" {
		t.Fatalf("create with files: %+v, %d fds back, %v", ret, len(got), err)
	}
	for i, r := range readers {
		b, err := io.ReadAll(r) // EOF proves the server closed its copies
		if err != nil || string(b) != fmt.Sprintf("fd%d", i) {
			t.Fatalf("pipe %d got %q, %v", i, b, err)
		}
	}

	// Server to client: REPLY_WITH_FDS from the LXC program.
	fds, err := c.CallFDs(wire.ProgramLXC, proto.LXCProcDomainOpenNamespace, &proto.LXCDomainOpenNamespaceArgs{Dom: alpha}, nil, nil)
	if err != nil || len(fds) != 2 {
		t.Fatalf("open namespace: %d fds, %v", len(fds), err)
	}
	for i, want := range []string{"ns-user", "ns-mnt"} {
		b, err := io.ReadAll(fds[i])
		fds[i].Close()
		if err != nil || string(b) != want {
			t.Fatalf("fd %d holds %q, %v", i, b, err)
		}
	}
	// A plain CALL to a *_WITH_FILES procedure (go-libvirt sends that).
	if err := c.Call(wire.ProgramRemote, proto.ProcDomainCreateWithFiles, &libvirt.DomainCreateWithFilesArgs{Dom: alpha}, &ret); err != nil || ret.Dom.ID != 0 {
		t.Fatalf("create with no files: %+v, %v", ret, err)
	}
}

func TestEventMessage(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	events := make(chan client.Event, 4)
	c := open(t, ts.rw, client.Options{OnEvent: func(e client.Event) { events <- e }})
	var reg libvirt.ConnectDomainEventCallbackRegisterAnyRet
	if err := c.Call(wire.ProgramRemote, proto.ProcConnectDomainEventCallbackRegisterAny,
		&libvirt.ConnectDomainEventCallbackRegisterAnyArgs{EventID: 0}, &reg); err != nil {
		t.Fatal(err)
	}
	if err := c.Call(wire.ProgramRemote, proto.ProcDomainCreate, &libvirt.DomainCreateArgs{Dom: alpha}, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-events:
		var msg libvirt.DomainEventCallbackLifecycleMsg
		if e.Program != wire.ProgramRemote || e.Procedure != proto.ProcDomainEventCallbackLifecycle {
			t.Fatalf("event %#x/%d", e.Program, e.Procedure)
		}
		if err := e.Decode(&msg); err != nil {
			t.Fatal(err)
		}
		if msg.CallbackID != reg.CallbackID || msg.Msg.Dom != alpha || msg.Msg.Event != 2 {
			t.Fatalf("event %+v", msg)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
}

func TestCloseHooksAndShutdown(t *testing.T) {
	closed := make(chan uint64, 4)
	var ts *testServer
	ts = start(t, server.Options{OnClose: func(c *server.Conn) { closed <- c.ID }}, func(s *server.Server) {
		s.Register(wire.ProgramRemote, proto.ProcDomainCreateWithFlags, server.Procedure{
			NewArgs: func() any { return &libvirt.DomainCreateWithFlagsArgs{} },
			Handler: func(c *server.Call) (any, error) {
				// --autodestroy: tie the domain to this connection.
				c.Conn.OnClose(func() { closed <- 1000 + c.Conn.ID })
				return &libvirt.DomainCreateWithFlagsRet{Dom: alpha}, nil
			}})
	})
	c := open(t, ts.rw, client.Options{})
	if err := c.Call(wire.ProgramRemote, proto.ProcDomainCreateWithFlags, &libvirt.DomainCreateWithFlagsArgs{Dom: alpha, Flags: 2}, nil); err != nil {
		t.Fatal(err)
	}
	c.Close()
	var got []uint64
	for range 2 {
		select {
		case id := <-closed:
			got = append(got, id)
		case <-time.After(5 * time.Second):
			t.Fatalf("close hooks ran %v", got)
		}
	}
	if got[0] != got[1]+1000 {
		t.Fatalf("hook order %v: the connection's hook must run before the server's", got)
	}

	// Server.Close drops connected clients.
	c2 := open(t, ts.rw, client.Options{})
	if len(ts.srv.Conns()) != 1 {
		t.Fatalf("%d connections tracked", len(ts.srv.Conns()))
	}
	if err := ts.srv.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c2.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("client still connected after server Close")
	}
	if _, err := net.Dial("unix", ts.rw); err == nil {
		t.Fatal("listener still accepting after Close")
	}
}

func TestRegisterPanicsOnMistakes(t *testing.T) {
	srv := server.New(nil, server.Options{})
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		f()
	}
	mustPanic("nil handler", func() { srv.Register(wire.ProgramRemote, 1, server.Procedure{}) })
	srv.Register(wire.ProgramRemote, 1, server.Procedure{Handler: void})
	mustPanic("duplicate", func() { srv.Register(wire.ProgramRemote, 1, server.Procedure{Handler: void}) })
}

func TestHandlerPanicIsAnError(t *testing.T) {
	ts := start(t, server.Options{}, func(s *server.Server) {
		s.Register(wire.ProgramRemote, proto.ProcDomainSuspend, server.Procedure{
			Handler: func(*server.Call) (any, error) { panic("boom") }})
	})
	c := open(t, ts.rw, client.Options{})
	err := c.Call(wire.ProgramRemote, proto.ProcDomainSuspend, nil, nil)
	wantErr(t, err, virerr.ErrInternalError, virerr.FromRPC, "internal error: DOMAIN_SUSPEND failed unexpectedly")
	if !strings.Contains(ts.logs.String(), "boom") {
		t.Fatal("panic not logged")
	}
}
