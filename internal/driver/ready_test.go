package driver

import (
	"os"
	"reflect"
	"testing"
	"time"

	"virtlxc/internal/monitor"
)

func TestReadySignal(t *testing.T) {
	if readySignal(nil) != nil {
		t.Fatal("no pipe: want a nil channel")
	}
	for _, tc := range []struct {
		name string
		tell func(w *os.File)
		want *monitor.Event
	}{
		{"init event", func(w *os.File) {
			_ = monitor.WriteLine(w, monitor.Event{Kind: monitor.EventInit, InitPID: 42, HostIfaces: []string{"vnet0"}})
		}, &monitor.Event{Kind: monitor.EventInit, InitPID: 42, HostIfaces: []string{"vnet0"}}},
		{"bare byte", func(w *os.File) { _, _ = w.Write([]byte{'1'}); w.Close() }, nil},
		{"other event", func(w *os.File) { _ = monitor.WriteLine(w, monitor.Event{Kind: monitor.EventExit}) }, nil},
		{"EOF", func(w *os.File) { w.Close() }, nil},
	} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		ch := readySignal(r)
		select {
		case <-ch:
			t.Fatalf("%s: delivered before the controller said anything", tc.name)
		case <-time.After(20 * time.Millisecond):
		}
		tc.tell(w)
		select {
		case got := <-ch:
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
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
