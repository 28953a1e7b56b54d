package console

import (
	"errors"
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

func TestRelaySecondAttachIsBusyAndForceReplaces(t *testing.T) {
	r, log, slave := startRelay(t, 0)
	first, firstPeer := newClient(t)
	if _, err := r.Attach(first); err != nil {
		t.Fatalf("Attach: %v", err)
	}
	second, _ := newClient(t)
	if _, err := r.Attach(second); !errors.Is(err, ErrBusy) {
		t.Fatalf("second Attach error = %v, want ErrBusy", err)
	}
	select {
	case <-second.closed:
		t.Fatal("a refused client was closed by the relay")
	default:
	}

	// Output the first client never reads stays for its successor.
	writeAll(t, slave, []byte("unread by first"))
	log.wait(t, len("unread by first"))

	third, thirdPeer := newClient(t)
	if _, err := r.AttachForce(third); err != nil {
		t.Fatalf("AttachForce: %v", err)
	}
	first.waitClosed(t)
	expectEOF(t, firstPeer)
	expect(t, thirdPeer, "unread by first")
	writeAll(t, slave, []byte("for third"))
	expect(t, thirdPeer, "for third")
	if _, err := thirdPeer.Write([]byte("typed")); err != nil {
		t.Fatalf("client write: %v", err)
	}
	expect(t, slave, "typed")
}

func TestRelayClientEOFDetaches(t *testing.T) {
	r, log, slave := startRelay(t, 0)
	client, peer := newClient(t)
	if _, err := r.Attach(client); err != nil {
		t.Fatalf("Attach: %v", err)
	}
	peer.Close() // the client goes away
	client.waitClosed(t)

	// Output goes back to the backlog and the next client gets it.
	writeAll(t, slave, []byte("while detached"))
	log.wait(t, len("while detached"))
	next, nextPeer := newClient(t)
	if _, err := r.Attach(next); err != nil {
		t.Fatalf("Attach after client EOF: %v", err)
	}
	expect(t, nextPeer, "while detached")
}

func TestRelayDetachFunc(t *testing.T) {
	r, _, _ := startRelay(t, 0)
	client, peer := newClient(t)
	detach, err := r.Attach(client)
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	detach()
	expectEOF(t, peer)
	detach() // idempotent
	next, _ := newClient(t)
	detachNext, err := r.Attach(next)
	if err != nil {
		t.Fatalf("Attach after detach: %v", err)
	}
	detach() // a stale detach leaves the new client alone
	select {
	case <-next.closed:
		t.Fatal("stale detach closed the new client")
	default:
	}
	detachNext()
}

func TestRelayCloseLeaksNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	master, slave := newPair(t)
	r, err := NewRelay(master, RelayOptions{})
	if err != nil {
		t.Fatalf("NewRelay: %v", err)
	}
	// Exercise every kind of goroutine: detach, force, client EOF, input
	// stuck behind a container that does not read its console.
	a, _ := newClient(t)
	detach, err := r.Attach(a)
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	detach()
	b, bPeer := newClient(t)
	if _, err := r.Attach(b); err != nil {
		t.Fatalf("Attach: %v", err)
	}
	writeAll(t, slave, []byte("out"))
	expect(t, bPeer, "out")
	c, cPeer := newClient(t)
	if _, err := r.AttachForce(c); err != nil {
		t.Fatalf("AttachForce: %v", err)
	}
	go cPeer.Write(pattern(256 * 1024)) // more than the pty will take unread

	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	c.waitClosed(t)
	select {
	case <-r.Done():
	default:
		t.Fatal("Done not closed after Close")
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := r.Attach(a); !errors.Is(err, ErrClosed) {
		t.Errorf("Attach after Close error = %v, want ErrClosed", err)
	}
	if _, err := master.Write([]byte("x")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("master still open after Close: write error %v", err)
	}
	slave.Close()
	cPeer.Close() // ends the test's own writer goroutine
	waitGoroutines(t, before)
}

func TestNewRelayRejectsBlockingMaster(t *testing.T) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	rd, wr := os.NewFile(uintptr(p[0]), "pipe-r"), os.NewFile(uintptr(p[1]), "pipe-w")
	defer rd.Close()
	defer wr.Close()
	if r, err := NewRelay(rd, RelayOptions{}); err == nil {
		r.Close()
		t.Fatal("NewRelay accepted a blocking descriptor that Close could not interrupt")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRelayLogFailureDoesNotStopConsole(t *testing.T) {
	master, slave := newPair(t)
	r, err := NewRelay(master, RelayOptions{Log: failingWriter{}})
	if err != nil {
		t.Fatalf("NewRelay: %v", err)
	}
	defer r.Close()
	client, peer := newClient(t)
	if _, err := r.Attach(client); err != nil {
		t.Fatalf("Attach: %v", err)
	}
	writeAll(t, slave, []byte("one"))
	expect(t, peer, "one")
	writeAll(t, slave, []byte("two"))
	expect(t, peer, "two")
}
