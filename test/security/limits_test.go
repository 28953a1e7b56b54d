package security

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"virtlxc/internal/testutil"
)

// idmapRoot is a busybox root owned by host uid/gid 200000, the mapped
// root of idmapXML.
func idmapRoot(t *testing.T) string {
	t.Helper()
	root := busyboxRoot(t)
	if err := filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, 200000, 200000)
	}); err != nil {
		t.Fatal(err)
	}
	return root
}

const idmapXML = "<idmap><uid start='0' target='200000' count='65536'/><gid start='0' target='200000' count='65536'/></idmap>"

// With <idmap>, the container's root cannot lift its own limits: writes
// to pids.max and memory.limit_in_bytes of its cgroup, through the
// mounted hierarchies or a fresh cgroup mount, fail, and the host's
// pids.max stays at the configured value. (Without a user namespace
// container root owns its cgroup's files and can; see the README.)
func TestIdmapCannotLiftLimits(t *testing.T) {
	testutil.RequireRoot(t)
	if _, err := os.Stat("/sys/fs/cgroup/pids/cgroup.procs"); err != nil {
		t.Skip("kernel feature missing: no cgroup v1 pids hierarchy (this test reads its files)")
	}
	root := idmapRoot(t)
	meta := "<metadata><virtlxc:security xmlns:virtlxc='https://virtlxc.dev/xmlns/1.0'><virtlxc:pids max='48'/></virtlxc:security></metadata>"
	script := tryWrite("pids", "4096", "/sys/fs/cgroup/pids/pids.max") +
		tryWrite("mem", "1073741824", "/sys/fs/cgroup/memory/memory.limit_in_bytes") +
		tryWrite("freeze", "FROZEN", "/sys/fs/cgroup/freezer/freezer.state") +
		`if mount -t cgroup -o pids none /mnt 2>/dev/null; then ` + tryWrite("freshpids", "4096", "/mnt/pids.max") + ` umount /mnt; else echo @@freshpids=nomount; fi; ` +
		`echo @@id=$(id -u); echo @@done=1; sleep 60`
	c := start(t, "limits", domainXML("limits", script, rootFS(root, false), idmapXML+meta))
	c.waitLog("@@done=1")
	v := values(c.logText())
	if v["id"] != "0" {
		t.Fatalf("id %q: the script did not run as the container's root", v["id"])
	}
	for _, k := range []string{"pids", "mem", "freeze"} {
		if v[k] != "denied" {
			t.Errorf("write to the container's own %s control file: %s", k, v[k])
		}
	}
	if v["freshpids"] != "denied" && v["freshpids"] != "nomount" {
		t.Errorf("pids.max through a fresh cgroup mount: %s", v["freshpids"])
	}
	t.Logf("pids %s, memory %s, freezer %s, fresh mount %s", v["pids"], v["mem"], v["freeze"], v["freshpids"])
	dirs, _ := filepath.Glob("/sys/fs/cgroup/pids/machine/" + scope + ".partition/lxc-*-limits.libvirt-lxc")
	if len(dirs) != 1 {
		t.Fatalf("the container's pids cgroup: %v", dirs)
	}
	if got := readHost(t, filepath.Join(dirs[0], "pids.max")); got != "48" {
		t.Errorf("host pids.max = %s, want 48", got)
	}
	// A frozen cgroup (the controller's too) would hold destroy back.
	t0 := time.Now()
	c.destroy()
	if el := time.Since(t0); el > 5*time.Second {
		t.Errorf("destroy took %v", el)
	}
}
