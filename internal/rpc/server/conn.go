package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/rpc/wire"
)

// Cred is the peer's SO_PEERCRED: the process that connected.
type Cred struct {
	PID int32
	UID uint32
	GID uint32
}

// Conn is one client connection. Its methods are safe from any goroutine.
type Conn struct {
	// ID numbers connections in the order they were accepted.
	ID uint64

	srv      *Server
	wc       *wire.Conn
	log      *slog.Logger
	cred     *Cred
	roSocket bool

	ctx     context.Context
	cancel  context.CancelFunc
	out     chan outFrame
	qmu     sync.Mutex // orders enqueue against the final drain
	qclosed bool
	sem     chan struct{}
	closed  chan struct{}
	once    sync.Once

	lastRecv  atomic.Int64 // unix nanoseconds of the last packet received
	pingsSent atomic.Int32
	keepalive sync.Once

	mu        sync.Mutex // guards the fields below
	opened    bool
	readOnly  bool
	values    map[any]any
	onClose   []func()
	hooksDone bool
	streams   map[streamKey]*Stream // live streams, by program, procedure and serial
}

func newConn(s *Server, nc net.Conn, readOnly bool) *Conn {
	c := &Conn{
		ID:       s.nextID.Add(1),
		srv:      s,
		wc:       wire.NewConn(nc),
		roSocket: readOnly,
		out:      make(chan outFrame, s.opts.SendQueue),
		sem:      make(chan struct{}, s.opts.MaxInflight),
		closed:   make(chan struct{}),
		values:   map[any]any{},
		streams:  map[streamKey]*Stream{},
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.lastRecv.Store(time.Now().UnixNano())
	attrs := []any{"conn", c.ID}
	if uc, ok := nc.(*net.UnixConn); ok {
		if cr, err := peerCred(uc); err == nil {
			c.cred = cr
			attrs = append(attrs, "pid", cr.PID, "uid", cr.UID, "gid", cr.GID)
		} else {
			s.log.Warn("rpc: cannot read peer credentials", "conn", c.ID, "err", err)
		}
	}
	c.log = s.log.With(attrs...)
	return c
}

func peerCred(uc *net.UnixConn) (*Cred, error) {
	rc, err := uc.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("peer credentials: %w", err)
	}
	var cred *unix.Ucred
	var gerr error
	if err := rc.Control(func(fd uintptr) {
		cred, gerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return nil, fmt.Errorf("peer credentials: %w", err)
	}
	if gerr != nil {
		return nil, fmt.Errorf("SO_PEERCRED: %w", gerr)
	}
	return &Cred{PID: cred.Pid, UID: cred.Uid, GID: cred.Gid}, nil
}

// Cred returns the peer's credentials; ok is false on non-unix sockets.
func (c *Conn) Cred() (cred Cred, ok bool) {
	if c.cred == nil {
		return Cred{}, false
	}
	return *c.cred, true
}

// Log returns the connection's logger (conn id, pid, uid, gid attached).
func (c *Conn) Log() *slog.Logger { return c.log }

// Context is cancelled when the connection closes.
func (c *Conn) Context() context.Context { return c.ctx }

// Done is closed when the connection closes.
func (c *Conn) Done() <-chan struct{} { return c.closed }

// MarkOpen records a successful CONNECT_OPEN; readOnly is its
// VIR_CONNECT_RO flag. A connection from a read-only listener stays
// read-only whatever the flag.
func (c *Conn) MarkOpen(readOnly bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.opened = true
	c.readOnly = c.readOnly || readOnly
}

// IsOpen reports whether CONNECT_OPEN succeeded on this connection.
func (c *Conn) IsOpen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.opened
}

// ReadOnly reports whether mutating procedures are refused.
func (c *Conn) ReadOnly() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.roSocket || c.readOnly
}

// Value returns the value stored under key, or nil.
func (c *Conn) Value(key any) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.values[key]
}

// SetValue stores v under key for the life of the connection (event
// registrations, autodestroy lists, …). A nil v deletes the key.
func (c *Conn) SetValue(key, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v == nil {
		delete(c.values, key)
		return
	}
	c.values[key] = v
}

// LoadOrStore returns the value under key if there is one; otherwise it
// stores v and returns it. It makes per-connection registries race-free.
func (c *Conn) LoadOrStore(key, v any) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.values[key]; ok {
		return old
	}
	c.values[key] = v
	return v
}

// OnClose registers f to run once after the connection closed (in the
// order registered, after its streams were shut down, before the server's
// Options.OnClose). Registered on an already closed connection, f runs at
// once.
func (c *Conn) OnClose(f func()) {
	c.mu.Lock()
	if !c.hooksDone {
		c.onClose = append(c.onClose, f)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	f()
}

// SendMessage pushes a MESSAGE packet (an event) to this client:
// program prog, procedure proc, payload msg encoded with package xdr. It
// never blocks; if the client's send queue is full the client is dropped.
func (c *Conn) SendMessage(prog, proc uint32, msg any) error {
	h := wire.Header{Program: prog, Version: wire.ProtocolVersion, Procedure: proc, Type: wire.Message, Status: wire.OK}
	frame, err := encodeFrame(h, 0, msg)
	if err != nil {
		return fmt.Errorf("event %d: %w", proc, err)
	}
	return c.enqueue(outFrame{frame: frame})
}

// Close drops the connection. The reader then shuts its streams down and
// runs the close hooks.
func (c *Conn) Close() {
	c.once.Do(func() {
		c.cancel()
		close(c.closed)
		c.wc.NetConn().Close()
	})
}

// isClosed reports whether Close was called.
func (c *Conn) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// runCloseHooks shuts every stream down and runs the hooks; called once by
// the reader when it exits.
func (c *Conn) runCloseHooks() {
	c.srv.forget(c)
	c.mu.Lock()
	streams := c.streams
	c.streams = map[streamKey]*Stream{}
	hooks := c.onClose
	c.onClose, c.hooksDone = nil, true
	c.mu.Unlock()
	for _, st := range streams {
		st.connClosed()
	}
	for _, f := range hooks {
		c.safely("close hook", f)
	}
	if f := c.srv.opts.OnClose; f != nil {
		c.safely("server close hook", func() { f(c) })
	}
	c.wc.Close()
}

// safely runs f, turning a panic into a log line.
func (c *Conn) safely(what string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("rpc: panic in "+what, "panic", r)
		}
	}()
	f()
}

// encodeFrame builds a frame whose payload is v encoded (nil: empty).
func encodeFrame(h wire.Header, nfds int, v any) ([]byte, error) {
	e := wire.BeginFrame(h, nfds)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return wire.EndFrame(e)
}

// frameWithPayload builds a frame around already-encoded bytes.
func frameWithPayload(h wire.Header, payload []byte) []byte {
	e := wire.BeginFrame(h, 0)
	e.PutRaw(payload)
	b, err := wire.EndFrame(e)
	if err != nil { // payloads passed here are small by construction
		panic(err)
	}
	return b
}

// outFrame is one packet waiting for the writer.
type outFrame struct {
	frame []byte
	fds   []*os.File   // closed after sending
	sent  chan<- error // if set, receives the write's outcome
	what  string       // for logs
}
