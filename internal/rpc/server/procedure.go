package server

import (
	"context"
	"log/slog"
	"os"
	"sync"

	"virtlxc/internal/rpc/wire"
)

// Procedure is one entry of the dispatch table.
type Procedure struct {
	// Name is the libvirt procedure name for logs ("DOMAIN_DESTROY");
	// empty takes proto.Name.
	Name string
	// API is the public libvirt function named in the read-only refusal
	// ("virDomainDestroy"); empty takes proto.API.
	API string
	// NewArgs returns a pointer to a fresh args struct (for example
	// &libvirt.DomainDestroyArgs{}) that the dispatcher decodes the payload
	// into; nil for procedures with void args.
	NewArgs func() any
	// Handler runs the call. It returns the ret struct (a value or pointer,
	// nil for void) or an error, which reaches the client as remote_error
	// with virerr.As's code, domain and message.
	Handler func(c *Call) (ret any, err error)
	// ReadOnly allows the procedure on read-only connections (the -ro
	// socket, or CONNECT_OPEN with VIR_CONNECT_RO); see proto.ReadOnlySafe.
	ReadOnly bool
	// BeforeOpen allows the procedure before CONNECT_OPEN succeeded
	// (AUTH_LIST, CONNECT_OPEN, CONNECT_SUPPORTS_FEATURE, CONNECT_CLOSE).
	// Others get libvirt's "connection not open".
	BeforeOpen bool
}

// Call is one procedure call as a handler sees it.
type Call struct {
	// Conn is the client connection the call came on.
	Conn *Conn
	// Header is the call's header (program, procedure, serial, …).
	Header wire.Header
	// Args is the value NewArgs returned, decoded; nil for void args.
	Args any

	mu       sync.Mutex
	fds      []*os.File // received with CALL_WITH_FDS, owned by the server
	replyFDs []*os.File
	stream   *Stream
}

// Context is cancelled when the client disconnects or the server closes.
func (c *Call) Context() context.Context { return c.Conn.ctx }

// Log returns the connection's logger with the procedure name attached.
func (c *Call) Log() *slog.Logger {
	return c.Conn.log.With("proc", c.Conn.procName(c.Header))
}

// FDs returns the files that came with a CALL_WITH_FDS, in order. They stay
// owned by the server and are closed when the handler returns; use TakeFDs
// to keep them.
func (c *Call) FDs() []*os.File {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fds
}

// TakeFDs returns the files that came with the call and makes the handler
// responsible for closing them.
func (c *Call) TakeFDs() []*os.File {
	c.mu.Lock()
	defer c.mu.Unlock()
	fds := c.fds
	c.fds = nil
	return fds
}

// SendFDs attaches files to the reply, which becomes REPLY_WITH_FDS (the
// LXC program's DOMAIN_OPEN_NAMESPACE). The server takes ownership: it
// closes them once sent, or when the handler fails.
func (c *Call) SendFDs(files ...*os.File) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.replyFDs = append(c.replyFDs, files...)
}

// OpenStream creates the stream bound to this call (its program, procedure
// and serial), as DOMAIN_OPEN_CONSOLE does. Data written to it reaches the
// client only after the call's reply: Write blocks until the handler has
// returned and the reply is queued. If the handler returns an error the
// stream is discarded. Call it before the handler returns (the stream's
// own goroutines may outlive the handler); calling it twice returns the
// same stream.
func (c *Call) OpenStream() *Stream {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stream == nil {
		c.stream = newStream(c.Conn, c.Header)
	}
	return c.stream
}

// finish hands back what the handler left: unclaimed inbound fds are
// closed; reply fds and the stream are returned to the dispatcher.
func (c *Call) finish() ([]*os.File, *Stream) {
	c.mu.Lock()
	defer c.mu.Unlock()
	closeFiles(c.fds)
	c.fds = nil
	fds, st := c.replyFDs, c.stream
	c.replyFDs = nil
	return fds, st
}

func closeFiles(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}
