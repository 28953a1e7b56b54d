package driver

import (
	"os"
	"testing"
	"time"
)

func TestReadySignal(t *testing.T) {
	if readySignal(nil) != nil {
		t.Fatal("no pipe: want a nil channel")
	}
	for _, tc := range []struct {
		name string
		tell func(w *os.File)
	}{
		{"byte", func(w *os.File) { _, _ = w.Write([]byte{'1'}) }},
		{"EOF", func(w *os.File) { w.Close() }},
	} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		ch := readySignal(r)
		select {
		case <-ch:
			t.Fatalf("%s: closed before the controller said anything", tc.name)
		case <-time.After(20 * time.Millisecond):
		}
		tc.tell(w)
		select {
		case <-ch:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: not closed", tc.name)
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
