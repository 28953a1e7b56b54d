package server_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/client"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/wire"
	"virtlxc/internal/virerr"
)

// Probe procedure numbers for handlers defined by these tests.
const (
	procEarlyEOF   uint32 = 249
	procEarlyAbort uint32 = 296
	procBadRet     uint32 = 34
	procTakeFDs    uint32 = 343
	procNoRead     uint32 = 55
)

func TestStreamEndedBeforeReply(t *testing.T) {
	ts := start(t, server.Options{}, func(s *server.Server) {
		s.Register(wire.ProgramRemote, procEarlyEOF, server.Procedure{Handler: func(c *server.Call) (any, error) {
			st := c.OpenStream()
			go st.Write([]byte("last words"))
			time.Sleep(20 * time.Millisecond) // let the write queue behind the reply
			st.Close()                        // EOF requested before the reply exists
			return nil, nil
		}})
		s.Register(wire.ProgramRemote, procEarlyAbort, server.Procedure{Handler: func(c *server.Call) (any, error) {
			c.OpenStream().Abort(virerr.New(virerr.ErrOperationFailed, virerr.FromStreams, "%s", "no pty"))
			return nil, nil
		}})
	})
	c := open(t, ts.rw, client.Options{})

	st, err := c.OpenStream(wire.ProgramRemote, procEarlyEOF, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(st)
	// The write lost the race with Close or came first; either way the
	// stream ends cleanly after the reply.
	if err != nil || (len(got) != 0 && string(got) != "last words") {
		t.Fatalf("read %q, %v", got, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st, err = c.OpenStream(wire.ProgramRemote, procEarlyAbort, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(st)
	wantErr(t, err, virerr.ErrOperationFailed, virerr.FromStreams, "operation failed: no pty")
}

func TestUnencodableReply(t *testing.T) {
	ts := start(t, server.Options{}, func(s *server.Server) {
		s.Register(wire.ProgramRemote, procBadRet, server.Procedure{Handler: func(*server.Call) (any, error) {
			return libvirt.OptString{"two", "values"}, nil
		}})
	})
	c := open(t, ts.rw, client.Options{})
	err := c.Call(wire.ProgramRemote, procBadRet, nil, nil)
	wantErr(t, err, virerr.ErrRPC, virerr.FromRPC, "Unable to encode message payload")
}

// Files a handler takes stay open after it returns.
func TestTakeFDs(t *testing.T) {
	kept := make(chan *os.File, 1)
	ts := start(t, server.Options{}, func(s *server.Server) {
		s.Register(wire.ProgramRemote, procTakeFDs, server.Procedure{Handler: func(c *server.Call) (any, error) {
			fds := c.TakeFDs()
			if len(c.FDs()) != 0 {
				return nil, errors.New("fds still listed after TakeFDs")
			}
			kept <- fds[0]
			return nil, nil
		}})
	})
	c := open(t, ts.rw, client.Options{})
	r, w, _ := os.Pipe()
	defer r.Close()
	if _, err := c.CallFDs(wire.ProgramRemote, procTakeFDs, nil, []*os.File{w}, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	f := <-kept
	if _, err := f.WriteString("still open"); err != nil {
		t.Fatalf("taken fd was closed: %v", err)
	}
	f.Close()
	if b, _ := io.ReadAll(r); string(b) != "still open" {
		t.Fatalf("read %q", b)
	}
}

// A handler that never reads its stream makes the server stop reading the
// client (flow control) and, after StreamStall, drop it.
func TestStreamInputNotConsumed(t *testing.T) {
	ts := start(t, server.Options{StreamStall: 200 * time.Millisecond}, func(s *server.Server) {
		s.Register(wire.ProgramRemote, procNoRead, server.Procedure{Handler: func(c *server.Call) (any, error) {
			c.OpenStream()
			return nil, nil
		}})
	})
	c := open(t, ts.rw, client.Options{})
	st, err := c.OpenStream(wire.ProgramRemote, procNoRead, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		chunk := bytes.Repeat([]byte("x"), wire.MaxStreamChunk)
		for {
			if _, err := st.Write(chunk); err != nil {
				return
			}
		}
	}()
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("client flooding an unread stream was not dropped")
	}
	if !strings.Contains(ts.logs.String(), "stream input not consumed") {
		t.Fatal("drop not logged")
	}
}

func TestConnValues(t *testing.T) {
	type key struct{}
	seen := make(chan any, 3)
	ts := start(t, server.Options{}, func(s *server.Server) {
		s.Register(wire.ProgramRemote, procBadRet, server.Procedure{Handler: func(c *server.Call) (any, error) {
			seen <- c.Conn.Value(key{})
			c.Conn.SetValue(key{}, c.Header.Serial)
			if c.Context().Err() != nil || c.Conn.Context().Err() != nil {
				return nil, errors.New("context already cancelled")
			}
			c.Log().Debug("values test")
			return nil, nil
		}})
	})
	c := open(t, ts.rw, client.Options{})
	for range 2 {
		if err := c.Call(wire.ProgramRemote, procBadRet, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if first, second := <-seen, <-seen; first != nil || second == nil {
		t.Fatalf("values seen %v then %v", first, second)
	}
}
