package procfs

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// resumeEnv carries, to this test binary re-executed as the server a
// connection is handed to, the connection's INIT request (base64); the
// descriptor is its fd 3.
const resumeEnv = "VIRTLXC_PROCFS_RESUME"

// TestMain runs the handed-to server when re-executed so.
func TestMain(m *testing.M) {
	if enc := os.Getenv(resumeEnv); enc != "" {
		os.Exit(resumeChild(enc))
	}
	os.Exit(m.Run())
}

// half is base with half its memory limit.
var half = func() MemStats { s := base; s.Limit /= 2; return s }()

// resumeChild serves the handed connection with half's figures until the
// filesystem is gone.
func resumeChild(enc string) int {
	init, err := base64.StdEncoding.DecodeString(enc)
	if err == nil {
		var srv *Server
		if srv, err = Resume(3, init, (&fakeStats{st: half}).get, nil); err == nil {
			srv.Wait()
			return 0
		}
	}
	fmt.Fprintln(os.Stderr, err)
	return 1
}

// TestHandoffAcrossExec: a server hands its connection over, without a
// new mount or INIT, to another process (this test binary re-executed, as
// a controller would exec its steady-state program), which then serves
// what was there before: the bind of the file (a container's
// /proc/meminfo), made and read before; a file opened before, whose next
// pass gets the new server's figures; new opens; and readers that kept
// reading through the switch, none of whose requests is lost. It serves
// until the bind is gone.
func TestHandoffAcrossExec(t *testing.T) {
	requireFUSE(t)
	srv, err := attach(t.TempDir(), (&fakeStats{st: base}).get, nil)
	if err != nil {
		t.Fatal(err)
	}
	target := bindMeminfo(t, srv)
	const before, after = "MemTotal:         524288 kB\n", "MemTotal:         262144 kB\n"
	f, err := openOnMount(target)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := make([]byte, len(before))
	if _, err := f.Read(head); err != nil || string(head) != before {
		t.Fatalf("first read: %q, %v", head, err)
	}
	// A close taught the kernel that FLUSH is not served: the exec of the
	// new server closes f's close-on-exec copy without waiting for one.
	if got := mustRead(t, target); !strings.HasPrefix(string(got), before) {
		t.Fatalf("read before the handoff: %q", got)
	}
	if err := srv.Unmount(); err != nil { // the host side goes, as a controller's does
		t.Fatal(err)
	}

	// Readers keep reading through the switch: none may fail or hang.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	var sawAfter atomic.Int32
	for range 4 {
		readers.Go(func() {
			seen := false
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, err := readOnMount(target)
				switch {
				case err != nil:
					t.Errorf("a read during the handoff: %v", err)
					return
				case strings.HasPrefix(string(got), after):
					if !seen {
						seen = true
						sawAfter.Add(1)
					}
				case !strings.HasPrefix(string(got), before):
					t.Errorf("a read during the handoff: %q", got)
					return
				}
			}
		})
	}
	defer func() { close(stop); readers.Wait() }()

	fd, init, err := srv.Handoff()
	if err != nil {
		t.Fatal(err)
	}
	srv.Wait() // over at once
	var out bytes.Buffer
	child := exec.Command(os.Args[0])
	child.Env = append(os.Environ(), resumeEnv+"="+base64.StdEncoding.EncodeToString(init))
	child.Stdout, child.Stderr = &out, &out
	dev := os.NewFile(uintptr(fd), "/dev/fuse")
	child.ExtraFiles = []*os.File{dev}
	err = child.Start()
	dev.Close() // the child's copy is the connection's only one now
	if err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()

	if got := mustRead(t, target); !strings.HasPrefix(string(got), after) {
		t.Errorf("the bind read through the new server: %q", got)
	}
	for deadline := time.Now().Add(5 * time.Second); sawAfter.Load() < 4 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	close(stop)
	readers.Wait()
	stop = make(chan struct{}) // for the deferred close
	if n := sawAfter.Load(); n < 4 {
		t.Errorf("%d of 4 readers got the new server's figures", n)
	}
	buf := make([]byte, 4096)
	if n, err := f.ReadAt(buf, 0); err != nil && n == 0 || !bytes.HasPrefix(buf, []byte(after)) {
		t.Errorf("a new pass over the file opened before: %q, %v", buf[:n], err)
	}
	if n, err := f.ReadAt(buf[:10], 10); err != nil || string(buf[:n]) != after[10:20] {
		t.Errorf("read at 10: %q, %v", buf[:n], err)
	}
	f.Close()

	if err := syscall.Unmount(target, syscall.MNT_DETACH); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the new server: %v\n%s", err, out.Bytes())
		}
	case <-time.After(10 * time.Second):
		_ = child.Process.Kill()
		t.Errorf("the new server still serves 10 s after the last bind went\n%s", out.Bytes())
	}
}

// TestOpenMountedByAnother: an Open server's filesystem is in no mount
// namespace until another process attaches it with move_mount from
// takeTree's descriptor (here this test, as an init stage would); it is served there,
// has libvirt's identity, and the server ends when that mount is gone.
func TestOpenMountedByAnother(t *testing.T) {
	requireFUSE(t)
	dir := t.TempDir()
	srv, err := attach(dir, (&fakeStats{st: base}).get, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fd := srv.takeTree(); fd != -1 {
		t.Errorf("takeTree after the tree was taken: %d, want -1", fd)
	}
	m, ok := findMount(t, dir)
	if !ok || m.fsType != "fuse.libvirt_lxc" || m.source != "libvirt" || !strings.Contains(m.superOpts, "allow_other") ||
		!strings.Contains(m.mountOpts, "nosuid") || !strings.Contains(m.mountOpts, "nodev") {
		t.Errorf("mount entry %+v, want fuse.libvirt_lxc from libvirt, allow_other, nosuid, nodev", m)
	}
	if got := mustRead(t, dir+"/"+MeminfoName); !strings.HasPrefix(string(got), "MemTotal:         524288 kB\n") {
		t.Errorf("read %q", got)
	}
	if err := srv.Unmount(); err != nil {
		t.Fatal(err)
	}
	if !waitWithin(srv, 10*time.Second) {
		t.Error("the server still serves 10 s after its mount went")
		srv.Close()
	}

	// Close ends a server whose filesystem was never attached.
	idle, err := Open((&fakeStats{st: base}).get, nil)
	if err != nil {
		t.Fatal(err)
	}
	idle.Close()
}
