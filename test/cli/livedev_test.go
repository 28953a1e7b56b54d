package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// loopDevice attaches a 1 MiB file starting with content to a free loop
// device for the test and returns the device's path.
func loopDevice(t *testing.T, content string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "disk.img")
	data := make([]byte, 1<<20)
	copy(data, content)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "-f", "--show", file).CombinedOutput()
	if err != nil {
		t.Skipf("no loop device (losetup: %v: %s)", err, out)
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() { _ = exec.Command("losetup", "-d", dev).Run() })
	return dev
}

// initPid is the container's init: its controller's one child.
func (d *daemon) initPid(name string) int {
	d.t.Helper()
	data, err := os.ReadFile(filepath.Join(d.root, "run/libvirt/lxc", name+".pid"))
	if err != nil {
		d.t.Fatal(err)
	}
	ctl := strings.TrimSpace(string(data))
	kids, _ := filepath.Glob("/proc/" + ctl + "/task/*/children")
	for _, k := range kids {
		b, _ := os.ReadFile(k)
		if f := strings.Fields(string(b)); len(f) > 0 {
			pid, _ := strconv.Atoi(f[0])
			return pid
		}
	}
	d.t.Fatalf("controller %s of %s has no child", ctl, name)
	return 0
}

// v1DeviceList is the container's v1 devices.list ("" without a v1
// devices hierarchy).
func v1DeviceList(t *testing.T, pid int) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.SplitN(l, ":", 3); len(f) == 3 && f[1] == "devices" {
			list, err := os.ReadFile(filepath.Join("/sys/fs/cgroup/devices", f[2], "devices.list"))
			if err != nil {
				t.Fatal(err)
			}
			return string(list)
		}
	}
	return ""
}

// TestLiveDiskAndHostdev attaches a block disk and two host devices to a
// running container and detaches them (virsh attach-device/detach-device
// --live, as libvirt's LXC driver does): the node appears in the
// container's /dev with the host device's numbers and mode 0700, the
// container can read the disk, the device cgroup allows it, the live XML
// lists it; after the detach the node, the permission and the element are
// gone. Refusals follow libvirt's messages.
func TestLiveDiskAndHostdev(t *testing.T) {
	d := startDaemon(t)
	loop := loopDevice(t, "virtlxc-disk")
	var st unix.Stat_t
	if err := unix.Stat(loop, &st); err != nil {
		t.Fatal(err)
	}
	rule := fmt.Sprintf("b %d:%d rw", unix.Major(st.Rdev), unix.Minor(st.Rdev))
	d.writeFile("ld.xml", hostRootXML("ld", idleScript))
	if r := d.virtlxc("create", "ld.xml"); r.rc != 0 {
		t.Fatalf("create: %s", r)
	}
	d.waitState("ld", "running")
	pid := d.initPid("ld")
	disk := d.writeFile("disk.xml", "<disk type='block' device='disk'><source dev='"+loop+"'/><target dev='sdb'/></disk>\n")
	if r := d.virsh("attach-device", "ld", disk, "--live"); r.rc != 0 || !strings.Contains(r.stdout, "Device attached successfully") {
		t.Fatalf("attach-device disk: %s", r)
	}
	node := fmt.Sprintf("/proc/%d/root/dev/sdb", pid)
	var ns unix.Stat_t
	if err := unix.Lstat(node, &ns); err != nil {
		t.Fatalf("no /dev/sdb in the container: %v", err)
	}
	if ns.Mode != unix.S_IFBLK|0o700 || ns.Rdev != st.Rdev {
		t.Errorf("/dev/sdb: mode %o rdev %x, want %o %x", ns.Mode, ns.Rdev, unix.S_IFBLK|0o700, st.Rdev)
	}
	if r := d.virtlxc("lxc-enter-namespace", "ld", "--noseclabel", "--", "/bin/sh", "-c", "head -c 12 /dev/sdb"); r.rc != 0 || strings.TrimSpace(r.stdout) != "virtlxc-disk" {
		t.Errorf("reading /dev/sdb inside: %s", r)
	}
	if list := v1DeviceList(t, pid); list != "" && !strings.Contains(list, rule) {
		t.Errorf("devices.list lacks %q:\n%s", rule, list)
	}
	if r := d.virsh("dumpxml", "ld"); !strings.Contains(r.stdout, "<source dev='"+loop+"'/>") || !strings.Contains(r.stdout, "<target dev='sdb'") {
		t.Errorf("live XML lacks the disk:\n%s", r.stdout)
	}
	// Refusals, through both clients.
	for _, c := range []struct{ xml, want string }{
		{"<disk type='block' device='disk'><source dev='" + loop + "'/><target dev='sdb'/></disk>", "target sdb already exists"},
		{"<disk type='file' device='disk'><source file='/etc/hostname'/><target dev='sdc'/></disk>", "Can't setup disk for non-block device"},
		{"<disk type='block' device='disk'><source dev='/dev/null'/><target dev='sdc'/></disk>", "Disk source /dev/null must be a block device"},
		{"<disk type='block' device='disk'><source dev='/nonexistent'/><target dev='sdc'/></disk>", "Unable to access /nonexistent: No such file or directory"},
		{"<hostdev mode='capabilities' type='storage'><source><block>/dev/null</block></source></hostdev>", "Hostdev source /dev/null must be a block device"},
		{"<hostdev mode='capabilities' type='misc'><source><char>" + loop + "</char></source></hostdev>", "Hostdev source " + loop + " must be a character device"},
		{"<filesystem type='mount'><source dir='/tmp'/><target dir='/mnt'/></filesystem>", "device type 'filesystem' cannot be attached"},
	} {
		f := d.writeFile("bad.xml", c.xml+"\n")
		if r := d.both(t, "attach-device", "ld", f, "--live"); r.rc == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("attach %s: want %q, got %s", c.xml, c.want, r)
		}
	}
	gone := d.writeFile("gone.xml", "<disk type='block' device='disk'><source dev='"+loop+"'/><target dev='sdz'/></disk>\n")
	if r := d.both(t, "detach-device", "ld", gone, "--live"); r.rc == 0 || !strings.Contains(r.stderr, "disk sdz not found") {
		t.Errorf("detach of a disk not there: %s", r)
	}
	// Host devices: a character device (misc) and the block device
	// (storage), each at its host path.
	misc := d.writeFile("misc.xml", "<hostdev mode='capabilities' type='misc'><source><char>/dev/loop-control</char></source></hostdev>\n")
	storage := d.writeFile("storage.xml", "<hostdev mode='capabilities' type='storage'><source><block>"+loop+"</block></source></hostdev>\n")
	for _, f := range []string{misc, storage} {
		if r := d.virsh("attach-device", "ld", f, "--live"); r.rc != 0 {
			t.Fatalf("attach-device %s: %s", f, r)
		}
	}
	var lc unix.Stat_t
	if err := unix.Stat("/dev/loop-control", &lc); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]unix.Stat_t{"/dev/loop-control": lc, loop: st} {
		var got unix.Stat_t
		if err := unix.Lstat(fmt.Sprintf("/proc/%d/root%s", pid, path), &got); err != nil || got.Rdev != want.Rdev || got.Mode&unix.S_IFMT != want.Mode&unix.S_IFMT {
			t.Errorf("%s in the container: %v (rdev %x, want %x)", path, err, got.Rdev, want.Rdev)
		}
	}
	if r := d.virsh("attach-device", "ld", misc, "--live"); r.rc == 0 || !strings.Contains(r.stderr, "host device already exists") {
		t.Errorf("second attach of the same host device: %s", r)
	}
	// Detach everything: nodes, rules and elements go.
	for _, f := range []string{misc, storage, disk} {
		if r := d.virsh("detach-device", "ld", f, "--live"); r.rc != 0 || !strings.Contains(r.stdout, "Device detached successfully") {
			t.Fatalf("detach-device %s: %s", f, r)
		}
	}
	for _, p := range []string{"/dev/sdb", "/dev/loop-control", loop} {
		if _, err := os.Lstat(fmt.Sprintf("/proc/%d/root%s", pid, p)); !os.IsNotExist(err) {
			t.Errorf("%s still in the container after the detach (%v)", p, err)
		}
	}
	if list := v1DeviceList(t, pid); strings.Contains(list, rule) {
		t.Errorf("devices.list still has %q:\n%s", rule, list)
	}
	if r := d.virsh("dumpxml", "ld"); strings.Contains(r.stdout, "<disk") || strings.Contains(r.stdout, "<hostdev") {
		t.Errorf("live XML still lists a device:\n%s", r.stdout)
	}
}

// TestDisksAtStart: a container started with a block disk and a file disk
// (attached to a loop device, read-only) finds /dev/sdb and /dev/vdb as
// libvirt's controller makes them (mode 0700, the source's numbers),
// readable inside, and its device cgroup allows them ("rm" for the
// read-only one).
func TestDisksAtStart(t *testing.T) {
	d := startDaemon(t)
	loop := loopDevice(t, "block-disk")
	img := filepath.Join(t.TempDir(), "file.img")
	data := make([]byte, 1<<20)
	copy(data, "file-disk")
	if err := os.WriteFile(img, data, 0o600); err != nil {
		t.Fatal(err)
	}
	xml := strings.Replace(hostRootXML("ds", idleScript), "<console type='pty'/>",
		"<disk type='block' device='disk'><source dev='"+loop+"'/><target dev='sdb'/></disk>\n"+
			"    <disk type='file' device='disk'><source file='"+img+"'/><target dev='vdb'/><readonly/></disk>\n"+
			"    <console type='pty'/>", 1)
	d.writeFile("ds.xml", xml)
	if r := d.virtlxc("create", "ds.xml"); r.rc != 0 {
		t.Fatalf("create: %s", r)
	}
	d.waitState("ds", "running")
	pid := d.initPid("ds")
	for dev, want := range map[string]string{"/dev/sdb": "block-disk", "/dev/vdb": "file-disk"} {
		var st unix.Stat_t
		if err := unix.Lstat(fmt.Sprintf("/proc/%d/root%s", pid, dev), &st); err != nil || st.Mode != unix.S_IFBLK|0o700 {
			t.Errorf("%s in the container: %v, mode %o", dev, err, st.Mode)
		}
		r := d.virtlxc("lxc-enter-namespace", "ds", "--noseclabel", "--", "/bin/sh", "-c", fmt.Sprintf("head -c %d %s", len(want), dev))
		if r.rc != 0 || strings.TrimSpace(r.stdout) != want {
			t.Errorf("reading %s inside: %s", dev, r)
		}
	}
	var st unix.Stat_t
	if err := unix.Stat(loop, &st); err != nil {
		t.Fatal(err)
	}
	if list := v1DeviceList(t, pid); list != "" && (!strings.Contains(list, fmt.Sprintf("b %d:%d rwm", unix.Major(st.Rdev), unix.Minor(st.Rdev))) ||
		!strings.Contains(list, "b 7:") || !strings.Contains(list, " rm\n")) {
		t.Errorf("devices.list lacks the disks:\n%s", list)
	}
	// The file disk's loop device goes with the container.
	if r := d.virtlxc("destroy", "ds"); r.rc != 0 {
		t.Fatalf("destroy: %s", r)
	}
	out, _ := exec.Command("losetup", "-j", img).CombinedOutput()
	for deadline := 50; len(strings.TrimSpace(string(out))) > 0 && deadline > 0; deadline-- {
		time.Sleep(100 * time.Millisecond)
		out, _ = exec.Command("losetup", "-j", img).CombinedOutput()
	}
	if s := strings.TrimSpace(string(out)); s != "" {
		t.Errorf("loop device of the file disk left: %s", s)
	}
}
