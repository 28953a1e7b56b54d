package console

import (
	"errors"
	"strings"
	"testing"
)

// TestRelayHandoff: a relay hands its master and held output over between
// two reads; a new relay (as in the process an exec starts) gives the next
// client what the first held, then live output. A relay with a client
// attached refuses until the client has left.
func TestRelayHandoff(t *testing.T) {
	r, log, slave := startRelay(t, 0)
	writeAll(t, slave, []byte("before the handoff\n"))
	log.wait(t, len("before the handoff\n"))

	client, peer := newClient(t)
	if _, err := r.Attach(client); err != nil {
		t.Fatal(err)
	}
	expect(t, peer, "before the handoff\n")
	if _, _, err := r.Handoff(); !errors.Is(err, ErrBusy) {
		t.Fatalf("Handoff with a client attached: %v, want ErrBusy", err)
	}
	peer.Close() // the client leaves: the relay ends its attachment
	client.waitClosed(t)
	writeAll(t, slave, []byte("while detached\n"))
	log.wait(t, len("before the handoff\nwhile detached\n"))

	master, held, err := r.Handoff()
	if err != nil {
		t.Fatal(err)
	}
	// (Output a detached client was given may still be held: the pump
	// consumes after its write returns.)
	if !strings.HasSuffix(string(held), "while detached\n") {
		t.Fatalf("held %q", held)
	}
	if _, _, err := r.Handoff(); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Handoff: %v", err)
	}
	writeAll(t, slave, []byte("in between\n")) // read by nobody yet
	r2, err := NewRelay(master, RelayOptions{Backlog: held})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r2.Close() })
	client2, peer2 := newClient(t)
	if _, err := r2.Attach(client2); err != nil {
		t.Fatal(err)
	}
	expect(t, peer2, string(held)+"in between\n")
	writeAll(t, slave, []byte("live\n"))
	expect(t, peer2, "live\n")
}

// TestRelayHandoffClient: an attached client goes over to the next relay
// still open, gets the output written meanwhile, and its input reaches
// the master.
func TestRelayHandoffClient(t *testing.T) {
	r, _, slave := startRelay(t, 0)
	client, peer := newClient(t)
	if _, err := r.Attach(client); err != nil {
		t.Fatal(err)
	}
	writeAll(t, slave, []byte("first\n"))
	expect(t, peer, "first\n")
	master, held, c, err := r.HandoffClient()
	if err != nil || c == nil {
		t.Fatalf("HandoffClient: %v, client %v", err, c)
	}
	writeAll(t, slave, []byte("between\n"))
	r2, err := NewRelay(master, RelayOptions{Backlog: held})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r2.Close() })
	if _, err := r2.Attach(c); err != nil {
		t.Fatal(err)
	}
	expect(t, peer, string(held)+"between\n")
	if _, err := peer.Write([]byte("typed\n")); err != nil {
		t.Fatal(err)
	}
	expect(t, slave, "typed\n")
}
