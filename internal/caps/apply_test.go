package caps

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The root tests re-execute the test binary (runc's pattern): the child runs
// TestHelperProcess, which acts on helperEnv and prints "<stage> <key>:
// <value>" lines that the parent parses. Capabilities are per thread, so
// changing them in the test process itself would poison later tests.
const (
	helperEnv    = "VIRTLXC_CAPS_HELPER"
	helperDirEnv = "VIRTLXC_CAPS_DIR"
)

var capKeys = []string{"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}

// runHelper runs the test binary in the given helper mode and returns its
// parsed "<stage> <key>: <value>" lines, keyed "<stage> <key>".
func runHelper(t *testing.T, mode, dir string) map[string]string {
	t.Helper()
	// A bound, so a helper that loops (say, re-execs forever) cannot hang
	// the test run; the kill reaches it across exec, as the pid is kept.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = withEnv(withEnv(os.Environ(), helperEnv, mode), helperDirEnv, dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper %s: %v\n%s", mode, err, out)
	}
	got := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			got[k] = v
		}
	}
	t.Logf("helper %s output:\n%s", mode, out)
	return got
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}

// hex parses one helper value, failing the test if it is missing.
func hex(t *testing.T, got map[string]string, key string) uint64 {
	t.Helper()
	v, ok := got[key]
	if !ok {
		t.Fatalf("helper printed no %q", key)
	}
	n, err := strconv.ParseUint(v, 16, 64)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return n
}

// baseline returns this process's own capabilities, which the helper
// inherits, and whether mknod works here at all (devices cgroup, LSM).
func baseline(t *testing.T) (map[string]uint64, bool) {
	t.Helper()
	st, err := readCaps("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	ok := tryMknod(filepath.Join(t.TempDir(), "null")) == "ok"
	if !ok {
		t.Log("mknod fails even with full capabilities here; not checking EPERM")
	}
	return st, ok
}

func TestApplyDefault(t *testing.T) {
	requireRoot(t)
	base, mknodWorks := baseline(t)
	last, err := LastCap()
	if err != nil {
		t.Fatal(err)
	}
	keep, err := Plan("default", nil, true, last)
	if err != nil {
		t.Fatal(err)
	}
	got := runHelper(t, "default", t.TempDir())

	wantBnd := keep.Bits() & base["CapBnd"]
	wantCaps := keep.Bits() & base["CapPrm"]
	for _, stage := range []string{"thread", "exec"} {
		bnd := hex(t, got, stage+" CapBnd")
		if bnd != wantBnd {
			t.Errorf("%s CapBnd = %016x, want %016x", stage, bnd, wantBnd)
		}
		for _, c := range []int{capMknod, capSysModule, capSysTime, capAuditControl, capMacAdmin} {
			if bnd&(1<<c) != 0 {
				t.Errorf("%s: CAP_%s still in bounding set", stage, strings.ToUpper(Name(c)))
			}
		}
		if bnd&(1<<21) == 0 {
			t.Errorf("%s: CAP_SYS_ADMIN not in bounding set", stage)
		}
		if amb := hex(t, got, stage+" CapAmb"); amb != 0 {
			t.Errorf("%s CapAmb = %016x, want 0", stage, amb)
		}
		if mknodWorks && got[stage+" mknod"] != "EPERM" {
			t.Errorf("%s mknod: %s, want EPERM", stage, got[stage+" mknod"])
		}
	}
	for _, k := range []string{"CapEff", "CapPrm", "CapInh"} {
		if v := hex(t, got, "thread "+k); v != wantCaps {
			t.Errorf("thread %s = %016x, want %016x", k, v, wantCaps)
		}
	}
	// Root execs with P' = I | (bounding), E' = P'.
	for _, k := range []string{"CapEff", "CapPrm"} {
		if v := hex(t, got, "exec "+k); v != wantCaps|wantBnd {
			t.Errorf("exec %s = %016x, want %016x", k, v, wantCaps|wantBnd)
		}
	}
}

func TestApplyDenyMknod(t *testing.T) {
	requireRoot(t)
	base, mknodWorks := baseline(t)
	if base["CapBnd"]&(1<<capMknod) == 0 {
		t.Skip("CAP_MKNOD not in this process's bounding set")
	}
	got := runHelper(t, "deny-mknod", t.TempDir())
	for _, stage := range []string{"thread", "exec"} {
		for _, k := range []string{"CapBnd", "CapEff", "CapPrm", "CapInh"} {
			if v := hex(t, got, stage+" "+k); v != 1<<capMknod {
				t.Errorf("%s %s = %016x, want only CAP_MKNOD", stage, k, v)
			}
		}
		if mknodWorks && got[stage+" mknod"] != "ok" {
			t.Errorf("%s mknod with CAP_MKNOD kept: %s, want ok", stage, got[stage+" mknod"])
		}
	}
}

func TestDropAll(t *testing.T) {
	requireRoot(t)
	got := runHelper(t, "dropall", t.TempDir())
	if reason, ok := got["dropall"]; ok {
		t.Skipf("DropAll in this test binary: %s", reason)
	}
	n, err := strconv.Atoi(got["tasks"])
	if err != nil || n < 2 {
		t.Fatalf("helper reported %q threads, want at least 2", got["tasks"])
	}
	checked := 0
	for k, v := range got {
		if strings.HasPrefix(k, "task") && strings.Contains(k, " Cap") {
			checked++
			if v != "0000000000000000" {
				t.Errorf("%s = %s after DropAll, want 0", k, v)
			}
		}
	}
	if checked != n*len(capKeys) {
		t.Errorf("checked %d values, want %d", checked, n*len(capKeys))
	}
}
