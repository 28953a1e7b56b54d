package server_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/client"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/wire"
)

// Stream procedures outside proto's table, used as test probes.
const (
	procOpenGraphics uint32 = 249 // REMOTE_PROC_DOMAIN_OPEN_GRAPHICS
	procOpenChannel  uint32 = 296 // REMOTE_PROC_DOMAIN_OPEN_CHANNEL
)

func openConsole(t *testing.T, c *client.Client) *client.Stream {
	t.Helper()
	st, err := c.OpenStream(wire.ProgramRemote, proto.ProcDomainOpenConsole,
		&libvirt.DomainOpenConsoleArgs{Dom: alpha}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func readN(t *testing.T, r io.Reader, n int) []byte {
	t.Helper()
	buf := make([]byte, n)
	done := make(chan error, 1)
	go func() { _, err := io.ReadFull(r, buf); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("read %d bytes: %v", n, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("read %d bytes: timeout", n)
	}
	return buf
}

func TestStreamEcho(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	c := open(t, ts.rw, client.Options{})
	st := openConsole(t, c)
	if _, err := st.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if got := readN(t, st, 5); string(got) != "HELLO" {
		t.Fatalf("echo %q", got)
	}
	// Larger than one stream packet both ways: chunked and reassembled.
	big := bytes.Repeat([]byte("abcdefgh"), 100000)
	go st.Write(big)
	if got := readN(t, st, len(big)); !bytes.Equal(got, bytes.ToUpper(big)) {
		t.Fatal("big echo differs")
	}
	// Keepalive in the middle of a stream session.
	if err := c.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Finish: the server confirms, the echo handler sees EOF.
	if err := st.Close(); err != nil {
		t.Fatalf("finish: %v", err)
	}
	if _, err := hostname(c); err != nil {
		t.Fatalf("connection after the stream: %v", err)
	}
}

// The server ends the stream: an empty CONTINUE is EOF for the client,
// whose finish is then confirmed.
func TestStreamServerEOF(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	c := open(t, ts.rw, client.Options{})
	st := openConsole(t, c)
	st.Write([]byte("bye"))
	got, err := io.ReadAll(st)
	if err != nil || string(got) != "BYE" {
		t.Fatalf("read %q, %v", got, err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("finish after server EOF: %v", err)
	}
}

// streamProbe registers a console whose stream the test drives from the
// server side.
func streamProbe(t *testing.T, opts server.Options) (*testServer, chan *server.Stream) {
	streams := make(chan *server.Stream, 1)
	ts := start(t, opts, func(s *server.Server) {
		s.Register(wire.ProgramRemote, procOpenChannel, server.Procedure{
			NewArgs: func() any { return &libvirt.DomainOpenChannelArgs{} },
			Handler: func(c *server.Call) (any, error) {
				st := c.OpenStream()
				// Written before the reply exists: must arrive after it.
				go st.Write([]byte("early"))
				streams <- st
				return nil, nil
			}})
	})
	return ts, streams
}

func openChannel(t *testing.T, c *client.Client) *client.Stream {
	t.Helper()
	st, err := c.OpenStream(wire.ProgramRemote, procOpenChannel, &libvirt.DomainOpenChannelArgs{Dom: alpha}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func serverRead(t *testing.T, st *server.Stream) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(st)
		errc <- err
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("server stream read did not end")
		return nil
	}
}

func TestStreamReplyComesFirst(t *testing.T) {
	ts, streams := streamProbe(t, server.Options{})
	c := open(t, ts.rw, client.Options{})
	cst := openChannel(t, c) // fails if the data overtook the reply
	if got := readN(t, cst, 5); string(got) != "early" {
		t.Fatalf("got %q", got)
	}
	sst := <-streams
	cst.Close()
	if err := serverRead(t, sst); err != nil {
		t.Fatalf("server read after client finish: %v, want clean EOF", err)
	}
	if _, err := sst.Write([]byte("late")); !errors.Is(err, server.ErrStreamFinished) {
		t.Fatalf("write after finish: %v", err)
	}
}

func TestStreamClientAbort(t *testing.T) {
	ts, streams := streamProbe(t, server.Options{})
	c := open(t, ts.rw, client.Options{})
	cst := openChannel(t, c)
	sst := <-streams
	if err := cst.Abort(); err != nil {
		t.Fatalf("abort: %v", err)
	}
	if err := serverRead(t, sst); !errors.Is(err, server.ErrStreamAborted) {
		t.Fatalf("server read after abort: %v", err)
	}
}

func TestStreamServerAbort(t *testing.T) {
	ts, streams := streamProbe(t, server.Options{})
	c := open(t, ts.rw, client.Options{})
	cst := openChannel(t, c)
	sst := <-streams
	readN(t, cst, 5)
	sst.Abort(errors.New("pty vanished"))
	_, err := io.ReadAll(cst)
	wantErr(t, err, 1, 0, "internal error: pty vanished")
}

func TestStreamClosedByDisconnect(t *testing.T) {
	ts, streams := streamProbe(t, server.Options{})
	c, err := client.Open(ts.rw, "lxc:///system")
	if err != nil {
		t.Fatal(err)
	}
	openChannel(t, c)
	sst := <-streams
	c.Close()
	if err := serverRead(t, sst); !errors.Is(err, server.ErrStreamClosed) {
		t.Fatalf("server read after disconnect: %v", err)
	}
	if _, err := sst.Write([]byte("x")); !errors.Is(err, server.ErrStreamClosed) {
		t.Fatalf("write after disconnect: %v", err)
	}
}

// A handler that fails after opening a stream sends nothing on it.
func TestStreamOfFailedCallIsDiscarded(t *testing.T) {
	wrote := make(chan error, 1)
	ts := start(t, server.Options{}, func(s *server.Server) {
		s.Register(wire.ProgramRemote, procOpenGraphics, server.Procedure{
			Handler: func(c *server.Call) (any, error) {
				st := c.OpenStream()
				go func() { _, err := st.Write([]byte("x")); wrote <- err }()
				return nil, errors.New("no console")
			}})
	})
	c := open(t, ts.rw, client.Options{})
	if _, err := c.OpenStream(wire.ProgramRemote, procOpenGraphics, nil, nil); err == nil {
		t.Fatal("failed call opened a stream")
	}
	if err := <-wrote; !errors.Is(err, server.ErrStreamClosed) {
		t.Fatalf("write on a discarded stream: %v", err)
	}
	if _, err := hostname(c); err != nil {
		t.Fatal(err)
	}
}
