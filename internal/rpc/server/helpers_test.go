package server_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/wire"
	"virtlxc/internal/virerr"
)

// logBuffer collects the server's log lines; tests read it, and it is
// printed when a test fails.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// testServer is a running server with a read-write and a read-only socket.
type testServer struct {
	srv    *server.Server
	rw, ro string
	logs   *logBuffer
}

// start serves the toy handler set (plus extra registrations) on two unix
// sockets in a temporary directory.
func start(t *testing.T, opts server.Options, extra func(*server.Server)) *testServer {
	t.Helper()
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := server.New(log, opts)
	registerHandshake(srv, "toyhost")
	registerToys(srv)
	if extra != nil {
		extra(srv)
	}
	dir := t.TempDir()
	ts := &testServer{srv: srv, rw: filepath.Join(dir, "sock"), ro: filepath.Join(dir, "sock-ro"), logs: logs}
	for _, l := range []struct {
		path string
		ro   bool
	}{{ts.rw, false}, {ts.ro, true}} {
		ln, err := net.Listen("unix", l.path)
		if err != nil {
			t.Fatal(err)
		}
		go srv.Serve(ln, l.ro)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("server close: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return ts
}

// registerHandshake registers what virsh needs to connect (spec §2.2).
func registerHandshake(srv *server.Server, hostname string) {
	remote := func(proc uint32, p server.Procedure) { srv.Register(wire.ProgramRemote, proc, p) }
	remote(proto.ProcAuthList, server.Procedure{ReadOnly: true, BeforeOpen: true,
		Handler: func(*server.Call) (any, error) {
			return &libvirt.AuthListRet{Types: []libvirt.AuthType{proto.AuthNone}}, nil
		}})
	remote(proto.ProcConnectSupportsFeature, server.Procedure{ReadOnly: true, BeforeOpen: true,
		NewArgs: func() any { return &libvirt.ConnectSupportsFeatureArgs{} },
		Handler: func(c *server.Call) (any, error) {
			f := c.Args.(*libvirt.ConnectSupportsFeatureArgs).Feature
			if f == proto.FeatureProgramKeepalive {
				c.Conn.StartKeepAlive()
				return &libvirt.ConnectSupportsFeatureRet{Supported: 1}, nil
			}
			if !c.Conn.IsOpen() {
				return nil, server.ErrNotOpen()
			}
			switch f {
			case proto.FeatureFDPassing, proto.FeatureTypedParamString,
				proto.FeatureRemoteEventCallback, proto.FeatureRemoteCloseCallback:
				return &libvirt.ConnectSupportsFeatureRet{Supported: 1}, nil
			}
			return &libvirt.ConnectSupportsFeatureRet{}, nil
		}})
	remote(proto.ProcConnectOpen, server.Procedure{ReadOnly: true, BeforeOpen: true,
		NewArgs: func() any { return &proto.ConnectOpenArgs{} },
		Handler: func(c *server.Call) (any, error) {
			a := c.Args.(*proto.ConnectOpenArgs)
			name := ""
			if len(a.Name) == 1 {
				name = a.Name[0]
			}
			switch name {
			case "", "lxc:///system", "lxc:///", "lxc://":
			default:
				return nil, virerr.New(virerr.ErrNoConnect, virerr.FromNone, "%s", name)
			}
			c.Conn.MarkOpen(a.Flags&proto.ConnectRO != 0)
			return nil, nil
		}})
	for _, proc := range []uint32{proto.ProcConnectClose} {
		remote(proc, server.Procedure{ReadOnly: true, BeforeOpen: true, Handler: void})
	}
	for _, proc := range []uint32{proto.ProcConnectRegisterCloseCallback, proto.ProcConnectUnregisterCloseCallback} {
		remote(proc, server.Procedure{ReadOnly: true, Handler: void})
	}
	remote(proto.ProcConnectGetType, server.Procedure{ReadOnly: true, Handler: func(*server.Call) (any, error) {
		return &libvirt.ConnectGetTypeRet{Type: "LXC"}, nil
	}})
	remote(proto.ProcConnectGetVersion, server.Procedure{ReadOnly: true, Handler: func(*server.Call) (any, error) {
		return &libvirt.ConnectGetVersionRet{HvVer: 6018044}, nil
	}})
	remote(proto.ProcConnectGetLibVersion, server.Procedure{ReadOnly: true, Handler: func(*server.Call) (any, error) {
		return &libvirt.ConnectGetLibVersionRet{LibVer: 9000000}, nil
	}})
	remote(proto.ProcConnectGetURI, server.Procedure{ReadOnly: true, Handler: func(*server.Call) (any, error) {
		return &libvirt.ConnectGetUriRet{Uri: "lxc:///system"}, nil
	}})
	remote(proto.ProcConnectGetHostname, server.Procedure{ReadOnly: true, Handler: func(*server.Call) (any, error) {
		return &libvirt.ConnectGetHostnameRet{Hostname: hostname}, nil
	}})
	remote(proto.ProcConnectListAllDomains, server.Procedure{ReadOnly: true,
		NewArgs: func() any { return &libvirt.ConnectListAllDomainsArgs{} },
		Handler: func(*server.Call) (any, error) {
			return &libvirt.ConnectListAllDomainsRet{}, nil
		}})
}

func void(*server.Call) (any, error) { return nil, nil }

// toy domain "alpha"; lookups of anything else fail like the LXC driver.
var alpha = libvirt.Domain{Name: "alpha", UUID: libvirt.UUID{1, 2, 3}, ID: -1}

type eventsKey struct{}

// registerToys registers the procedures the end-to-end tests exercise.
func registerToys(srv *server.Server) {
	remote := func(proc uint32, p server.Procedure) { srv.Register(wire.ProgramRemote, proc, p) }
	remote(proto.ProcDomainLookupByName, server.Procedure{ReadOnly: true,
		NewArgs: func() any { return &libvirt.DomainLookupByNameArgs{} },
		Handler: func(c *server.Call) (any, error) {
			name := c.Args.(*libvirt.DomainLookupByNameArgs).Name
			if name != alpha.Name {
				return nil, virerr.New(virerr.ErrNoDomain, virerr.FromLXC, "No domain with matching name '%s'", name)
			}
			return &libvirt.DomainLookupByNameRet{Dom: alpha}, nil
		}})
	remote(proto.ProcDomainDestroy, server.Procedure{
		NewArgs: func() any { return &libvirt.DomainDestroyArgs{} }, Handler: void})
	remote(proto.ProcConnectGetSysinfo, server.Procedure{ReadOnly: true,
		NewArgs: func() any { return &libvirt.ConnectGetSysinfoArgs{} },
		Handler: func(c *server.Call) (any, error) {
			cr, ok := c.Conn.Cred()
			return &libvirt.ConnectGetSysinfoRet{Sysinfo: fmt.Sprintf("pid=%d uid=%d ok=%v", cr.PID, cr.UID, ok)}, nil
		}})
	// A big reply, for the client that stops reading.
	remote(proto.ProcConnectGetCapabilities, server.Procedure{ReadOnly: true, Handler: func(*server.Call) (any, error) {
		return &libvirt.ConnectGetCapabilitiesRet{Capabilities: strings.Repeat("c", 1<<20)}, nil
	}})
	// Console: echoes upper-cased input; "bye" makes the server end the stream.
	remote(proto.ProcDomainOpenConsole, server.Procedure{
		NewArgs: func() any { return &libvirt.DomainOpenConsoleArgs{} },
		Handler: func(c *server.Call) (any, error) {
			st := c.OpenStream()
			go echo(st)
			return nil, nil
		}})
	// fds in: write the fd's index into each one; the domain id is their count.
	remote(proto.ProcDomainCreateWithFiles, server.Procedure{
		NewArgs: func() any { return &libvirt.DomainCreateWithFilesArgs{} },
		Handler: func(c *server.Call) (any, error) {
			fds := c.FDs()
			for i, f := range fds {
				if _, err := fmt.Fprintf(f, "fd%d", i); err != nil {
					return nil, err
				}
			}
			dom := c.Args.(*libvirt.DomainCreateWithFilesArgs).Dom
			dom.ID = int32(len(fds))
			return &libvirt.DomainCreateWithFilesRet{Dom: dom}, nil
		}})
	// fds out: two files whose contents name them.
	srv.Register(wire.ProgramLXC, proto.LXCProcDomainOpenNamespace, server.Procedure{
		NewArgs: func() any { return &proto.LXCDomainOpenNamespaceArgs{} },
		Handler: func(c *server.Call) (any, error) {
			for _, name := range []string{"ns-user", "ns-mnt"} {
				f, err := contentFile(name)
				if err != nil {
					return nil, err
				}
				c.SendFDs(f)
			}
			return nil, nil
		}})
	// Events: register, then DOMAIN_CREATE emits a lifecycle event to every
	// registration of this connection.
	remote(proto.ProcConnectDomainEventCallbackRegisterAny, server.Procedure{ReadOnly: true,
		NewArgs: func() any { return &libvirt.ConnectDomainEventCallbackRegisterAnyArgs{} },
		Handler: func(c *server.Call) (any, error) {
			ids := c.Conn.LoadOrStore(eventsKey{}, &callbackIDs{}).(*callbackIDs)
			return &libvirt.ConnectDomainEventCallbackRegisterAnyRet{CallbackID: ids.add()}, nil
		}})
	remote(proto.ProcConnectDomainEventCallbackDeregisterAny, server.Procedure{ReadOnly: true,
		NewArgs: func() any { return &libvirt.ConnectDomainEventCallbackDeregisterAnyArgs{} }, Handler: void})
	remote(proto.ProcDomainCreate, server.Procedure{
		NewArgs: func() any { return &libvirt.DomainCreateArgs{} },
		Handler: func(c *server.Call) (any, error) {
			if ids, ok := c.Conn.Value(eventsKey{}).(*callbackIDs); ok {
				for _, id := range ids.all() {
					msg := libvirt.DomainEventCallbackLifecycleMsg{CallbackID: id,
						Msg: libvirt.DomainEventLifecycleMsg{Dom: alpha, Event: 2}}
					if err := c.Conn.SendMessage(wire.ProgramRemote, proto.ProcDomainEventCallbackLifecycle, &msg); err != nil {
						return nil, err
					}
				}
			}
			return nil, nil
		}})
}

type callbackIDs struct {
	mu  sync.Mutex
	ids []int32
}

func (c *callbackIDs) add() int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := int32(len(c.ids) + 1)
	c.ids = append(c.ids, id)
	return id
}

func (c *callbackIDs) all() []int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int32(nil), c.ids...)
}

// echo upper-cases what the client sends until it finishes, or until the
// input contains "bye", after which the server says "BYE" itself and ends
// the stream (a console whose container exited).
func echo(st *server.Stream) {
	buf := make([]byte, 64<<10)
	var seen []byte
	for {
		n, err := st.Read(buf)
		if n > 0 {
			seen = append(seen, buf[:n]...)
			if bytes.Contains(seen, []byte("bye")) {
				st.Write([]byte("BYE"))
				st.Close()
				return
			}
			if len(seen) > 2 {
				seen = seen[len(seen)-2:]
			}
			if _, werr := st.Write(bytes.ToUpper(buf[:n])); werr != nil {
				return
			}
		}
		if err != nil {
			if err == io.EOF {
				st.Close()
			}
			return
		}
	}
}

// contentFile returns a file open for reading that contains s.
func contentFile(s string) (*os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("pipe: %w", err)
	}
	defer w.Close()
	if _, err := w.WriteString(s); err != nil {
		r.Close()
		return nil, fmt.Errorf("fill pipe: %w", err)
	}
	return r, nil
}
