package procfs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
	"time"
)

// requireFUSE skips the test unless it can mount FUSE directly.
func requireFUSE(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (CAP_SYS_ADMIN) to mount FUSE with mount(2)")
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skipf("needs the FUSE device /dev/fuse: %v", err)
	}
}

// fakeStats is a stats source the test can change or make fail.
type fakeStats struct {
	mu  sync.Mutex
	st  MemStats
	err error
}

func (f *fakeStats) set(st MemStats, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st, f.err = st, err
}

func (f *fakeStats) get() (MemStats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st, f.err
}

// withTree has Open keep the whole tree's mount for takeTree.
func withTree(c *config) { c.keepTree = true }

// attached is an Open server whose filesystem this test attached at dir
// (as an init stage attaches it in its namespace).
type attached struct {
	*Server
	dir       string
	unmounted bool
}

// attach opens a server and attaches its filesystem at dir.
func attach(dir string, stats func() (MemStats, error), log *slog.Logger, opts ...Option) (*attached, error) {
	srv, err := Open(stats, log, append(opts, withTree)...)
	if err != nil {
		return nil, err
	}
	tree := srv.takeTree()
	err = unix.MoveMount(tree, "", unix.AT_FDCWD, dir, unix.MOVE_MOUNT_F_EMPTY_PATH)
	unix.Close(tree)
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("move_mount to %s: %w", dir, err)
	}
	return &attached{Server: srv, dir: dir}, nil
}

// Dir is the mount point.
func (a *attached) Dir() string { return a.dir }

// MeminfoPath is the served file.
func (a *attached) MeminfoPath() string { return filepath.Join(a.dir, MeminfoName) }

// Unmount detaches the mount lazily; again, it does nothing.
func (a *attached) Unmount() error {
	if a.unmounted {
		return nil
	}
	if err := unix.Unmount(a.dir, unix.MNT_DETACH); err != nil {
		return err
	}
	a.unmounted = true
	return nil
}

// mountT attaches a server in a fresh directory and detaches it when the
// test ends, even if it failed.
func mountT(t *testing.T, stats *fakeStats, opts ...Option) *attached {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := attach(t.TempDir(), stats.get, log, opts...)
	if err != nil {
		t.Fatalf("attach: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Unmount(); err != nil {
			t.Errorf("Unmount: %v", err)
		}
		waitT(t, srv, 10*time.Second)
	})
	return srv
}

// waitT fails the test unless srv.Wait returns within d.
func waitT(t *testing.T, srv interface{ Wait() }, d time.Duration) {
	t.Helper()
	if !waitWithin(srv, d) {
		t.Errorf("Server.Wait did not return within %v", d)
	}
}

// waitWithin reports whether srv.Wait returns within d.
func waitWithin(srv interface{ Wait() }, d time.Duration) bool {
	done := make(chan struct{})
	go func() { srv.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// mountEntry is one line of /proc/self/mountinfo.
type mountEntry struct {
	mountOpts, fsType, source, superOpts string
}

// findMount returns the /proc/self/mountinfo entry mounted at dir.
func findMount(t *testing.T, dir string) (mountEntry, bool) {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[4] != dir {
			continue
		}
		for i := 6; i+3 < len(fields); i++ {
			if fields[i] == "-" {
				return mountEntry{fields[5], fields[i+1], fields[i+2], fields[i+3]}, true
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return mountEntry{}, false
}

// readSendfile reads path the way busybox cat does: sendfile(2) from the
// file into a regular file.
func readSendfile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := sendfileBytes(path, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sendfileBytes is readSendfile for any goroutine: it copies path with
// sendfile(2) into a new file in dir and returns what arrived.
func sendfileBytes(path, dir string) ([]byte, error) {
	in, err := openOnMount(path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	out, err := os.CreateTemp(dir, "sendfile-out")
	if err != nil {
		return nil, err
	}
	defer out.Close()
	for {
		n, err := syscall.Sendfile(int(out.Fd()), int(in.Fd()), nil, 1<<16)
		if err != nil {
			return nil, fmt.Errorf("sendfile from %s: %w", path, err)
		}
		if n == 0 {
			break
		}
	}
	return os.ReadFile(out.Name())
}

// readIntoPipe reads path with move(pipeWriteFd, fileFd) (sendfile(2) or
// splice(2) into a pipe) until it reports end of file.
func readIntoPipe(t *testing.T, path string, move func(w, in int) (int, error)) []byte {
	t.Helper()
	in, err := openOnMount(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		got <- b
	}()
	var moveErr error
	for {
		n, err := move(int(w.Fd()), int(in.Fd()))
		if err != nil {
			moveErr = err
			break
		}
		if n == 0 {
			break
		}
	}
	w.Close()
	b := <-got
	if moveErr != nil {
		t.Fatalf("moving %s into a pipe: %v", path, moveErr)
	}
	return b
}

func sendfileMove(w, in int) (int, error) { return syscall.Sendfile(w, in, nil, 1<<16) }

func spliceMove(w, in int) (int, error) {
	n, err := syscall.Splice(in, nil, w, nil, 1<<16, 0)
	return int(n), err
}

// readSmall reads path with read(2) calls of size bytes each.
func readSmall(t *testing.T, path string, size int) []byte {
	t.Helper()
	f, err := openOnMount(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []byte
	buf := make([]byte, size)
	for {
		n, err := f.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// openFileOnMount opens a file of a mount this process serves without Go's
// poller: os.OpenFile would register it, and the kernel's FUSE_POLL would
// then wait for the server under the poller's own lock (the server reads
// its requests through that poller), which never answers.
func openFileOnMount(path string, flag int, perm os.FileMode) (*os.File, error) {
	fd, err := syscall.Open(path, flag|syscall.O_CLOEXEC, uint32(perm))
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// openOnMount is openFileOnMount read-only.
func openOnMount(path string) (*os.File, error) { return openFileOnMount(path, os.O_RDONLY, 0) }

// readOnMount reads a whole file of a mount this process serves.
func readOnMount(path string) ([]byte, error) {
	f, err := openOnMount(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// bindMeminfo binds srv's file onto a new file, as an init stage binds it
// onto a container's /proc/meminfo, and returns that file; the bind and
// the mount go at the test's end.
func bindMeminfo(t *testing.T, srv *attached) string {
	t.Helper()
	target := filepath.Join(t.TempDir(), "proc-meminfo")
	if err := os.WriteFile(target, nil, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount(srv.MeminfoPath(), target, "", syscall.MS_BIND, ""); err != nil {
		_ = srv.Unmount()
		t.Fatalf("bind mount: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Unmount(target, syscall.MNT_DETACH)
		_ = srv.Unmount()
	})
	return target
}
