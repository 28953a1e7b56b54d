// Package client is a small libvirt RPC client for virtlxc's own CLI and for
// tests: calls (with fds both ways), streams, event messages and keepalive
// answers, over the same wire and xdr packages the server uses. Open
// performs the handshake virsh performs.
//
// Errors from the server come back as *virerr.Error with the code, domain
// and message that were on the wire (libvirt's own client additionally
// turns "unknown procedure" into VIR_ERR_NO_SUPPORT; see
// IsUnknownProcedure).
package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"

	"virtlxc/internal/rpc/wire"
	"virtlxc/internal/virerr"
)

// ErrClosed is returned by calls on a closed or broken connection.
var ErrClosed = errors.New("rpc connection closed")

// Event is one MESSAGE packet from the server (a domain event).
type Event struct {
	Program   uint32
	Procedure uint32
	Payload   []byte
}

// Options tunes a client.
type Options struct {
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
	// OnEvent receives every MESSAGE packet except keepalive, in order, on
	// the connection's reader goroutine: it must not block for long.
	OnEvent func(Event)
	// ReadOnly makes Open send VIR_CONNECT_RO.
	ReadOnly bool
}

// Client is one connection to a libvirt RPC server. Its methods are safe
// for concurrent use.
type Client struct {
	wc      *wire.Conn
	log     *slog.Logger
	onEvent func(Event)

	wmu sync.Mutex // a frame and its fds go out together

	mu        sync.Mutex
	serial    uint32
	pending   map[uint32]*pendingCall
	abandoned map[uint32]bool
	streams   map[uint32]*Stream
	pongs     []chan struct{}
	err       error
	closed    chan struct{}

	opened        bool
	closeCallback bool
	features      Features
}

type pendingCall struct {
	prog, proc uint32
	reply      chan *wire.Packet
}

// Dial connects to a unix socket without any handshake.
func Dial(socketPath string, opts Options) (*Client, error) {
	nc, err := net.Dial("unix", socketPath)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", socketPath, err)
	}
	return New(nc, opts), nil
}

// New wraps an established connection and starts reading from it.
func New(nc net.Conn, opts Options) *Client {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		wc:        wire.NewConn(nc),
		log:       log,
		onEvent:   opts.OnEvent,
		pending:   map[uint32]*pendingCall{},
		abandoned: map[uint32]bool{},
		streams:   map[uint32]*Stream{},
		closed:    make(chan struct{}),
	}
	go c.readLoop()
	return c
}

// Done is closed when the connection is gone.
func (c *Client) Done() <-chan struct{} { return c.closed }

// Err returns why the connection ended, or nil while it is up.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Call makes a call and decodes the reply into ret (a pointer, or nil for
// void). args is the args struct (nil for void).
func (c *Client) Call(prog, proc uint32, args, ret any) error {
	return c.CallContext(context.Background(), prog, proc, args, ret)
}

// CallContext is Call that gives up waiting when ctx is done (the reply,
// if it comes later, is dropped).
func (c *Client) CallContext(ctx context.Context, prog, proc uint32, args, ret any) error {
	p, err := c.roundTrip(ctx, prog, proc, wire.Call, args, nil, nil)
	if err != nil {
		return err
	}
	closeFiles(p.FDs)
	return decodeRet(p, ret)
}

// CallFDs makes a call carrying files (CALL_WITH_FDS when there are any)
// and returns the files of a REPLY_WITH_FDS, which the caller must close.
// The files sent are not closed.
func (c *Client) CallFDs(prog, proc uint32, args any, files []*os.File, ret any) ([]*os.File, error) {
	typ := wire.Call
	if len(files) > 0 {
		typ = wire.CallWithFDs
	}
	p, err := c.roundTrip(context.Background(), prog, proc, typ, args, files, nil)
	if err != nil {
		return nil, err
	}
	if err := decodeRet(p, ret); err != nil {
		closeFiles(p.FDs)
		return nil, err
	}
	return p.FDs, nil
}

func decodeRet(p *wire.Packet, ret any) error {
	if ret == nil {
		return nil
	}
	if err := xdrUnmarshal(p.Payload, ret); err != nil {
		return fmt.Errorf("decode reply to proc %d: %w", p.Procedure, err)
	}
	return nil
}

// roundTrip sends one call and waits for its reply; a reply with status
// ERROR becomes its *virerr.Error. st, if set, is registered for the
// call's serial before the call goes out, so no stream data is missed.
func (c *Client) roundTrip(ctx context.Context, prog, proc uint32, typ wire.Type, args any, fds []*os.File, st *Stream) (*wire.Packet, error) {
	pc := &pendingCall{prog: prog, proc: proc, reply: make(chan *wire.Packet, 1)}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, c.err
	}
	serial := c.serial
	c.serial++
	c.pending[serial] = pc
	if st != nil {
		st.serial = serial
		c.streams[serial] = st
	}
	c.mu.Unlock()

	h := wire.Header{Program: prog, Version: wire.ProtocolVersion, Procedure: proc, Type: typ, Serial: serial, Status: wire.OK}
	if err := c.send(h, len(fds), args, fds); err != nil {
		c.forget(serial, st, false)
		return nil, err
	}
	select {
	case p := <-pc.reply:
		if p.Status == wire.Error {
			closeFiles(p.FDs)
			c.forget(serial, st, false)
			return nil, wire.DecodeError(p.Payload)
		}
		return p, nil
	case <-c.closed:
		return nil, c.Err()
	case <-ctx.Done():
		c.forget(serial, st, true)
		return nil, ctx.Err()
	}
}

// forget drops the bookkeeping of a call that will not complete normally.
func (c *Client) forget(serial uint32, st *Stream, abandon bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.pending[serial]; ok && abandon {
		c.abandoned[serial] = true
	}
	delete(c.pending, serial)
	if st != nil && c.streams[serial] == st {
		delete(c.streams, serial)
	}
}

// send encodes and writes one frame and its fds.
func (c *Client) send(h wire.Header, nfds int, body any, fds []*os.File) error {
	e := wire.BeginFrame(h, nfds)
	if raw, ok := body.(rawPayload); ok {
		e.PutRaw(raw)
	} else if err := e.Encode(body); err != nil {
		return fmt.Errorf("encode proc %d: %w", h.Procedure, err)
	}
	frame, err := wire.EndFrame(e)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.wc.WriteFrame(frame, fds); err != nil {
		c.fail(fmt.Errorf("write: %w", err))
		return c.Err()
	}
	return nil
}

// rawPayload is sent as is (stream data).
type rawPayload []byte

// Ping sends a keepalive PING and waits for the PONG.
func (c *Client) Ping(ctx context.Context) error {
	ch := make(chan struct{}, 1)
	c.mu.Lock()
	c.pongs = append(c.pongs, ch)
	c.mu.Unlock()
	h := wire.Header{Program: wire.ProgramKeepalive, Version: wire.ProtocolVersion, Procedure: wire.KeepalivePing, Type: wire.Message}
	if err := c.send(h, 0, nil, nil); err != nil {
		return err
	}
	select {
	case <-ch:
		return nil
	case <-c.closed:
		return c.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close ends the session: after Open, as virsh does
// (CONNECT_UNREGISTER_CLOSE_CALLBACK if registered, then CONNECT_CLOSE);
// then it closes the socket. The CONNECT_CLOSE error, if any, is returned.
func (c *Client) Close() error {
	c.mu.Lock()
	opened, cb := c.opened, c.closeCallback
	c.opened = false
	c.mu.Unlock()
	var err error
	if opened {
		err = c.disconnect(cb)
	}
	c.fail(ErrClosed)
	return err
}

// fail records the end of the connection once and wakes every waiter.
func (c *Client) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	streams := c.streams
	c.streams = map[uint32]*Stream{}
	close(c.closed)
	c.mu.Unlock()
	c.wc.NetConn().Close()
	for _, st := range streams {
		st.end(ErrClosed)
	}
}

// IsUnknownProcedure reports whether err is the server's "unknown
// procedure" answer (which libvirt's client reports as VIR_ERR_NO_SUPPORT).
func IsUnknownProcedure(err error) bool {
	var ve *virerr.Error
	return errors.As(err, &ve) && ve.Code == virerr.ErrRPC && strings.HasPrefix(ve.Message, "unknown procedure")
}

func closeFiles(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}

// noEOF reports a clean EOF as ErrClosed.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return ErrClosed
	}
	return err
}
