package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
)

// ErrNoFDPassing is returned when fds must cross a connection that is not a
// unix socket.
var ErrNoFDPassing = errors.New("file descriptor passing needs a unix socket")

// Conn reads and writes frames on a stream connection. On a unix socket it
// also passes fds. It never reads a byte past the frame it is decoding, so
// the SCM_RIGHTS messages that follow a *_WITH_FDS frame are received with
// their own recvmsg calls and not discarded by the kernel.
//
// ReadPacket must not be called concurrently with itself, nor WriteFrame
// with itself; one reader and one writer may run at the same time.
type Conn struct {
	nc net.Conn
	uc *net.UnixConn // nil when nc is not a unix socket

	early []*os.File // fds that arrived while frame bytes were being read
	oob   []byte
}

// NewConn wraps a connection.
func NewConn(nc net.Conn) *Conn {
	c := &Conn{nc: nc}
	if uc, ok := nc.(*net.UnixConn); ok {
		c.uc = uc
		c.oob = make([]byte, oobSpace)
	}
	return c
}

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

// Close closes the connection and any fds received but not yet handed out.
func (c *Conn) Close() error {
	closeFiles(c.early)
	c.early = nil
	return c.nc.Close()
}

// ReadPacket reads one frame, and for *_WITH_FDS frames the fds that follow
// it. A length outside [MinFrame, MaxMessage+LenSize] is rejected before any
// buffer is allocated for it, and the buffer grows only as bytes arrive.
// Errors other than a clean io.EOF before a frame are fatal for the
// connection.
func (c *Conn) ReadPacket() (*Packet, error) {
	var lenBuf [LenSize]byte
	if err := c.readFull(lenBuf[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(lenBuf[:])
	if err := checkLength(n); err != nil {
		return nil, err
	}
	body, err := c.readBody(int(n) - LenSize)
	if err != nil {
		return nil, fmt.Errorf("read %d-byte packet: %w", n, noEOF(err))
	}
	h, nfds, payload, err := ParseFrame(body)
	if err != nil {
		return nil, err
	}
	p := &Packet{Header: h, Payload: payload}
	if nfds > 0 {
		if p.FDs, err = c.receiveFDs(nfds); err != nil {
			return nil, fmt.Errorf("%s: %w", h, err)
		}
	}
	return p, nil
}

// readBody reads exactly n bytes, starting with an InitialBuffer-sized
// buffer and doubling it only when it is full, so a peer that announces a
// large frame and sends little costs little memory.
func (c *Conn) readBody(n int) ([]byte, error) {
	buf := make([]byte, 0, min(n, InitialBuffer))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(n, 2*cap(buf)))
			copy(grown, buf)
			buf = grown
		}
		m, err := c.readSome(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err != nil && len(buf) < n {
			return nil, err
		}
	}
	return buf, nil
}

// readFull fills b completely.
func (c *Conn) readFull(b []byte) error {
	got := 0
	for got < len(b) {
		m, err := c.readSome(b[got:])
		got += m
		if err != nil && got < len(b) {
			if got > 0 {
				return noEOF(err)
			}
			return err
		}
	}
	return nil
}

// readSome reads at most len(b) bytes. On a unix socket it uses recvmsg so
// that fds arriving early are kept rather than silently closed.
func (c *Conn) readSome(b []byte) (int, error) {
	if c.uc == nil {
		return c.nc.Read(b)
	}
	m, fds, err := c.recv(b)
	c.early = append(c.early, fds...)
	return m, err
}

// receiveFDs collects nfds fds: first any that arrived early, then one
// recvmsg of a single marker byte per fd, as libvirt's virSocketRecvFD.
func (c *Conn) receiveFDs(nfds int) ([]*os.File, error) {
	if c.uc == nil {
		return nil, ErrNoFDPassing
	}
	var out []*os.File
	fail := func(err error) ([]*os.File, error) {
		closeFiles(out)
		return nil, err
	}
	for len(out) < nfds {
		if len(c.early) > 0 {
			out = append(out, c.early[0])
			c.early = c.early[1:]
			continue
		}
		var marker [1]byte
		m, fds, err := c.recv(marker[:])
		out = append(out, fds...)
		if err != nil {
			return fail(fmt.Errorf("receive fd %d of %d: %w", len(out)+1, nfds, noEOF(err)))
		}
		if m == 1 && len(fds) == 0 {
			return fail(fmt.Errorf("fd %d of %d: marker byte carried no descriptor", len(out)+1, nfds))
		}
	}
	if len(out) > nfds { // a peer packed several fds into one message
		c.early = append(out[nfds:], c.early...)
		out = out[:nfds]
	}
	return out, nil
}

// WritePacket encodes p as one frame and writes it, then sends p.FDs. The
// fds are not closed.
func (c *Conn) WritePacket(p *Packet) error {
	frame, err := Frame(p.Header, len(p.FDs), p.Payload)
	if err != nil {
		return err
	}
	return c.WriteFrame(frame, p.FDs)
}

// WriteFrame writes a complete frame, then each fd in its own sendmsg with a
// single 0x00 byte (libvirt's virSocketSendFD). The fds are not closed.
func (c *Conn) WriteFrame(frame []byte, fds []*os.File) error {
	if len(fds) > 0 && c.uc == nil {
		return ErrNoFDPassing
	}
	if len(fds) > MaxFDs {
		return fmt.Errorf("%d fds exceed the limit of %d", len(fds), MaxFDs)
	}
	if _, err := c.nc.Write(frame); err != nil {
		return err
	}
	for i, f := range fds {
		if err := c.sendFD(f); err != nil {
			return fmt.Errorf("send fd %d of %d: %w", i+1, len(fds), err)
		}
	}
	return nil
}

// noEOF turns an EOF in the middle of a frame into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func closeFiles(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}
