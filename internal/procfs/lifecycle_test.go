package procfs

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// TestMountLifecycle checks the mount table entry, the lazy Unmount with a
// file still open, and that no goroutine or descriptor is left behind.
func TestMountLifecycle(t *testing.T) {
	requireFUSE(t)
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	dir := t.TempDir()
	srv, err := attach(dir, (&fakeStats{st: base}).get, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Unmount() }) // only does something if the test failed early

	m, ok := findMount(t, dir)
	if !ok {
		t.Fatalf("%s not in /proc/self/mountinfo", dir)
	}
	if m.fsType != "fuse.libvirt_lxc" || m.source != "libvirt" || !strings.Contains(m.superOpts, "allow_other") ||
		!strings.Contains(m.mountOpts, "nosuid") || !strings.Contains(m.mountOpts, "nodev") {
		t.Errorf("mount entry %+v, want fuse.libvirt_lxc from libvirt, allow_other, nosuid, nodev", m)
	}

	f, err := openOnMount(srv.MeminfoPath())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := srv.Unmount(); err != nil {
		t.Fatalf("Unmount with an open file: %v", err)
	}
	if m, ok := findMount(t, dir); ok {
		t.Errorf("still mounted after Unmount: %+v", m)
	}
	if err := srv.Unmount(); err != nil {
		t.Errorf("second Unmount: %v", err)
	}
	buf := make([]byte, 4096)
	if n, err := f.ReadAt(buf, 0); n == 0 || !bytes.HasPrefix(buf, []byte("MemTotal:         524288 kB\n")) {
		t.Errorf("reading the open file after Unmount: %d bytes, %v", n, err)
	}
	if waitWithin(srv, 200*time.Millisecond) {
		t.Error("Wait returned while a file was still open")
	}
	f.Close()
	waitT(t, srv, 5*time.Second)

	deadline := time.Now().Add(5 * time.Second)
	for (runtime.NumGoroutine() > goroutines || openFDs(t) > fds) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := openFDs(t); n > fds {
		t.Errorf("%d open descriptors after Wait, %d before", n, fds)
	}
	if n := runtime.NumGoroutine(); n > goroutines {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Wait, %d before:\n%s", n, goroutines, buf[:runtime.Stack(buf, true)])
	}
}

// TestMountBindOutlivesUnmount mirrors a container: meminfo is bind-mounted
// elsewhere (its /proc/meminfo), and stays served after Unmount until that
// bind mount is gone.
func TestMountBindOutlivesUnmount(t *testing.T) {
	requireFUSE(t)
	dir := t.TempDir()
	srv, err := attach(dir, (&fakeStats{st: base}).get, nil)
	if err != nil {
		t.Fatal(err)
	}
	target := bindMeminfo(t, srv)

	if err := srv.Unmount(); err != nil {
		t.Fatalf("Unmount: %v", err)
	}
	if got := mustRead(t, target); !bytes.HasPrefix(got, []byte("MemTotal:         524288 kB\n")) {
		t.Errorf("bind mount after Unmount reads %q", got)
	}
	if waitWithin(srv, 200*time.Millisecond) {
		t.Error("Wait returned while the bind mount was alive")
	}
	if err := syscall.Unmount(target, 0); err != nil {
		t.Fatalf("unmount the bind: %v", err)
	}
	waitT(t, srv, 5*time.Second)
}

// TestTakeFileOverAFile: TakeFile's mount, attached over a regular file as
// an init stage attaches it over /proc/meminfo, serves the file with
// libvirt's mount identity (Open's lookup of it does not ask for the
// stats); the tree's mount is gone, and the server ends once the file's
// mount is.
func TestTakeFileOverAFile(t *testing.T) {
	requireFUSE(t)
	fds := openFDs(t)
	target := filepath.Join(t.TempDir(), "meminfo")
	if err := os.WriteFile(target, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Open's own lookup does not ask for the stats: its owner may not
	// have them yet (a controller before its cgroup exists).
	var calls atomic.Int32
	stats := &fakeStats{st: base}
	srv, err := Open(func() (MemStats, error) { calls.Add(1); return stats.get() }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("Open asked for the stats %d times, want 0", n)
	}
	file := srv.TakeFile()
	if file < 0 {
		srv.Close()
		t.Fatal("TakeFile: -1 from a server just opened")
	}
	if fd := srv.TakeFile(); fd != -1 {
		t.Errorf("TakeFile again: %d, want -1", fd)
	}
	if fd := srv.takeTree(); fd != -1 {
		t.Errorf("takeTree after TakeFile: %d, want -1", fd)
	}
	err = unix.MoveMount(file, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH)
	unix.Close(file)
	if err != nil {
		srv.Close()
		t.Fatalf("move_mount over %s: %v", target, err)
	}
	m, ok := findMount(t, target)
	if !ok || m.fsType != "fuse.libvirt_lxc" || m.source != "libvirt" {
		t.Errorf("mount entry %+v (found %v), want fuse.libvirt_lxc from libvirt", m, ok)
	}
	if got := mustRead(t, target); !strings.HasPrefix(string(got), "MemTotal:         524288 kB\n") {
		t.Errorf("read %q", got)
	}
	if err := unix.Unmount(target, unix.MNT_DETACH); err != nil {
		t.Fatal(err)
	}
	if !waitWithin(srv, 10*time.Second) {
		t.Error("the server still serves 10 s after the file's mount went")
		srv.Close()
	}
	if n := openFDs(t); n != fds {
		t.Errorf("%d descriptors open, %d before", n, fds)
	}
}
