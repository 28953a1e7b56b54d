package keeper

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"reflect"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/monitor"
)

func TestExitEvent(t *testing.T) {
	for _, c := range []struct {
		code, status int32
		want         monitor.Event
	}{
		{cldExited, 0, monitor.Event{Kind: "exit", Status: "shutdown"}},
		{cldExited, 3, monitor.Event{Kind: "exit", Status: "shutdown", Code: 3}},
		{cldKilled, int32(unix.SIGKILL), monitor.Event{Kind: "exit", Status: "shutdown", Code: 137}},
		{cldKilled, int32(unix.SIGHUP), monitor.Event{Kind: "exit", Status: "reboot", Code: 129}},
		{cldDumped, int32(unix.SIGSEGV), monitor.Event{Kind: "exit", Status: "shutdown", Code: 139}},
	} {
		if got := ExitEvent(c.code, c.status); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ExitEvent(%d, %d) = %+v, want %+v", c.code, c.status, got, c.want)
		}
	}
}

// TestReap reaps a real child through its pidfd, with its exit status.
func TestReap(t *testing.T) {
	var pidfd int
	attr := &os.ProcAttr{Sys: &unix.SysProcAttr{PidFD: &pidfd}}
	p, err := os.StartProcess("/bin/sh", []string{"sh", "-c", "exit 7"}, attr)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(pidfd)
	ev, err := Reap(pidfd)
	if err != nil || ev.Code != 7 || ev.Status != monitor.ExitShutdown {
		t.Fatalf("Reap = %+v, %v", ev, err)
	}
	if err := unix.Kill(p.Pid, 0); err == nil {
		t.Error("child not reaped")
	}
}

// TestStateThroughMemfd: Receive reads what Exec writes, and makes the
// named descriptors close-on-exec again.
func TestStateThroughMemfd(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	fd, err := Inherit(r)
	if err != nil {
		t.Fatal(err)
	}
	st := State{Name: "x", LogFD: fd, PidFD: -1, Listener: -1, MntNS: -1, InitEvent: monitor.Event{Kind: "init", InitPID: 9},
		Consoles: []Console{{Master: -1, Peer: -1, Backlog: []byte("out\x00put")}}, Mem: MemFiles{Version: 2, FDs: []int{-1}}}
	data, _ := json.Marshal(st)
	mfd, err := unix.MemfdCreate("t", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unix.Write(mfd, data); err != nil {
		t.Fatal(err)
	}
	_, _ = unix.Seek(mfd, 0, 0)
	got, err := Receive(mfd)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, st) {
		t.Errorf("received %+v, want %+v", *got, st)
	}
	if flags, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); flags&unix.FD_CLOEXEC == 0 {
		t.Error("a received descriptor is not close-on-exec")
	}
}

// TestWatchesAdopt: an adopted watch gets no init event again, then the
// exit event; Handoff lists the live ones with their reaper flag.
func TestWatchesAdopt(t *testing.T) {
	var w Watches
	a, b := net.Pipe()
	defer b.Close()
	w.Adopt(a, true)
	if !w.Reaped() {
		t.Error("an adopted reaper watch does not count")
	}
	if h := w.Handoff(); len(h) != 1 || !h[0].Reaper {
		t.Errorf("Handoff = %+v", h)
	}
	go w.Exit(monitor.Event{Kind: "exit", Status: "shutdown", Code: 1})
	_ = b.SetReadDeadline(time.Now().Add(5 * time.Second))
	var ev monitor.Event
	if err := monitor.ReadLine(bufio.NewReader(b), &ev); err != nil || ev.Kind != "exit" || ev.Code != 1 {
		t.Fatalf("first event on an adopted watch: %+v, %v", ev, err)
	}
	w.Flush(5 * time.Second)
}
