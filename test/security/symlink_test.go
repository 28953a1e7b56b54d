package security

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/testutil"
)

// A private root whose /dev, /proc and /sys are absolute symlinks to host
// directories must not make the init stage create files in, or mount
// over, those host directories: whether the container starts or not, the
// host directories keep exactly their content and gain no mount.
func TestRootfsSymlinkEscape(t *testing.T) {
	root := testutil.BusyboxRoot(t)
	targets := map[string]string{}
	for _, d := range []string{"dev", "proc", "sys"} {
		host := hostDir(t)
		if err := os.WriteFile(filepath.Join(host, "marker"), []byte("host\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.RemoveAll(filepath.Join(root, d)); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(host, filepath.Join(root, d)); err != nil {
			t.Fatal(err)
		}
		targets[d] = host
	}
	c := start(t, "symroot", domainXML("symroot", `echo @@done=1`, rootFS(root, false), ""))
	log, err := c.wait(30 * time.Second)
	t.Logf("controller: %v (the start may be refused)", err)
	if err == nil && values(log)["done"] != "1" {
		t.Logf("log:\n%s", log)
	}
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	for d, host := range targets {
		names := dirNames(t, host)
		if !slices.Equal(names, []string{"marker"}) {
			t.Errorf("/%s -> %s: the host directory now holds %v", d, host, names)
		}
		if b, _ := os.ReadFile(filepath.Join(host, "marker")); string(b) != "host\n" {
			t.Errorf("%s/marker changed: %q", host, b)
		}
		if strings.Contains(string(mi), " "+host+" ") {
			t.Errorf("%s is mounted over on the host", host)
		}
	}
}
