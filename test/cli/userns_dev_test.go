package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"virtlxc/internal/testutil"
)

// TestDevicesAtStartUserNamespace: a container with <idmap> gets its disk
// and host device nodes owned by its own root (made by the controller on a
// tmpfs of its own, as libvirt's are), so its root can use them; a bind of
// the host's node showed them as nobody's, unreadable. The staging tmpfs
// is gone once the container runs. A disk attached live and detached
// works the same way (it was refused before).
func TestDevicesAtStartUserNamespace(t *testing.T) {
	d := startDaemon(t)
	loop := loopDevice(t, "userns-disk")
	root := testutil.BusyboxRoot(t)
	if err := os.Chmod(filepath.Dir(root), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("chown", "-R", "100000:100000", root).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v %s", err, out)
	}
	xml := fmt.Sprintf(`<domain type='lxc'><name>ud</name><memory unit='KiB'>131072</memory>
  <os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg><initarg>trap 'exit 0' TERM; while :; do sleep 1; done</initarg></os>
  <idmap><uid start='0' target='100000' count='65536'/><gid start='0' target='100000' count='65536'/></idmap>
  <features><privnet/></features>
  <devices><filesystem type='mount'><source dir='%s'/><target dir='/'/></filesystem>
  <disk type='block' device='disk'><source dev='%s'/><target dev='sdb'/></disk>
  <hostdev mode='capabilities' type='misc'><source><char>/dev/loop-control</char></source></hostdev>
  <console type='pty'/></devices></domain>`, root, loop)
	d.writeFile("ud.xml", xml)
	if r := d.virtlxc("create", "ud.xml"); r.rc != 0 {
		t.Fatalf("create: %s", r)
	}
	r := d.virtlxc("lxc-enter-namespace", "ud", "--", "/bin/sh", "-c", "ls -ln /dev/sdb /dev/loop-control; head -c 11 /dev/sdb")
	owned := map[string]string{}
	for _, l := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(l); len(f) >= 10 {
			owned[f[len(f)-1]] = f[0] + " " + f[2] + ":" + f[3]
		}
	}
	if r.rc != 0 || owned["/dev/sdb"] != "brwx------ 0:0" || owned["/dev/loop-control"] != "crwx------ 0:0" ||
		!strings.HasSuffix(strings.TrimSpace(r.stdout), "userns-disk") {
		t.Errorf("devices in the container (%v):\n%s", owned, r)
	}
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	if dir := filepath.Join(d.root, "run/libvirt/lxc/ud.dev"); strings.Contains(string(mounts), dir) {
		t.Errorf("the staging tmpfs %s is still mounted", dir)
	}
	// Attached live: the same, bound from inside its mount namespace.
	hot := loopDevice(t, "hotplugged")
	disk := d.writeFile("hot.xml", "<disk type='block' device='disk'><source dev='"+hot+"'/><target dev='sdc'/></disk>\n")
	if r := d.virsh("attach-device", "ud", disk, "--live"); r.rc != 0 || !strings.Contains(r.stdout, "Device attached successfully") {
		t.Fatalf("attach-device: %s", r)
	}
	r = d.virtlxc("lxc-enter-namespace", "ud", "--", "/bin/sh", "-c", "ls -ln /dev/sdc; head -c 10 /dev/sdc")
	if f := strings.Fields(r.stdout); r.rc != 0 || len(f) < 10 || f[0] != "brwx------" || f[2] != "0" || f[3] != "0" ||
		!strings.HasSuffix(strings.TrimSpace(r.stdout), "hotplugged") {
		t.Errorf("hotplugged /dev/sdc in the container:\n%s", r)
	}
	if r := d.virsh("detach-device", "ud", disk, "--live"); r.rc != 0 || !strings.Contains(r.stdout, "Device detached successfully") {
		t.Fatalf("detach-device: %s", r)
	}
	if r := d.virtlxc("lxc-enter-namespace", "ud", "--", "/bin/sh", "-c", "ls /dev/sdc"); r.rc == 0 {
		t.Errorf("/dev/sdc still in the container after the detach:\n%s", r)
	}
	if mounts, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(mounts), "ud.dev") {
		t.Errorf("a staging tmpfs is mounted on the host")
	}
	if _, err := os.Stat(filepath.Join(d.root, "run/libvirt/lxc/ud.dev.hotplug")); !os.IsNotExist(err) {
		t.Errorf("the hotplug scratch directory is left (%v)", err)
	}
	if r := d.virtlxc("destroy", "ud"); r.rc != 0 {
		t.Fatalf("destroy: %s", r)
	}
}
