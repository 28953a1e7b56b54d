// Package server is the daemon side of libvirt's RPC protocol.
//
// A Server holds a data-driven dispatch table (Register) and serves any
// number of listeners (Serve). Each connection gets one reader goroutine and
// one writer goroutine with a bounded send queue: handlers and event
// producers only ever enqueue, so a slow or dead client costs nothing to the
// others; a client whose queue overflows is dropped, with a log line.
//
// For every CALL the dispatcher checks, in libvirt's order: program known,
// procedure registered ("unknown procedure: N"), args decode, connection
// opened (unless the procedure is allowed before CONNECT_OPEN), read-only
// policy; then it calls the handler in its own goroutine (at most
// Options.MaxInflight per connection) and encodes its ret, or its error as
// remote_error. Handlers never see the wire.
//
// Keepalive PINGs are answered with PONG; the server pings a client only
// after Conn.StartKeepAlive (called when the client asked for
// VIR_DRV_FEATURE_PROGRAM_KEEPALIVE, as libvirtd does).
package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/wire"
)

// Options tunes a Server. Zero fields take the defaults shown.
type Options struct {
	// MaxInflight is how many calls of one connection run at once
	// (libvirtd's max_client_requests, 5). Further calls wait, and the
	// connection is not read meanwhile.
	MaxInflight int
	// SendQueue is how many packets may wait for one connection's writer
	// (256). A client that lets it overflow is dropped.
	SendQueue int
	// WriteTimeout drops a client that does not take one packet within it
	// (60s). Negative disables the deadline.
	WriteTimeout time.Duration
	// StreamStall drops a client whose stream data is not consumed by the
	// handler within it while the stream's input buffer is full (60s).
	StreamStall time.Duration
	// KeepAliveInterval and KeepAliveCount drive server-initiated pings for
	// connections that called StartKeepAlive: a PING after each interval
	// without traffic, and the connection is closed after KeepAliveCount
	// unanswered ones (libvirtd's keepalive_interval=5, keepalive_count=5).
	KeepAliveInterval time.Duration
	KeepAliveCount    int
	// OnClose, if set, runs once for every connection after it closed and
	// its streams were shut down (autodestroy, event deregistration).
	OnClose func(*Conn)
}

func (o Options) withDefaults() Options {
	if o.MaxInflight <= 0 {
		o.MaxInflight = 5
	}
	if o.SendQueue <= 0 {
		o.SendQueue = 256
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = 60 * time.Second
	}
	if o.StreamStall <= 0 {
		o.StreamStall = 60 * time.Second
	}
	if o.KeepAliveInterval <= 0 {
		o.KeepAliveInterval = 5 * time.Second
	}
	if o.KeepAliveCount <= 0 {
		o.KeepAliveCount = 5
	}
	return o
}

type procKey struct{ prog, proc uint32 }

// Server dispatches libvirt RPC calls to registered procedures.
type Server struct {
	log  *slog.Logger
	opts Options

	procs    map[procKey]*Procedure // written only before serving
	programs map[uint32]bool

	mu        sync.Mutex
	closed    bool
	listeners map[net.Listener]struct{}
	conns     map[*Conn]struct{}
	wg        sync.WaitGroup
	nextID    atomic.Uint64
}

// New returns a server that logs to log (nil discards).
func New(log *slog.Logger, opts Options) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{
		log:       log,
		opts:      opts.withDefaults(),
		procs:     map[procKey]*Procedure{},
		programs:  map[uint32]bool{},
		listeners: map[net.Listener]struct{}{},
		conns:     map[*Conn]struct{}{},
	}
}

// Register adds a procedure of a program (version 1) to the dispatch table.
// Register every procedure before calling Serve. Name and API default to
// the proto table's. It panics on a nil handler or a duplicate, which are
// programming errors.
func (s *Server) Register(prog, proc uint32, p Procedure) {
	if p.Handler == nil {
		panic(fmt.Sprintf("server: %s %d registered without a handler", proto.ProgramName(prog), proc))
	}
	k := procKey{prog, proc}
	if _, dup := s.procs[k]; dup {
		panic(fmt.Sprintf("server: %s %s registered twice", proto.ProgramName(prog), proto.Name(prog, proc)))
	}
	if p.Name == "" {
		p.Name = proto.Name(prog, proc)
	}
	if p.API == "" {
		p.API = proto.API(prog, proc)
	}
	if p.API == "" {
		p.API = p.Name
	}
	s.procs[k] = &p
	s.programs[prog] = true
}

// ErrServerClosed is returned by Serve after Close.
var ErrServerClosed = errors.New("rpc server closed")

// Serve accepts connections on l until l fails or the server is closed, and
// serves each in its own goroutines. On a read-only listener every
// connection is read-only: only procedures with ReadOnly set may run.
// After Close it returns ErrServerClosed.
func (s *Server) Serve(l net.Listener, readOnly bool) error {
	if !s.track(l) {
		return ErrServerClosed
	}
	defer s.untrack(l)
	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("rpc accept failed, retrying", "addr", l.Addr().String(), "err", err, "delay", backoff)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("accept on %s: %w", l.Addr(), err)
		}
		backoff = 0
		s.startConn(nc, readOnly)
	}
}

func (s *Server) track(l net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.listeners[l] = struct{}{}
	return true
}

func (s *Server) untrack(l net.Listener) {
	s.mu.Lock()
	delete(s.listeners, l)
	s.mu.Unlock()
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// startConn registers a new connection and starts its reader and writer.
func (s *Server) startConn(nc net.Conn, readOnly bool) {
	c := newConn(s, nc, readOnly)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		nc.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(2)
	s.mu.Unlock()
	c.log.Debug("rpc client connected", "readonly", readOnly)
	go func() {
		defer s.wg.Done()
		c.writeLoop()
	}()
	go func() {
		defer s.wg.Done()
		c.readLoop()
	}()
}

// forget stops tracking a closed connection.
func (s *Server) forget(c *Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// Conns returns the connections currently served.
func (s *Server) Conns() []*Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

// Close stops every listener, closes every connection (running their close
// hooks) and waits for the connections' goroutines to finish. Handlers
// still running see their Call's context cancelled.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	var errs []error
	for l := range s.listeners {
		if err := l.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, fmt.Errorf("close listener %s: %w", l.Addr(), err))
		}
	}
	conns := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	s.wg.Wait()
	return errors.Join(errs...)
}

// lookup returns the registered procedure, if any.
func (s *Server) lookup(prog, proc uint32) *Procedure {
	return s.procs[procKey{prog, proc}]
}

// knowsProgram reports whether any procedure of prog (version 1) is
// registered.
func (s *Server) knowsProgram(prog, vers uint32) bool {
	return vers == wire.ProtocolVersion && s.programs[prog]
}
