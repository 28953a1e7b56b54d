package console

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"
)

// startRelay starts a relay on a fresh pty and returns it with its log and
// the raw slave (the container's side). The relay is closed after the test.
func startRelay(t *testing.T, backlog int) (*Relay, *syncLog, *os.File) {
	t.Helper()
	master, slave := newPair(t)
	log := &syncLog{keep: backlog < 1<<20}
	r, err := NewRelay(master, RelayOptions{BacklogSize: backlog, Log: log})
	if err != nil {
		t.Fatalf("NewRelay: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r, log, slave
}

func TestRelayDeliversBacklogInOrderOnAttach(t *testing.T) {
	r, log, slave := startRelay(t, 0)
	var want bytes.Buffer
	for i := range 200 {
		line := fmt.Appendf(nil, "boot message %d\n", i)
		writeAll(t, slave, line)
		want.Write(line)
	}
	log.wait(t, want.Len()) // everything is in the backlog now

	client, peer := newClient(t)
	if _, err := r.Attach(client); err != nil {
		t.Fatalf("Attach: %v", err)
	}
	if got := readN(t, peer, want.Len()); !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("backlog delivered as %q, want %q", got, want.Bytes())
	}
	writeAll(t, slave, []byte("live output"))
	expect(t, peer, "live output")

	log.wait(t, want.Len()+len("live output")) // the log may trail the client
	log.mu.Lock()
	logged := log.data.String()
	log.mu.Unlock()
	if logged != want.String()+"live output" {
		t.Errorf("log writer got %q", logged)
	}
}

func TestRelayBacklogIsBoundedAndNeverBlocksTheContainer(t *testing.T) {
	const backlog = 64 * 1024
	r, log, slave := startRelay(t, backlog)
	data := pattern(1 << 20)
	writeAll(t, slave, data) // fails if the writer blocks for testTimeout
	log.wait(t, len(data))

	client, peer := newClient(t)
	if _, err := r.Attach(client); err != nil {
		t.Fatalf("Attach: %v", err)
	}
	got := readN(t, peer, backlog)
	if !bytes.Equal(got, data[len(data)-backlog:]) {
		t.Fatal("client did not receive the last 64 KiB of output")
	}
	// Nothing older follows: the next bytes are new output.
	writeAll(t, slave, []byte("END"))
	expect(t, peer, "END")
	r.mu.Lock()
	size := len(r.backlog.buf)
	r.mu.Unlock()
	if size > backlog {
		t.Errorf("backlog storage grew to %d bytes", size)
	}
}

func TestRelayClientInputReachesContainer(t *testing.T) {
	r, _, slave := startRelay(t, 0)
	client, peer := newClient(t)
	if _, err := r.Attach(client); err != nil {
		t.Fatalf("Attach: %v", err)
	}
	if _, err := peer.Write([]byte("root\n")); err != nil {
		t.Fatalf("client write: %v", err)
	}
	expect(t, slave, "root\n")
	big := pattern(20_000) // several feed chunks, in order
	go peer.Write(big)
	if got := readN(t, slave, len(big)); !bytes.Equal(got, big) {
		t.Fatal("large client input arrived altered")
	}
}

func TestRelayHangupEndsRelay(t *testing.T) {
	r, _, slave := startRelay(t, 0)
	client, peer := newClient(t)
	if _, err := r.Attach(client); err != nil {
		t.Fatalf("Attach: %v", err)
	}
	writeAll(t, slave, []byte("last words"))
	slave.Close() // the container died

	expect(t, peer, "last words")
	expectEOF(t, peer) // the client is closed once output is delivered
	waitDone(t, r)
	if err := r.Err(); err != nil {
		t.Errorf("Err after hangup = %v, want nil", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close after hangup: %v", err)
	}
}

func TestRelayAttachAfterHangupGetsBacklogThenEOF(t *testing.T) {
	r, _, slave := startRelay(t, 0)
	writeAll(t, slave, []byte("nobody was watching"))
	slave.Close()
	waitDone(t, r)

	client, peer := newClient(t)
	if _, err := r.Attach(client); err != nil {
		t.Fatalf("Attach after hangup: %v", err)
	}
	expect(t, peer, "nobody was watching")
	expectEOF(t, peer)
}

func waitDone(t *testing.T, r *Relay) {
	t.Helper()
	select {
	case <-r.Done():
	case <-timeAfter():
		t.Fatal("Done not closed in time")
	}
}

// With a client attached nothing is dropped: a container writing far more
// than the backlog while the client reads slowly waits for it, and the
// client gets every byte in order.
func TestRelayAttachedClientGetsEverything(t *testing.T) {
	const backlog = 16 * 1024
	r, _, slave := startRelay(t, backlog)
	client, peer := newClient(t)
	if _, err := r.Attach(client); err != nil {
		t.Fatalf("Attach: %v", err)
	}
	data := pattern(1 << 20)
	written := make(chan error, 1)
	go func() {
		_, err := slave.Write(data) // blocks while the client lags
		written <- err
	}()
	got := make([]byte, 0, len(data))
	buf := make([]byte, 3000)
	for len(got) < len(data) {
		time.Sleep(50 * time.Microsecond) // a slow reader
		if err := peer.SetReadDeadline(time.Now().Add(testTimeout)); err != nil {
			t.Fatal(err)
		}
		n, err := peer.Read(buf)
		if err != nil {
			t.Fatalf("after %d bytes: %v", len(got), err)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("the attached client did not receive the output byte for byte")
	}
	if err := <-written; err != nil {
		t.Fatalf("container write: %v", err)
	}
	r.mu.Lock()
	dropped := r.backlog.dropped
	r.mu.Unlock()
	if dropped != 0 {
		t.Errorf("%d bytes dropped with a client attached", dropped)
	}
}

// A client that stops reading holds the container's console writes, but
// detaching it (or closing the relay) lets the container go on at once.
func TestRelayStuckClientReleasedByDetach(t *testing.T) {
	r, _, slave := startRelay(t, 4096)
	client, _ := newClient(t) // the test never reads
	detach, err := r.Attach(client)
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	data := pattern(256 * 1024)
	written := make(chan error, 1)
	go func() {
		_, err := slave.Write(data)
		written <- err
	}()
	select {
	case err := <-written:
		t.Fatalf("256 KiB went through a client that reads nothing (err %v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	detach()
	select {
	case err := <-written:
		if err != nil {
			t.Fatalf("container write: %v", err)
		}
	case <-timeAfter():
		t.Fatal("the container stayed blocked after the client detached")
	}
}
