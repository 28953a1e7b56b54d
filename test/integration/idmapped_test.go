package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// requireIdmappedMounts skips when this kernel cannot idmap a mount of
// dir (mount_setattr MOUNT_ATTR_IDMAP, Linux 5.12+, per filesystem).
func requireIdmappedMounts(t *testing.T, dir string) {
	t.Helper()
	holder := exec.Command("sleep", "infinity")
	holder.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, Pdeathsig: syscall.SIGKILL,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 300000, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 300000, Size: 1}}}
	if err := holder.Start(); err != nil {
		t.Skipf("kernel feature missing: user namespaces (%v)", err)
	}
	defer func() { _ = holder.Process.Kill(); _ = holder.Wait() }()
	userns, err := os.Open("/proc/" + strconv.Itoa(holder.Process.Pid) + "/ns/user")
	if err != nil {
		t.Fatal(err)
	}
	defer userns.Close()
	fd, err := unix.OpenTree(unix.AT_FDCWD, dir, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		t.Skipf("kernel feature missing: open_tree (%v)", err)
	}
	defer unix.Close(fd)
	attr := &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP, Userns_fd: uint64(userns.Fd())}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, attr); err != nil {
		t.Skipf("kernel feature missing: idmapped mounts on %s (%v)", dir, err)
	}
}

// TestIDMapUnshiftedRoot runs a user-namespaced container on a root
// filesystem still owned by the host's root (libvirt needs it chowned to
// the mapped range): the controller mounts it idmapped, so the container
// sees its files owned by root, its root can write them (stored as host
// root on disk), and nothing else changes — another shared directory is
// a plain bind, where the container's root is still nobody. The same tree
// reachable by every host user is not idmapped: a plain bind, its files
// owned by nobody inside, as with libvirt.
func TestIDMapUnshiftedRoot(t *testing.T) {
	// The tree sits in a root-only directory: through the idmapping the
	// container's root writes as host root, so virtlxc idmaps only trees
	// other host users cannot reach.
	shield := t.TempDir()
	if err := os.Chmod(shield, 0o700); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(shield, "rootfs")
	if err := os.Rename(testutilRoot(t), root); err != nil {
		t.Fatal(err)
	}
	requireIdmappedMounts(t, root)
	shared := t.TempDir()
	if err := os.Chmod(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(shared, "secret"), []byte("host secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	script := `echo @@id=$(id -u); echo @@owner=$(stat -c %u:%g /bin/busybox);
if touch /made-inside 2>/dev/null; then echo @@write=ok; else echo @@write=denied; fi;
if cat /mnt/secret >/dev/null 2>&1; then echo @@secret=read; else echo @@secret=denied; fi;
echo @@sharedowner=$(stat -c %u /mnt/secret); echo @@done=1`
	fs := "    <filesystem type='mount'><source dir='" + root + "'/><target dir='/'/></filesystem>\n" +
		"    <filesystem type='mount'><source dir='" + shared + "'/><target dir='/mnt'/></filesystem>\n"
	idmap := "<idmap><uid start='0' target='200000' count='65536'/><gid start='0' target='200000' count='65536'/></idmap>"
	c := start(t, "idmapped", domainXML("idmapped", "/bin/sh", []string{"-c", script}, fs, idmap))
	err, log := c.wait(30 * time.Second)
	if err != nil {
		t.Fatalf("controller failed: %v\n%s", err, log)
	}
	v := values(log)
	if v["done"] != "1" {
		t.Fatalf("probe did not finish:\n%s", log)
	}
	if v["id"] != "0" || v["owner"] != "0:0" || v["write"] != "ok" {
		t.Errorf("in the idmapped root: id %q, /bin/busybox owner %q, write %q\n%s", v["id"], v["owner"], v["write"], log)
	}
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(root, "made-inside"), &st); err != nil || st.Uid != 0 || st.Gid != 0 {
		t.Errorf("file the container's root created: %+v %v, want host 0:0 on disk", st, err)
	}
	if v["secret"] != "denied" || v["sharedowner"] != "65534" {
		t.Errorf("plain shared directory: secret %q, owner seen %q (want denied, nobody)", v["secret"], v["sharedowner"])
	}

	open := testutilRoot(t) // 0755 all the way up once the harness ran
	c = start(t, "idmapopen", domainXML("idmapopen", "/bin/sh", []string{"-c", "echo @@owner=$(stat -c %u /bin/busybox)"},
		"    <filesystem type='mount'><source dir='"+open+"'/><target dir='/'/></filesystem>\n", idmap))
	err, log = c.wait(30 * time.Second)
	if err != nil || values(log)["owner"] != "65534" || !strings.Contains(log, "root filesystem not idmapped: host users other than root can reach it") {
		t.Errorf("an unshifted tree other host users reach must stay a plain bind (files owned by nobody): %v\n%s", err, log)
	}
}
