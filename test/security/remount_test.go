package security

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"virtlxc/internal/testutil"
)

// inRoot copies the attacker into a private root's /bin and returns its
// path inside the container.
func inRoot(t *testing.T, root string) string {
	t.Helper()
	data, err := os.ReadFile(attacker(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "attacker"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	return "/bin/attacker"
}

// roConfig is a read-only private root with a read-only host directory at
// /mnt/ro; it returns the root, the host directory and the <devices> XML.
func roConfig(t *testing.T) (root, shared, devices string) {
	t.Helper()
	root = busyboxRoot(t)
	shared = hostDir(t)
	if err := os.WriteFile(filepath.Join(shared, "marker"), []byte("host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "mnt", "ro"), 0o755); err != nil {
		t.Fatal(err)
	}
	devices = rootFS(root, true) +
		"    <filesystem type='mount'><source dir='" + shared + "'/><target dir='/mnt/ro'/><readonly/></filesystem>\n"
	return root, shared, devices
}

// dirNames lists a host directory.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// remountAttacks are the attacker's ways to make a read-only mount
// writable (test/security/attacker/mount.go).
var remountAttacks = []string{"remount", "remount-bind", "remount-bind-i386", "fspick", "setattr", "open-tree"}

// A container keeping CAP_SYS_ADMIN cannot make its read-only root, a
// read-only <filesystem>, /sys or /proc/sys writable: mount(2) remounts
// without MS_RDONLY fail with EPERM (through the i386 ABI too) and the new
// mount API with ENOSYS
// (the seccomp mount rules), busybox's mount -o remount,rw too, and the
// host directories behind the read-only mounts stay unchanged.
func TestRemountReadOnlyMounts(t *testing.T) {
	root, shared, devices := roConfig(t)
	a := inRoot(t, root)
	rootBefore := dirNames(t, root)
	knob := "/proc/sys/kernel/printk_ratelimit"
	knobBefore := readHost(t, knob)
	paths := []string{"/", "/mnt/ro", "/sys", "/proc/sys"}
	script := ""
	for _, p := range paths {
		for _, at := range remountAttacks {
			script += a + " " + at + "=" + p + "; "
		}
	}
	// The i386 attack dies of SIGSEGV on a kernel without IA32 emulation.
	script += a + " remount-bind-i386=/proc || echo @@noia32=1; " +
		a + " write=/ write=/mnt/ro; " +
		`if mount -o remount,rw /mnt/ro 2>/dev/null; then echo @@bbremount=ok; else echo @@bbremount=denied; fi; ` +
		`if mount -o remount,bind,rw / 2>/dev/null; then echo @@bbremountbind=ok; else echo @@bbremountbind=denied; fi; ` +
		// The same value back: harmless if the write were allowed.
		tryWrite("knob", knobBefore, knob) +
		a + " remount-ro=/mnt/ro; " +
		`echo @@done=1`
	v := run(t, "remount", domainXML("remount", script, devices, ""))
	if v["noia32"] == "1" {
		t.Log("kernel feature missing: no IA32 emulation, the i386 remount is not tried")
	}
	for _, p := range paths {
		for _, at := range remountAttacks {
			if at == "remount-bind-i386" && v["noia32"] == "1" {
				continue
			}
			want := "denied:ENOSYS"
			if strings.HasPrefix(at, "remount") {
				want = "denied:EPERM"
			}
			if got := v[at+":"+p]; !strings.HasPrefix(got, want) {
				t.Errorf("%s of %s: %q, want %s", at, p, got, want)
			}
		}
	}
	for _, p := range []string{"/", "/mnt/ro"} {
		if got := v["write:"+p]; got != "denied:EROFS" {
			t.Errorf("creating a file in %s after the attacks: %q, want denied:EROFS", p, got)
		}
	}
	for _, k := range []string{"bbremount", "bbremountbind", "knob"} {
		if v[k] != "denied" {
			t.Errorf("%s: %q, want denied", k, v[k])
		}
	}
	if got := v["remount-ro:/mnt/ro"]; got != "allowed" {
		t.Errorf("a read-only remount: %q, want allowed (only read-write remounts are refused)", got)
	}
	if got := dirNames(t, shared); !slices.Equal(got, []string{"marker"}) {
		t.Errorf("the read-only host directory now holds %v", got)
	}
	if got := dirNames(t, root); !slices.Equal(got, rootBefore) {
		t.Errorf("the read-only root now holds %v, was %v", got, rootBefore)
	}
	if after := readHost(t, knob); after != knobBefore {
		t.Errorf("host %s changed from %q to %q", knob, knobBefore, after)
	}
}

// With the seccomp filter off, the same container makes its read-only
// mounts writable (the attack the filter stops is real) and writes reach
// the host directories.
func TestRemountWithoutSeccomp(t *testing.T) {
	root, shared, devices := roConfig(t)
	a := inRoot(t, root)
	script := a + " remount-bind-i386=/mnt/ro setattr=/ write=/mnt/ro write=/; echo @@done=1"
	v := run(t, "remount-off", domainXML("remount-off", script, devices, seccompOff))
	for _, k := range []string{"remount-bind-i386:/mnt/ro", "setattr:/", "write:/mnt/ro", "write:/"} {
		if v[k] != "allowed" {
			t.Errorf("%s without the filter: %q, want allowed", k, v[k])
		}
	}
	if _, err := os.Stat(filepath.Join(shared, "virtlxc-remount-probe")); err != nil {
		t.Errorf("the write through the cleared read-only mount did not reach the host: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "virtlxc-remount-probe")); err != nil {
		t.Errorf("the write through the remounted root did not reach the host: %v", err)
	}
}

// busyboxRoot is testutil.BusyboxRoot with its parent opened to the
// container's (possibly mapped) root.
func busyboxRoot(t *testing.T) string {
	t.Helper()
	root := testutil.BusyboxRoot(t)
	if err := os.Chmod(filepath.Dir(root), 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}
