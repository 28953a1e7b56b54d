package procfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// conn is one FUSE connection: its /dev/fuse descriptor (non-blocking, in
// Go's poller), read one request at a time and answered through go-fuse's
// ProtocolServer. go-fuse's own Server keeps two threads blocked in read(2)
// for the life of the mount, and its state (the kernel's INIT, node and
// handle tables) cannot pass to another process; here an idle connection
// holds no thread, and Handoff/Resume move it across an exec.
type conn struct {
	dev *os.File
	ps  *fuse.ProtocolServer
	// init is the kernel's INIT request, replayed by Resume so that a new
	// protocol server knows what was negotiated.
	init     []byte
	in, out  []byte
	stopping atomic.Bool // Handoff asked the loop to stop
	log      *slog.Logger
}

// Buffer sizes: the kernel wants reads of at least FUSE_MIN_READ_BUFFER
// (8 KiB, more than a header, a write header and max_write = 4 KiB), and
// a reply is a header, an output struct and at most max_read = 4 KiB.
const (
	readBufSize  = 8192
	replyBufSize = 4096 + 4096
)

// opInit is FUSE_INIT's opcode, the first request of every connection.
const opInit = 26

func newConn(dev *os.File, fs fuse.RawFileSystem, o *fuse.MountOptions, log *slog.Logger) *conn {
	return &conn{dev: dev, ps: fuse.NewProtocolServer(fs, o), in: make([]byte, readBufSize), out: make([]byte, replyBufSize), log: log}
}

// handshake answers the kernel's INIT, which a new mount queues first.
func (c *conn) handshake() error {
	n, err := c.dev.Read(c.in)
	if err != nil {
		return fmt.Errorf("reading FUSE INIT: %w", err)
	}
	req := c.in[:n]
	if n < int(unsafe.Sizeof(fuse.InHeader{})) || binary.NativeEndian.Uint32(req[4:]) != opInit {
		return errors.New("the first FUSE request is not INIT")
	}
	c.init = append([]byte(nil), req...)
	if err := c.answer(req); err != nil {
		return fmt.Errorf("answering FUSE INIT: %w", err)
	}
	return nil
}

// replayInit gives a new protocol server the connection's INIT; the reply,
// which the kernel already had, is dropped.
func (c *conn) replayInit(init []byte) error {
	if _, st := c.ps.HandleRequest([][]byte{init}, [][]byte{c.out}); !st.Ok() {
		return fmt.Errorf("replaying FUSE INIT: %v", st)
	}
	c.init = init
	return nil
}

// serve answers requests until the kernel drops the filesystem (true: the
// descriptor is closed) or Handoff stops it (false: it is kept).
func (c *conn) serve() bool {
	for {
		n, err := c.dev.Read(c.in)
		switch {
		case err == nil:
			if aerr := c.answer(c.in[:n]); aerr != nil {
				c.log.Debug("meminfo fuse: reply not taken", "err", aerr)
			}
			continue
		case c.stopping.Load() && errors.Is(err, os.ErrDeadlineExceeded):
			return false
		case errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.EINTR), errors.Is(err, syscall.EAGAIN):
			continue // a request interrupted before it was read
		case errors.Is(err, syscall.ENODEV), errors.Is(err, io.EOF):
			// unmounted and no longer used
		case c.stopping.Load() && errors.Is(err, os.ErrClosed):
			return true // Close
		default:
			c.log.Warn("meminfo fuse: reading requests", "err", err)
		}
		c.dev.Close()
		return true
	}
}

// answer handles one request and writes its reply, if it has one.
func (c *conn) answer(req []byte) error {
	n, st := c.ps.HandleRequest([][]byte{req}, [][]byte{c.out})
	if !st.Ok() {
		// Not handled (go-fuse logged why): the kernel still waits.
		if len(req) < int(unsafe.Sizeof(fuse.InHeader{})) {
			return fmt.Errorf("short FUSE request (%d bytes)", len(req))
		}
		h := fuse.OutHeader{Status: -int32(st), Unique: binary.NativeEndian.Uint64(req[8:])}
		n = copy(c.out, appendStruct(nil, &h))
		binary.NativeEndian.PutUint32(c.out, uint32(n))
	}
	if n == 0 {
		return nil // FORGET and the like have no reply
	}
	_, err := c.dev.Write(c.out[:n])
	return err
}

// store puts data into the kernel's page cache of node from offset 0
// (FUSE_NOTIFY_STORE), which also extends the kernel's file size to it.
// go-fuse's ProtocolServer has no way to write notifications.
func (c *conn) store(node uint64, data []byte) syscall.Errno {
	h := fuse.OutHeader{Status: -int32(fuse.NOTIFY_STORE_CACHE)} // go-fuse writes statuses negated
	s := fuse.NotifyStoreOut{Nodeid: node, Size: uint32(len(data))}
	msg := appendStruct(appendStruct(nil, &h), &s)
	msg = append(msg, data...)
	binary.NativeEndian.PutUint32(msg, uint32(len(msg)))
	if _, err := c.dev.Write(msg); err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) {
			return errno
		}
		return syscall.EIO
	}
	return 0
}

// appendStruct appends the bytes of a fixed-size kernel struct.
func appendStruct[T any](b []byte, v *T) []byte {
	return append(b, unsafe.Slice((*byte)(unsafe.Pointer(v)), unsafe.Sizeof(*v))...)
}

// stop makes serve return false once the request it may be answering is
// answered; a request is never taken from the kernel and left unanswered.
func (c *conn) stop() error {
	c.stopping.Store(true)
	return c.dev.SetReadDeadline(time.Unix(1, 0))
}
