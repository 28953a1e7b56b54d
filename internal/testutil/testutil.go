// Package testutil holds helpers for virtlxc's root integration tests: the
// built binaries, a busybox root filesystem, and root/feature gating.
package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// RequireRoot skips a test that needs root when not run as root (CI runs
// every test as root, so nothing is skipped there).
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}

// RepoRoot is the repository's top directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// GoBuild builds pkgs into dir as the Makefile does (scripts/gobuild.sh:
// stripped, static unless cgo, with the same runtime settings), so that
// tests and benchmarks run what `make install` installs.
func GoBuild(dir string, cgo bool, pkgs ...string) error {
	mode := "0"
	if cgo {
		mode = "1"
	}
	cmd := exec.Command(filepath.Join(RepoRoot(), "scripts", "gobuild.sh"), append([]string{dir, mode}, pkgs...)...)
	cmd.Dir = RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return &buildError{out: string(out), err: err}
	}
	return nil
}

// Binaries builds the commands once per test process (all static: the
// client without its cgo helper) and returns the directory holding them.
func Binaries(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "virtlxc-bin-")
		if err != nil {
			buildErr = err
			return
		}
		if buildErr = GoBuild(dir, false, "./cmd/..."); buildErr != nil {
			return
		}
		binDir = dir
	})
	if buildErr != nil {
		t.Fatalf("building binaries: %v", buildErr)
	}
	return binDir
}

// RemoveBinaries removes the directory Binaries built into, if any; a
// TestMain calls it after m.Run.
func RemoveBinaries() {
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// busyboxApplets are linked into the test root filesystem.
var busyboxApplets = []string{
	"sh", "ls", "cat", "echo", "env", "id", "hostname", "mknod", "mount", "grep",
	"sleep", "stat", "readlink", "head", "tr", "sort", "touch", "printf", "test",
	"true", "false", "wc", "pwd", "mkdir", "rm", "nc", "ps", "kill", "sed", "dd",
	"mkfifo", "od", "ln", "ip", "ifconfig", "df", "chmod", "reboot", "cut",
}

// BusyboxRoot builds a minimal root filesystem (static busybox, /etc/passwd
// with a "tester" user 1000, /etc/group) in a new temporary directory.
func BusyboxRoot(t testing.TB) string {
	t.Helper()
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Fatalf("busybox is needed for the private-root tests (make check installs busybox-static): %v", err)
	}
	root := t.TempDir()
	for _, d := range []string{"bin", "etc", "proc", "sys", "dev", "tmp", "root", "home/tester"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, a := range busyboxApplets {
		if err := os.Symlink("busybox", filepath.Join(root, "bin", a)); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\ntester:x:1000:1000:tester:/home/tester:/bin/sh\n",
		"etc/group":  "root:x:0:\ntty:x:5:\nusers:x:100:tester\ntester:x:1000:\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The modes above whatever the umask of whoever runs the tests: the
	// containers' non-root users read /etc, a mapped root walks the tree.
	for _, d := range []string{"bin", "etc", "proc", "sys", "dev", "tmp", "root", "home", "home/tester"} {
		chmod(t, filepath.Join(root, d), 0o755)
	}
	chmod(t, filepath.Join(root, "bin", "busybox"), 0o755)
	for name := range files {
		chmod(t, filepath.Join(root, name), 0o644)
	}
	return root
}

func chmod(t testing.TB, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// ChownTree hands every file under root (symlinks themselves included) to
// uid:gid, as a root filesystem for a user-namespaced container whose
// root maps to uid must be (libvirt's requirement).
func ChownTree(t testing.TB, root string, uid, gid int) {
	t.Helper()
	if err := filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	}); err != nil {
		t.Fatalf("handing %s to %d:%d: %v", root, uid, gid, err)
	}
}

// Values collects the "@@KEY=value" lines a container's script printed
// (the marker starts the line, after any carriage return is dropped);
// repeated keys are joined by newlines.
func Values(log string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(log, "\n") {
		l = strings.TrimRight(l, "\r")
		if !strings.HasPrefix(l, "@@") {
			continue
		}
		k, v, _ := strings.Cut(strings.TrimPrefix(l, "@@"), "=")
		m[k] = strings.TrimSpace(m[k] + "\n" + v)
	}
	return m
}

// containerGroups lists the cgroup directories, in every hierarchy, of
// container name run by a controller with --cgroup-scope scope.
func containerGroups(scope, name string) []string {
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*/machine/" + scope + ".partition/lxc-*-" + name + ".libvirt-lxc")
	return dirs
}

// AssertNothingLeft fails t if the host still holds something of the
// container name that a controller ran with --cgroup-scope scope and
// --root root: a cgroup directory, a mount under root, or a file in its
// run directory stateDir.
func AssertNothingLeft(t testing.TB, scope, name, root, stateDir string) {
	t.Helper()
	if dirs := containerGroups(scope, name); len(dirs) > 0 {
		t.Errorf("cgroup left behind: %v", dirs)
	}
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(mi), root) {
		t.Errorf("mount left behind under %s", root)
	}
	entries, _ := os.ReadDir(stateDir)
	for _, e := range entries {
		t.Errorf("run file left behind: %s", filepath.Join(stateDir, e.Name()))
	}
}

// RemoveLeftovers removes the cgroup directories (deepest first) a killed
// controller left for container name (its processes died with it).
func RemoveLeftovers(scope, name string) {
	for _, top := range containerGroups(scope, name) {
		var dirs []string
		_ = filepath.WalkDir(top, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		for i := len(dirs) - 1; i >= 0; i-- {
			_ = os.Remove(dirs[i])
		}
	}
}

// ConformanceDir is libvirt 9.0's test data, ../shared/conformance/
// libvirt-9.0.0 beside the repository (where CI and every developer
// machine lays it) or $VIRTLXC_CONFORMANCE.
func ConformanceDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("VIRTLXC_CONFORMANCE"); d != "" {
		return d
	}
	d := filepath.Join(RepoRoot(), "..", "shared", "conformance", "libvirt-9.0.0")
	if _, err := os.Stat(d); err != nil {
		t.Fatalf("conformance corpus not found at %s (set VIRTLXC_CONFORMANCE): %v", d, err)
	}
	return d
}
