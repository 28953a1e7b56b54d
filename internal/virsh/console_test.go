package virsh

import (
	"bytes"
	"os"
	"testing"
	"time"
)

// TestCopyInputStopsAtEscape: the bytes before the escape byte are sent,
// nothing after it, and nothing is read once the session is cancelled.
func TestCopyInputStopsAtEscape(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	stop, err := newCanceller()
	if err != nil {
		t.Fatal(err)
	}
	defer stop.close()
	var sent bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- copyInput(&sent, r, EscapeByte("^]"), stop) }()
	w.Write([]byte("ls\r"))
	time.Sleep(50 * time.Millisecond)
	w.Write([]byte("abc\x1ddef"))
	select {
	case err := <-done:
		if err != nil || sent.String() != "ls\rabc" {
			t.Errorf("sent %q, err %v", sent.String(), err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("escape not honoured")
	}

	// Cancelled while waiting: returns without consuming input.
	go func() { done <- copyInput(&sent, r, 0x1d, stop) }()
	time.Sleep(20 * time.Millisecond)
	stop.cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("cancel not honoured")
	}
}

func TestRunConsoleRefusals(t *testing.T) {
	f := newFake(t)
	f.doms = []*fakeDomain{runningBasic()}
	r := f.run("console", "anchor-basic")
	if r.rc != 1 || r.stderr != "error: Cannot run interactive console without a controlling TTY\n" {
		t.Errorf("%+v", r)
	}
	f.doms = []*fakeDomain{inactiveBasic()}
	if r := f.run("console", "anchor-basic"); r.stderr != "error: The domain is not running\n" {
		t.Errorf("%+v", r)
	}
}
