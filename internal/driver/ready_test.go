package driver

import (
	"bytes"
	"os"
	"reflect"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/monitor"
)

func TestReadySignal(t *testing.T) {
	if readySignal(nil) != nil {
		t.Fatal("no socket: want a nil channel")
	}
	initEv := monitor.Event{Kind: monitor.EventInit, InitPID: 42, HostIfaces: []string{"vnet0"}}
	exitEv := monitor.Event{Kind: monitor.EventExit, Status: monitor.ExitShutdown}
	for _, tc := range []struct {
		name string
		tell func(w *os.File)
		want *monitor.Event
	}{
		{"init event, then the watch", func(w *os.File) {
			_ = monitor.WriteLine(w, initEv)
			_ = monitor.WriteLine(w, exitEv)
		}, &initEv},
		{"init and exit events in one write", func(w *os.File) {
			var b bytes.Buffer
			_ = monitor.WriteLine(&b, initEv)
			_ = monitor.WriteLine(&b, exitEv)
			_, _ = w.Write(b.Bytes())
		}, &initEv},
		{"bare byte", func(w *os.File) { _, _ = w.Write([]byte{'1'}); w.Close() }, nil},
		{"other event", func(w *os.File) { _ = monitor.WriteLine(w, exitEv) }, nil},
		{"EOF", func(w *os.File) { w.Close() }, nil},
	} {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		r, w := os.NewFile(uintptr(fds[0]), "r"), os.NewFile(uintptr(fds[1]), "w")
		ch := readySignal(r)
		select {
		case <-ch:
			t.Fatalf("%s: delivered before the controller said anything", tc.name)
		case <-time.After(20 * time.Millisecond):
		}
		tc.tell(w)
		select {
		case got := <-ch:
			switch {
			case tc.want == nil && got != nil:
				t.Errorf("%s: got %+v, want nothing", tc.name, got.ev)
			case tc.want != nil && (got == nil || !reflect.DeepEqual(got.ev, *tc.want)):
				t.Errorf("%s: got %+v, want %+v", tc.name, got, *tc.want)
			case tc.want != nil:
				// The same socket carries the watch on.
				if ev, err := got.w.Next(); err != nil || !reflect.DeepEqual(ev, exitEv) {
					t.Errorf("%s: next event %+v, %v; want %+v", tc.name, ev, err, exitEv)
				}
				got.w.Close()
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: nothing delivered", tc.name)
		}
		w.Close()
	}
}

func TestWithReadyPipe(t *testing.T) {
	d := &Driver{controller: "/bin/ctl"}
	other := LaunchSpec{Binary: "/opt/other"}
	if r, err := d.withReadyPipe(&other); r != nil || err != nil || len(other.Args) != 0 {
		t.Fatalf("another emulator got a ready pipe: %v %v %v", r, err, other.Args)
	}
	pass := os.Stdin
	spec := LaunchSpec{Binary: "/bin/ctl", Args: []string{"--passfd", "3"}, ExtraFiles: []*os.File{pass}}
	r, err := d.withReadyPipe(&spec)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := spec.Args; len(got) != 4 || got[2] != "--ready-fd" || got[3] != "4" {
		t.Fatalf("args %v", got)
	}
	if len(spec.ExtraFiles) != 2 || spec.ExtraFiles[0] != pass {
		t.Fatalf("files %v", spec.ExtraFiles)
	}
	closeReadyWriter(spec, r)
	select {
	case <-readySignal(r):
	case <-time.After(5 * time.Second):
		t.Fatal("no EOF once the daemon's write end is closed")
	}
}
