package security

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// Container root cannot create a block device node: CAP_MKNOD is dropped
// (and the devices cgroup would refuse it anyway). The node does not
// appear on the host.
func TestMknodDisk(t *testing.T) {
	dir := hostDir(t)
	node := filepath.Join(dir, "sda")
	script := `if mknod ` + node + ` b 8 0 2>/dev/null; then echo @@mknod=ok; else echo @@mknod=denied; fi;
if mknod /dev/sda b 8 0 2>/dev/null; then echo @@devmknod=ok; else echo @@devmknod=denied; fi; echo @@done=1`
	v := run(t, "mknod", domainXML("mknod", script, "", ""))
	if v["mknod"] != "denied" || v["devmknod"] != "denied" {
		t.Errorf("mknod of a disk in the container: %q (host dir), %q (/dev)", v["mknod"], v["devmknod"])
	}
	if _, err := os.Lstat(node); err == nil {
		t.Errorf("%s exists on the host", node)
	}
}

// Device nodes that already exist on a path the container can reach (a
// host-root container sees the host's files) are still refused by the
// devices cgroup: reading the host's root disk and writing /dev/kmsg.
func TestHostDeviceNodesNotAllowed(t *testing.T) {
	dir := hostDir(t)
	var st unix.Stat_t
	if err := unix.Stat("/", &st); err != nil {
		t.Fatal(err)
	}
	disk := filepath.Join(dir, "disk")
	kmsg := filepath.Join(dir, "kmsg")
	if err := unix.Mknod(disk, syscall.S_IFBLK|0o600, int(st.Dev)); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(kmsg, syscall.S_IFCHR|0o600, int(unix.Mkdev(1, 11))); err != nil {
		t.Fatal(err)
	}
	script := `if head -c 512 ` + disk + ` >/dev/null 2>/tmp/err; then echo @@read=ok; else echo @@read=denied; fi;
if echo virtlxc-escape-test > ` + kmsg + ` 2>/dev/null; then echo @@write=ok; else echo @@write=denied; fi; echo @@done=1`
	v := run(t, "devnode", domainXML("devnode", script, "", ""))
	if v["read"] != "denied" {
		t.Errorf("reading the host's root disk %d:%d from the container: %s", unix.Major(st.Dev), unix.Minor(st.Dev), v["read"])
	}
	if v["write"] != "denied" {
		t.Errorf("writing /dev/kmsg (1:11) from the container: %s", v["write"])
	}
}
