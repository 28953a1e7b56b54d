package initproto

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestPending: nothing to read, then a message waiting, then the peer gone
// (EOF counts: a spare whose daemon left must not warm up either).
func TestPending(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	if Pending(fds[0]) {
		t.Fatal("Pending with nothing sent")
	}
	if _, err := unix.Write(fds[1], []byte("go")); err != nil {
		t.Fatal(err)
	}
	if !Pending(fds[0]) {
		t.Fatal("not Pending with a message waiting")
	}
	buf := make([]byte, 8)
	if _, err := unix.Read(fds[0], buf); err != nil {
		t.Fatal(err)
	}
	unix.Close(fds[1])
	if !Pending(fds[0]) {
		t.Fatal("not Pending once the peer closed")
	}
}
