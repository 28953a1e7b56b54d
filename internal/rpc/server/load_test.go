package server_test

import (
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/client"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/wire"
	"virtlxc/internal/rpc/xdr"
	"virtlxc/internal/virerr"
)

// rawConn is a client speaking packets directly, to misbehave on purpose.
type rawConn struct {
	t      *testing.T
	nc     net.Conn
	wc     *wire.Conn
	serial uint32
}

func dialRaw(t *testing.T, path string) *rawConn {
	t.Helper()
	nc, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, wc: wire.NewConn(nc)}
}

// call sends a CALL without waiting for the reply.
func (r *rawConn) call(proc uint32, args any) {
	r.t.Helper()
	if err := r.tryCall(proc, args); err != nil {
		r.t.Fatal(err)
	}
}

// tryCall is call that reports a write failure (the server hung up).
func (r *rawConn) tryCall(proc uint32, args any) error {
	payload, err := xdr.Marshal(args)
	if err != nil {
		return err
	}
	h := wire.Header{Program: wire.ProgramRemote, Version: 1, Procedure: proc, Type: wire.Call, Serial: r.serial}
	r.serial++
	return r.wc.WritePacket(&wire.Packet{Header: h, Payload: payload})
}

// next reads one packet, or fails after d.
func (r *rawConn) next(d time.Duration) (*wire.Packet, error) {
	r.nc.SetReadDeadline(time.Now().Add(d))
	return r.wc.ReadPacket()
}

func (r *rawConn) send(h wire.Header) {
	if err := r.wc.WritePacket(&wire.Packet{Header: h}); err != nil {
		r.t.Fatal(err)
	}
}

var ping = wire.Header{Program: wire.ProgramKeepalive, Version: 1, Procedure: wire.KeepalivePing, Type: wire.Message}

func TestKeepalivePingPong(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	r := dialRaw(t, ts.rw)
	r.send(ping)
	p, err := r.next(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := wire.Header{Program: wire.ProgramKeepalive, Version: 1, Procedure: wire.KeepalivePong, Type: wire.Message}
	if p.Header != want || len(p.Payload) != 0 {
		t.Fatalf("got %v, want PONG", p.Header)
	}
}

func TestServerPingsOnlyClientsThatAsked(t *testing.T) {
	ts := start(t, server.Options{KeepAliveInterval: 40 * time.Millisecond, KeepAliveCount: 3}, nil)

	// Never asked for feature 10 (go-libvirt): never pinged.
	quiet := dialRaw(t, ts.rw)
	quiet.call(proto.ProcAuthList, nil)
	if p, err := quiet.next(5 * time.Second); err != nil || p.Type != wire.Reply {
		t.Fatalf("auth list: %v, %v", p, err)
	}
	if p, err := quiet.next(400 * time.Millisecond); err == nil {
		t.Fatalf("client that never asked for keepalive got %v", p.Header)
	}

	// Asked, then answers: pinged, and kept.
	r := dialRaw(t, ts.rw)
	r.call(proto.ProcConnectSupportsFeature, &libvirt.ConnectSupportsFeatureArgs{Feature: proto.FeatureProgramKeepalive})
	p, err := r.next(5 * time.Second)
	if err != nil || p.Type != wire.Reply {
		t.Fatalf("supports feature: %v, %v", p, err)
	}
	for range 5 {
		p, err := r.next(5 * time.Second)
		if err != nil {
			t.Fatalf("waiting for a ping: %v", err)
		}
		if p.Header != ping {
			t.Fatalf("got %v, want PING", p.Header)
		}
		r.send(wire.Header{Program: wire.ProgramKeepalive, Version: 1, Procedure: wire.KeepalivePong, Type: wire.Message})
	}

	// Stops answering: dropped after KeepAliveCount pings.
	deadline := time.Now().Add(5 * time.Second)
	for {
		p, err := r.next(time.Until(deadline))
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("silent client was not dropped")
			}
			break
		}
		if p.Header != ping {
			t.Fatalf("got %v, want PING", p.Header)
		}
	}
	if !strings.Contains(ts.logs.String(), "keepalive timeout") {
		t.Fatal("keepalive drop not logged")
	}
}

// The package's own client answers the server's pings.
func TestClientAnswersPings(t *testing.T) {
	ts := start(t, server.Options{KeepAliveInterval: 30 * time.Millisecond, KeepAliveCount: 2}, nil)
	c := open(t, ts.rw, client.Options{})
	time.Sleep(500 * time.Millisecond) // many intervals with no calls
	if _, err := hostname(c); err != nil {
		t.Fatalf("connection lost while idle: %v", err)
	}
}

func TestFiftyConcurrentClients(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			c, err := client.Open(ts.rw, "lxc:///system")
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			var inner sync.WaitGroup
			for range 4 { // concurrent calls on one connection too
				inner.Go(func() {
					for range 10 {
						if h, err := hostname(c); err != nil || h != "toyhost" {
							errs <- errors.Join(err, errors.New("bad hostname "+h))
							return
						}
						err := c.Call(wire.ProgramRemote, proto.ProcDomainLookupByName, &libvirt.DomainLookupByNameArgs{Name: "zz"}, nil)
						if virerr.CodeOf(err) != virerr.ErrNoDomain {
							errs <- errors.Join(errors.New("lookup"), err)
							return
						}
					}
				})
			}
			inner.Wait()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A client that sends calls and never reads the replies is dropped when its
// send queue overflows; the others are served meanwhile.
func TestStuckClientDoesNotBlockOthers(t *testing.T) {
	ts := start(t, server.Options{SendQueue: 4, WriteTimeout: time.Hour}, nil)
	good := open(t, ts.rw, client.Options{})

	stuck := dialRaw(t, ts.rw)
	stuck.call(proto.ProcConnectOpen, &proto.ConnectOpenArgs{Name: libvirt.OptString{"lxc:///system"}})
	for range 40 { // 40 MiB of replies it will never read
		if err := stuck.tryCall(proto.ProcConnectGetCapabilities, nil); err != nil {
			break // already dropped
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(ts.logs.String(), "send queue overflow") {
		start := time.Now()
		if _, err := hostname(good); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("a call took %v while another client was stuck", d)
		}
		if time.Now().After(deadline) {
			t.Fatal("stuck client never dropped")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for range 20 {
		if _, err := hostname(good); err != nil {
			t.Fatal(err)
		}
	}
	// Its socket is closed: draining it ends in EOF.
	stuck.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 1<<20)
	for {
		if _, err := stuck.nc.Read(buf); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("stuck client's connection still open")
			}
			break
		}
	}
}

// Oversized and undersized frames end the connection, not the server.
func TestBadFrameDropsOnlyThatClient(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	good := open(t, ts.rw, client.Options{})
	bad := dialRaw(t, ts.rw)
	bad.nc.Write([]byte{0xff, 0xff, 0xff, 0xff})
	if _, err := bad.next(5 * time.Second); err == nil {
		t.Fatal("bad frame answered")
	}
	if !strings.Contains(ts.logs.String(), "too large") {
		t.Fatal("bad frame not logged")
	}
	if _, err := hostname(good); err != nil {
		t.Fatal(err)
	}
}
