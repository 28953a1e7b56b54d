package procfs

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestMountRealHost serves the real /proc/meminfo and checks that MemTotal is
// the limit and follows it, through read(2) and sendfile(2).
func TestMountRealHost(t *testing.T) {
	requireFUSE(t)
	stats := &fakeStats{st: base}
	path := mountT(t, stats).MeminfoPath()

	host, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	check := func(limitKiB uint64) {
		t.Helper()
		for name, got := range map[string][]byte{
			"read":     mustRead(t, path),
			"sendfile": readSendfile(t, path),
		} {
			l := lines(t, got)
			if want := kbLine("MemTotal", limitKiB); l["MemTotal"] != want {
				t.Errorf("%s: MemTotal line %q, want %q", name, l["MemTotal"], want)
			}
			if len(l) != len(lines(t, host)) {
				t.Errorf("%s: %d lines, host has %d", name, len(l), len(lines(t, host)))
			}
		}
	}
	check(512 * 1024)
	stats.set(with(func(s *MemStats) { s.Limit = 300 * mib }), nil)
	check(300 * 1024)
}

// TestMountReaders checks that every way of reading returns the rendered
// content exactly.
func TestMountReaders(t *testing.T) {
	requireFUSE(t)
	hostPath, _ := filepath.Abs("testdata/meminfo-swap")
	stats := &fakeStats{st: base}
	path := mountT(t, stats, WithHostMeminfo(hostPath)).MeminfoPath()
	want := RenderMeminfo(readSample(t, "meminfo-swap"), base)

	got := map[string][]byte{
		"read(2) to EOF":    mustRead(t, path),
		"read 7 bytes":      readSmall(t, path, 7),
		"read 1 byte":       readSmall(t, path, 1),
		"sendfile to file":  readSendfile(t, path),
		"sendfile to pipe":  readIntoPipe(t, path, sendfileMove),
		"splice to pipe":    readIntoPipe(t, path, spliceMove),
		"pread at offsets":  preadAll(t, path, 100),
		"pread single byte": preadAll(t, path, 1),
	}
	// busybox cat uses sendfile(2) (it read back empty in libvirt's mode);
	// coreutils cat and dd use read(2).
	for name, argv := range map[string][]string{
		"busybox cat": {"busybox", "cat", path},
		"cat":         {"cat", path},
		"dd":          {"dd", "if=" + path, "bs=4096", "status=none"},
	} {
		if _, err := exec.LookPath(argv[0]); err != nil {
			t.Logf("%s not installed, not testing it", argv[0])
			continue
		}
		out, err := exec.Command(argv[0], argv[1:]...).Output()
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		got[name] = out
	}
	for name, b := range got {
		if !bytes.Equal(b, want) {
			t.Errorf("%s: got %d bytes, want %d:\n%s", name, len(b), len(want), b)
		}
	}

	f, err := openOnMount(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, off := range []int{len(want) - 1, 777, 100, 1, 0} {
		buf := make([]byte, 50)
		n, err := f.ReadAt(buf, int64(off))
		if w := want[off:min(off+50, len(want))]; !bytes.Equal(buf[:n], w) {
			t.Errorf("pread at %d: %q, %v; want %q", off, buf[:n], err, w)
		}
	}
	for _, off := range []int64{int64(len(want)), int64(len(want)) + 10, 1 << 20} {
		n, err := f.ReadAt(make([]byte, 16), off)
		if n != 0 || err != io.EOF {
			t.Errorf("pread at %d past the end: n=%d err=%v, want 0 and EOF", off, n, err)
		}
	}
}

// preadAll reads path with pread(2) at increasing offsets, size bytes each.
func preadAll(t *testing.T, path string, size int) []byte {
	t.Helper()
	f, err := openOnMount(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []byte
	buf := make([]byte, size)
	for off := int64(0); ; off += int64(size) {
		n, err := syscall.Pread(int(f.Fd()), buf, off)
		if err != nil {
			t.Fatalf("pread at %d: %v", off, err)
		}
		out = append(out, buf[:n]...)
		if n == 0 {
			return out
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := readOnMount(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMountSnapshots checks that a pass over an open file is one snapshot,
// that a new pass (offset 0) or a new open sees new figures, and that the
// reported size follows the content.
func TestMountSnapshots(t *testing.T) {
	requireFUSE(t)
	hostPath, _ := filepath.Abs("testdata/meminfo-swap")
	host := readSample(t, "meminfo-swap")
	stats := &fakeStats{st: base}
	path := mountT(t, stats, WithHostMeminfo(hostPath)).MeminfoPath()
	oldWant := RenderMeminfo(host, base)
	changed := with(func(s *MemStats) { s.Limit, s.MemSwapLimit, s.MemSwapUsage = 1*gib, 2*gib, 0 })
	newWant := RenderMeminfo(host, changed)

	f, err := openOnMount(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := make([]byte, 10)
	if _, err := f.Read(head); err != nil {
		t.Fatal(err)
	}
	stats.set(changed, nil)
	rest := make([]byte, 8192)
	n, _ := f.Read(rest)
	if got := append(head, rest[:n]...); !bytes.Equal(got, oldWant) {
		t.Errorf("one pass mixed snapshots:\n%s", got)
	}
	n, err = f.ReadAt(rest, 0)
	if !bytes.Equal(rest[:n], newWant) {
		t.Errorf("pread at 0 on the kept fd: %v, not the new content:\n%s", err, rest[:n])
	}
	if got := mustRead(t, path); !bytes.Equal(got, newWant) {
		t.Errorf("new open: not the new content:\n%s", got)
	}

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != int64(len(newWant)) {
		t.Errorf("st_size = %d, want %d", fi.Size(), len(newWant))
	}

	stats.set(MemStats{}, errors.New("cgroup gone"))
	if got := mustRead(t, path); !bytes.Equal(got, host) {
		t.Errorf("stats failing: got\n%s\nwant the host file unchanged", got)
	}
	stats.set(base, nil)
	if got := readSendfile(t, path); !bytes.Equal(got, oldWant) {
		t.Errorf("stats back: got\n%s", got)
	}
}

// TestMountTree checks the tree, modes, owner and the read-only open rule.
func TestMountTree(t *testing.T) {
	requireFUSE(t)
	srv := mountT(t, &fakeStats{st: base}, WithOwner(100000, 100001))

	names, err := os.ReadDir(srv.Dir())
	if err != nil || len(names) != 1 || names[0].Name() != MeminfoName {
		t.Errorf("ReadDir = %v, %v; want only %s", names, err, MeminfoName)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(srv.Dir(), &st); err != nil || st.Mode != syscall.S_IFDIR|0o755 || st.Nlink != 2 {
		t.Errorf("root: mode %o nlink %d err %v, want dir 0755 nlink 2", st.Mode, st.Nlink, err)
	}
	if err := syscall.Stat(srv.MeminfoPath(), &st); err != nil || st.Mode != syscall.S_IFREG|0o444 ||
		st.Uid != 100000 || st.Gid != 100001 {
		t.Errorf("meminfo: mode %o owner %d:%d err %v, want file 0444 100000:100001", st.Mode, st.Uid, st.Gid, err)
	}
	for _, flag := range []int{os.O_WRONLY, os.O_RDWR, os.O_WRONLY | os.O_TRUNC} {
		if f, err := openFileOnMount(srv.MeminfoPath(), flag, 0); !errors.Is(err, syscall.EACCES) {
			t.Errorf("open with flags %#x: %v, want EACCES", flag, err)
			if f != nil {
				f.Close()
			}
		}
	}
	if _, err := os.Stat(filepath.Join(srv.Dir(), "cpuinfo")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stat cpuinfo: %v, want ENOENT", err)
	}
	if err := os.WriteFile(filepath.Join(srv.Dir(), "new"), nil, 0o644); err == nil {
		t.Error("creating a file succeeded")
	}
}

// TestOpenErrors needs no root: the arguments are checked first.
func TestOpenErrors(t *testing.T) {
	if _, err := Open(nil, nil); err == nil {
		t.Error("Open with nil stats succeeded")
	}
	if _, err := Resume(-1, nil, nil, nil); err == nil {
		t.Error("Resume with nil stats succeeded")
	}
}

// TestMountIdentity: the filesystem has libvirt's identity and options and
// serves other processes (cat) until Unmount and Wait.
func TestMountIdentity(t *testing.T) {
	requireFUSE(t)
	srv := mountT(t, &fakeStats{st: base})
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(string(mi), "\n") {
		if f := strings.Fields(l); len(f) > 4 && f[4] == srv.Dir() {
			line = l
		}
	}
	for _, want := range []string{" rw,nosuid,nodev,", " - fuse.libvirt_lxc libvirt ", "user_id=0,group_id=0", "allow_other", "max_read=4096"} {
		if !strings.Contains(line, want) {
			t.Errorf("mount %q lacks %q", line, want)
		}
	}
	out, err := exec.Command("cat", srv.MeminfoPath()).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte("MemTotal:         524288 kB\n")) {
		t.Errorf("cat read %q", out)
	}
}

// TestMountAccessAndStatfs: access(2) follows the mode bits (0444 file,
// 0755 root) for root and for others, and statfs answers as an empty FUSE
// filesystem.
func TestMountAccessAndStatfs(t *testing.T) {
	requireFUSE(t)
	srv := mountT(t, &fakeStats{st: base})
	// Let an unprivileged user reach the mount point.
	for d := filepath.Dir(srv.Dir()); d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	file := srv.MeminfoPath()
	for _, c := range []struct {
		path string
		mode uint32
		ok   bool
	}{
		{file, unix.R_OK, true},
		{file, unix.W_OK, true}, // root may write anything (the open still refuses it)
		{file, unix.X_OK, false},
		{srv.Dir(), unix.X_OK, true},
	} {
		if err := unix.Access(c.path, c.mode); (err == nil) != c.ok {
			t.Errorf("root: access(%s, %d) = %v, want ok=%v", c.path, c.mode, err, c.ok)
		}
	}
	cmd := exec.Command("sh", "-c", `test -r "$1" && ! test -w "$1" && ! test -x "$1" && test -x "$2" && ls "$2"`, "sh", file, srv.Dir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if out, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != MeminfoName {
		t.Errorf("as uid 65534: %v, %q", err, out)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(srv.Dir(), &st); err != nil || st.Type != unix.FUSE_SUPER_MAGIC {
		t.Errorf("statfs: type %#x, %v", st.Type, err)
	}
}
