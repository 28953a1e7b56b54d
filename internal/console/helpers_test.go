package console

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// testTimeout bounds every wait in the tests; nothing should come near it.
const testTimeout = 10 * time.Second

// newPair opens a pty on the host devpts and returns its master and a raw,
// poller-registered slave.
func newPair(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, _, err := OpenPTY("/dev/ptmx")
	if err != nil {
		t.Fatalf("OpenPTY: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	slave, err = OpenPeer(master, "/dev/pts", unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK)
	if err != nil {
		t.Fatalf("OpenPeer: %v", err)
	}
	t.Cleanup(func() { slave.Close() })
	if err := MakeRaw(slave); err != nil {
		t.Fatalf("MakeRaw: %v", err)
	}
	return master, slave
}

type deadlineReader interface {
	io.Reader
	SetReadDeadline(time.Time) error
}

// readN reads exactly n bytes from r within testTimeout.
func readN(t *testing.T, r deadlineReader, n int) []byte {
	t.Helper()
	if err := r.SetReadDeadline(time.Now().Add(testTimeout)); err != nil {
		t.Fatalf("SetReadDeadline: %v", err)
	}
	buf := make([]byte, n)
	if got, err := io.ReadFull(r, buf); err != nil {
		t.Fatalf("read %d bytes: got %d (%q): %v", n, got, buf[:got], err)
	}
	return buf
}

// expect reads len(want) bytes from r and compares them with want.
func expect(t *testing.T, r deadlineReader, want string) {
	t.Helper()
	if got := readN(t, r, len(want)); string(got) != want {
		t.Fatalf("read %q, want %q", got, want)
	}
}

// expectEOF checks that r reports end of stream (and no more data) in time.
func expectEOF(t *testing.T, r deadlineReader) {
	t.Helper()
	// net.Pipe refuses deadlines once the other end is closed; its Read
	// then returns EOF at once, which is what is being checked.
	if err := r.SetReadDeadline(time.Now().Add(testTimeout)); err != nil && !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("SetReadDeadline: %v", err)
	}
	buf := make([]byte, 64)
	n, err := r.Read(buf)
	if n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("read = %d (%q), %v; want EOF", n, buf[:n], err)
	}
}

// writeAll writes p to the slave and fails if that takes longer than
// testTimeout, i.e. if the console writer was blocked.
func writeAll(t *testing.T, w *os.File, p []byte) {
	t.Helper()
	if err := w.SetWriteDeadline(time.Now().Add(testTimeout)); err != nil {
		t.Fatalf("SetWriteDeadline: %v", err)
	}
	if _, err := w.Write(p); err != nil {
		t.Fatalf("write %d bytes to %s: %v", len(p), w.Name(), err)
	}
}

// syncLog is a RelayOptions.Log that lets a test wait until the relay has
// read a given number of bytes from the master (it writes the log after
// appending to the backlog).
type syncLog struct {
	mu      sync.Mutex
	n       int
	keep    bool
	data    bytes.Buffer
	waiters map[int]chan struct{}
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n += len(p)
	if l.keep {
		l.data.Write(p)
	}
	for want, ch := range l.waiters {
		if l.n >= want {
			close(ch)
			delete(l.waiters, want)
		}
	}
	return len(p), nil
}

// wait blocks until total bytes have been logged.
func (l *syncLog) wait(t *testing.T, total int) {
	t.Helper()
	l.mu.Lock()
	if l.n >= total {
		l.mu.Unlock()
		return
	}
	if l.waiters == nil {
		l.waiters = make(map[int]chan struct{})
	}
	ch, ok := l.waiters[total]
	if !ok {
		ch = make(chan struct{})
		l.waiters[total] = ch
	}
	l.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(testTimeout):
		t.Fatalf("relay did not read %d bytes from the master in time", total)
	}
}

// notifyConn is a client that tells the test when the relay closed it.
type notifyConn struct {
	net.Conn
	once   sync.Once
	closed chan struct{}
}

func newClient(t *testing.T) (relayEnd *notifyConn, testEnd net.Conn) {
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	return &notifyConn{Conn: a, closed: make(chan struct{})}, b
}

func (c *notifyConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { close(c.closed) })
	return err
}

func (c *notifyConn) waitClosed(t *testing.T) {
	t.Helper()
	select {
	case <-c.closed:
	case <-time.After(testTimeout):
		t.Fatal("relay did not close the client in time")
	}
}

// waitGoroutines waits until no more than n goroutines are running. A
// goroutine that has signalled a WaitGroup still takes a moment to exit, so
// this has to poll.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines running, want <= %d:\n%s", runtime.NumGoroutine(), n, buf)
		}
		time.Sleep(time.Millisecond)
	}
}

func timeAfter() <-chan time.Time { return time.After(testTimeout) }
