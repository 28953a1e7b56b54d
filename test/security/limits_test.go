package security

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/testutil"
)

// idmapRoot is a busybox root owned by host uid/gid 200000, the mapped
// root of idmapXML.
func idmapRoot(t *testing.T) string {
	t.Helper()
	root := busyboxRoot(t)
	testutil.ChownTree(t, root, 200000, 200000)
	return root
}

const idmapXML = "<idmap><uid start='0' target='200000' count='65536'/><gid start='0' target='200000' count='65536'/></idmap>"

// thawAll thaws every v1 freezer group below dir.
func thawAll(dir string) {
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.WriteFile(filepath.Join(p, "freezer.state"), []byte("THAWED"), 0)
		}
		return nil
	})
}

// The container's root cannot lift the limits of its cgroup: with or
// without <idmap>, writes through the mounted hierarchies or a fresh
// cgroup mount leave the group's pids.max and device list (and, with
// <idmap>, its memory limit) on the host unchanged, allowing itself every
// device does not open /dev/kmsg, and freezing its cgroup does not hold
// destroy back (the controller is not frozen with it). Without a user
// namespace the container runs in a child of its group in the devices,
// freezer and pids hierarchies, where its cgroup namespace is rooted
// (cgroups.Group.SplitPayload); with one it owns none of the group's
// files.
func TestContainerCannotLiftLimits(t *testing.T) {
	testutil.RequireRoot(t)
	if _, err := os.Stat("/sys/fs/cgroup/pids/cgroup.procs"); err != nil {
		t.Skip("kernel feature missing: no cgroup v1 pids hierarchy (this test reads its files)")
	}
	for _, tc := range []struct {
		name  string
		idmap bool
	}{{"limits-root", false}, {"limits-idmap", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var root, extra string
			if tc.idmap {
				root, extra = idmapRoot(t), idmapXML
			} else {
				root = busyboxRoot(t)
			}
			meta := "<metadata><virtlxc:security xmlns:virtlxc='https://virtlxc.dev/xmlns/1.0'><virtlxc:pids max='48'/></virtlxc:security></metadata>"
			script := tryWrite("pids", "4096", "/sys/fs/cgroup/pids/pids.max") +
				tryWrite("mem", "1073741824", "/sys/fs/cgroup/memory/memory.limit_in_bytes") +
				tryWrite("allowall", "a", "/sys/fs/cgroup/devices/devices.allow") +
				`mkdir /tmp/cg; if mount -t cgroup -o pids none /tmp/cg; then ` + tryWrite("freshpids", "4096", "/tmp/cg/pids.max") + ` umount /tmp/cg; fi; ` +
				`if mount -t cgroup -o devices none /tmp/cg; then ` + tryWrite("freshdev", "a", "/tmp/cg/devices.allow") + ` umount /tmp/cg; fi; ` +
				`mkdir /tmp/dev && if mount -t devtmpfs none /tmp/dev 2>/dev/null; then ` +
				`if head -c 1 /tmp/dev/kmsg >/dev/null 2>&1; then echo @@kmsg=read; else echo @@kmsg=denied; fi; umount /tmp/dev; fi; ` +
				`echo @@id=$(id -u); echo @@done=1; echo FROZEN > /sys/fs/cgroup/freezer/freezer.state; sleep 60`
			c := start(t, tc.name, domainXML(tc.name, script, rootFS(root, false), extra+meta))
			c.waitLog("@@done=1")
			v := values(c.LogText())
			t.Logf("writes: pids %s, memory %s, devices %s, fresh mount %s/%s; kmsg %s", v["pids"], v["mem"], v["allowall"], v["freshpids"], v["freshdev"], v["kmsg"])
			if v["id"] != "0" {
				t.Fatalf("id %q: the script did not run as the container's root", v["id"])
			}
			if v["kmsg"] == "read" {
				t.Error("the container read /dev/kmsg after allowing itself every device")
			}
			dirs, _ := filepath.Glob("/sys/fs/cgroup/pids/machine/" + scope + ".partition/lxc-*-" + tc.name + ".libvirt-lxc")
			if len(dirs) != 1 {
				t.Fatalf("the container's pids cgroup: %v", dirs)
			}
			rel := strings.TrimPrefix(dirs[0], "/sys/fs/cgroup/pids")
			// The pids limit sits on the payload (moved there by the init
			// stage, or with <idmap> by the controller), the group has none.
			unchanged := map[string]string{"pids/payload/pids.max": "48", "pids/pids.max": "max",
				"devices/devices.list": "c 1:3 rwm"}
			if tc.idmap { // without, the memory limit can be raised (README)
				unchanged["memory/memory.limit_in_bytes"] = "100663296"
			}
			for file, want := range unchanged {
				ctrl, name, _ := strings.Cut(file, "/")
				got := readHost(t, filepath.Join("/sys/fs/cgroup", ctrl, rel, name))
				if first, _, _ := strings.Cut(got, "\n"); first != want {
					t.Errorf("host %s of the container's group: %q, want %q", file, got, want)
				}
			}
			// A frozen controller could not even be killed: detect it,
			// thaw, and only then destroy.
			time.Sleep(200 * time.Millisecond) // the freeze at the script's end
			if st := readHost(t, filepath.Join("/sys/fs/cgroup/freezer", rel, "freezer.state")); st != "THAWED" {
				t.Errorf("the container froze its group, the controller's: %s", st)
				thawAll(filepath.Join("/sys/fs/cgroup/freezer", rel))
			}
			t0 := time.Now()
			c.destroy()
			if el := time.Since(t0); el > 5*time.Second {
				t.Errorf("destroy took %v", el)
			}
		})
	}
}
