package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/testutil"
)

func TestMain(m *testing.M) {
	code := m.Run()
	// The scope partition this process created in every hierarchy.
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*/machine/" + scope + ".partition")
	for _, d := range dirs {
		_ = os.Remove(d)
	}
	testutil.RemoveBinaries()
	os.Exit(code)
}

// probe is a shell script printing what the container sees as @@KEY=value.
const probe = `echo @@hostname=$(hostname); echo @@pid=$$;
env | sort | sed 's/^/@@env=/';
ls -ln /dev | sed 's/^/@@dev=/';
grep CapBnd /proc/self/status | sed 's/^/@@/;s/:\t/=/';
if mknod /tmp/blk b 8 0 2>/dev/null || mknod /dev/blk b 8 0 2>/dev/null; then echo @@mknod=ok; else echo @@mknod=denied; fi;
if echo 1 > /proc/sys/kernel/panic 2>/dev/null; then echo @@procsys=writable; else echo @@procsys=denied; fi;
if echo x > /sys/kernel/uevent_helper 2>/dev/null; then echo @@sys=writable; else echo @@sys=denied; fi;
echo @@cgmem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max);
echo @@cgself=$(grep memory /proc/self/cgroup);
echo @@pwd=$(pwd); echo @@id=$(id -u):$(id -g);
echo @@fds=$(ls /proc/self/fd | tr '\n' ' ');
echo @@memtotal=$(cat /proc/meminfo | grep MemTotal | tr -s ' ');
echo @@runmounts=$(cut -d' ' -f5 /proc/self/mountinfo | grep -c '^/run/');
echo @@done=1`

func TestHostRootContainer(t *testing.T) {
	xml := domainXML("hostroot", "/bin/sh", []string{"-c", probe}, "", "")
	v := values(run(t, "hostroot", xml))
	if v["done"] != "1" {
		t.Fatalf("probe did not finish: %v", v)
	}
	if v["hostname"] != "hostroot" || v["pid"] != "1" {
		t.Errorf("hostname/pid = %q/%q, want hostroot/1", v["hostname"], v["pid"])
	}
	checkEnv(t, v["env"], "hostroot", 1, 0)
	checkDev(t, v["dev"], 1)
	checkCaps(t, v["CapBnd"])
	for k, want := range map[string]string{"mknod": "denied", "procsys": "denied", "sys": "denied", "cgmem": "100663296", "pwd": "/", "id": "0:0", "memtotal": "MemTotal: 98304 kB",
		"runmounts": "0"} { // runmounts: the host's /run/... mounts are detached
		if v[k] != want {
			t.Errorf("%s = %q, want %q", k, v[k], want)
		}
	}
	if !strings.HasSuffix(v["cgself"], ":/") {
		t.Errorf("container sees its cgroup as %q, want its own root /", v["cgself"])
	}
	if v["fds"] != "0 1 2 3" { // 3 is ls's own directory handle
		t.Errorf("open descriptors %q, want only stdio (+ls's own)", v["fds"])
	}
}

// TestHostRootSeesHostMounts: a host-root container sees the host's
// mounts outside /proc, /sys, /dev and /run, with what is mounted below
// them, and none of the host's /run mounts.
func TestHostRootSeesHostMounts(t *testing.T) {
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Unmount(dir, unix.MNT_DETACH) })
	inner := filepath.Join(dir, "inner")
	if err := os.Mkdir(inner, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", inner, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Unmount(inner, unix.MNT_DETACH) })
	for p, text := range map[string]string{dir + "/outer-mark": "outer", inner + "/inner-mark": "inner"} {
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := "echo @@outer=$(cat " + dir + "/outer-mark); echo @@inner=$(cat " + inner + "/inner-mark);" +
		" echo @@runmounts=$(cut -d' ' -f5 /proc/self/mountinfo | grep -c '^/run/'); echo @@done=1"
	v := values(run(t, "hostmounts", domainXML("hostmounts", "/bin/sh", []string{"-c", script}, "", "")))
	for k, want := range map[string]string{"outer": "outer", "inner": "inner", "runmounts": "0", "done": "1"} {
		if v[k] != want {
			t.Errorf("%s = %q, want %q", k, v[k], want)
		}
	}
}

// checkEnv asserts init's environment is exactly libvirt's list.
func checkEnv(t *testing.T, env, name string, consoles, passfds int) {
	t.Helper()
	got := map[string]string{}
	for _, l := range strings.Split(env, "\n") {
		k, val, _ := strings.Cut(l, "=")
		got[k] = val
	}
	want := map[string]string{
		"PATH": "/bin:/usr/bin", "TERM": "linux", "container": "lxc-libvirt", "HOME": "/",
		"LIBVIRT_LXC_NAME": name, "PWD": "/", "SHLVL": "", "_": "",
	}
	if passfds > 0 {
		want["LISTEN_FDS"] = "1"
		want["LISTEN_PID"] = "1"
	}
	if consoles > 1 {
		want["container_ttys"] = "pts/1"
	}
	for k, val := range want {
		g, ok := got[k]
		if k == "SHLVL" || k == "_" || k == "PWD" {
			delete(got, k)
			continue
		}
		if !ok || g != val {
			t.Errorf("env %s = %q, want %q", k, g, val)
		}
		delete(got, k)
	}
	if got["container_uuid"] == "" || got["container_uuid"] != got["LIBVIRT_LXC_UUID"] {
		t.Errorf("container_uuid %q / LIBVIRT_LXC_UUID %q", got["container_uuid"], got["LIBVIRT_LXC_UUID"])
	}
	delete(got, "container_uuid")
	delete(got, "LIBVIRT_LXC_UUID")
	for k := range got {
		if !strings.HasPrefix(k, "INIT_") {
			t.Errorf("unexpected variable %s in init's environment", k)
		}
	}
}

// checkDev asserts /dev holds exactly the allowed nodes and links.
func checkDev(t *testing.T, dev string, consoles int) {
	t.Helper()
	want := map[string]string{
		"null": "1, 3", "zero": "1, 5", "full": "1, 7", "random": "1, 8", "urandom": "1, 9",
		"tty": "5, 0", "ptmx": "5, 2", "console": "136, 0", "tty1": "136, 0",
	}
	if consoles > 1 {
		want["tty2"] = "136, 1"
	}
	links := map[string]bool{"stdin": true, "stdout": true, "stderr": true, "fd": true, "pts": true}
	seen := map[string]bool{}
	for _, l := range strings.Split(dev, "\n") {
		f := strings.Fields(l)
		l = strings.Join(f, " ")
		if len(f) < 9 || f[0] == "total" {
			continue
		}
		name := f[len(f)-1]
		if strings.HasPrefix(f[0], "l") {
			name = f[len(f)-3]
		}
		seen[name] = true
		if links[name] {
			continue
		}
		num, ok := want[name]
		if !ok {
			t.Errorf("unexpected /dev entry: %s", l)
			continue
		}
		if !strings.Contains(l, num) {
			t.Errorf("/dev/%s: %s, want %s", name, l, num)
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("/dev/%s missing", name)
		}
	}
}

// checkCaps asserts libvirt's default drop list is out of the bounding set.
func checkCaps(t *testing.T, capBnd string) {
	t.Helper()
	var mask uint64
	for _, r := range strings.TrimSpace(capBnd) {
		mask <<= 4
		switch {
		case r >= '0' && r <= '9':
			mask |= uint64(r - '0')
		case r >= 'a' && r <= 'f':
			mask |= uint64(r-'a') + 10
		}
	}
	dropped := map[string]uint{"mknod": 27, "sys_module": 16, "sys_time": 25, "audit_control": 30, "mac_admin": 33}
	for name, bit := range dropped {
		if mask&(1<<bit) != 0 {
			t.Errorf("CAP_%s still in the bounding set %s", strings.ToUpper(name), capBnd)
		}
	}
	if mask&(1<<21) == 0 { // CAP_SYS_ADMIN is kept by default
		t.Errorf("CAP_SYS_ADMIN missing from the bounding set %s", capBnd)
	}
}

func TestBusyboxRootContainer(t *testing.T) {
	root := testutilRoot(t)
	xml := domainXML("bbroot", "/bin/sh", []string{"-c", probe + "; echo @@initdir=$PWD; echo @@foo=$FOO; sed 's/^/@@mount=/' /proc/self/mountinfo"},
		"    <filesystem type='mount'><source dir='"+root+"'/><target dir='/'/></filesystem>\n",
		"os:<initenv name='FOO'>bar baz</initenv>\nos:<initdir>/tmp</initdir>")
	v := values(run(t, "bbroot", xml))
	if v["done"] != "1" {
		t.Fatalf("probe did not finish: %v", v)
	}
	if v["initdir"] != "/tmp" || v["foo"] != "bar baz" {
		t.Errorf("initdir %q, FOO %q", v["initdir"], v["foo"])
	}
	checkDev(t, v["dev"], 1)
	checkCaps(t, v["CapBnd"])
	if v["memtotal"] != "MemTotal: 98304 kB" { // busybox cat reads with sendfile
		t.Errorf("meminfo %q, want the 96 MiB limit", v["memtotal"])
	}
	if v["mknod"] != "denied" || v["procsys"] != "denied" || v["sys"] != "denied" {
		t.Errorf("mknod %s, /proc/sys %s, /sys %s: want all denied", v["mknod"], v["procsys"], v["sys"])
	}
	checkMounts(t, v["mount"])
}

// checkMounts asserts a private-root container's mount table: exactly the
// expected mount points, with their types and read-only flags, and nothing
// of the host's.
func checkMounts(t *testing.T, table string) {
	t.Helper()
	type m struct{ fstype, ro string }
	want := map[string]m{
		"/": {"", ""}, "/proc": {"proc", "rw"}, "/proc/sys": {"proc", "ro"}, "/proc/meminfo": {"fuse.libvirt_lxc", "rw"},
		"/sys": {"sysfs", "ro"}, "/sys/fs/cgroup": {"tmpfs", "rw"}, "/dev": {"tmpfs", "rw"}, "/dev/pts": {"devpts", "rw"},
		"/dev/ptmx": {"devpts", "rw"}, "/dev/tty1": {"devpts", "rw"}, "/dev/console": {"devpts", "rw"},
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		sep := -1
		for i, x := range f {
			if x == "-" {
				sep = i
				break
			}
		}
		if len(f) < 6 || sep < 0 || sep+1 >= len(f) {
			continue
		}
		point, opts, fstype := f[4], f[5], f[sep+1]
		seen[point] = true
		if strings.HasPrefix(point, "/sys/fs/cgroup/") {
			if fstype != "cgroup" && fstype != "cgroup2" {
				t.Errorf("%s is %s", point, fstype)
			}
			continue
		}
		w, ok := want[point]
		if !ok {
			t.Errorf("unexpected mount in the container: %s", line)
			continue
		}
		if w.fstype != "" && fstype != w.fstype {
			t.Errorf("%s is %s, want %s", point, fstype, w.fstype)
		}
		if w.ro != "" && !strings.HasPrefix(opts, w.ro) {
			t.Errorf("%s mounted %s, want %s", point, opts, w.ro)
		}
	}
	for point := range want {
		if !seen[point] {
			t.Errorf("%s is not mounted in the container", point)
		}
	}
}

func TestInitUserAndGroup(t *testing.T) {
	root := testutilRoot(t)
	xml := domainXML("usr", "/bin/sh", []string{"-c", "echo @@id=$(id -u):$(id -g):$(id -G | tr ' ' ,)"},
		"    <filesystem type='mount'><source dir='"+root+"'/><target dir='/'/></filesystem>\n",
		"os:<inituser>tester</inituser>")
	v := values(run(t, "usr", xml))
	if v["id"] != "1000:1000:1000,100" {
		t.Errorf("id = %q, want 1000:1000:1000,100", v["id"])
	}
}

func TestPassedFDs(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	xml := domainXML("passfd", "/bin/sh", []string{"-c",
		"env | sort | sed 's/^/@@env=/'; echo hello-through-fd3 >&3; echo @@fds=$(ls /proc/self/fd | tr '\\n' ' ')"}, "", "")
	log := run(t, "passfd", xml, w)
	w.Close()
	v := values(log)
	checkEnv(t, v["env"], "passfd", 1, 1)
	if v["fds"] != "0 1 2 3 4" {
		t.Errorf("descriptors %q, want 0 1 2 3 (+ls's own)", v["fds"])
	}
	buf := make([]byte, 64)
	_ = r.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _ := r.Read(buf)
	if got := string(buf[:n]); got != "hello-through-fd3\n" {
		t.Errorf("read %q from the passed pipe", got)
	}
}

func TestStartFailureLeavesNothing(t *testing.T) {
	xml := domainXML("badinit", "/no/such/init", nil, "", "")
	c := start(t, "badinit", xml)
	err, log := c.wait(30 * time.Second)
	if err == nil {
		t.Fatalf("controller succeeded with a missing init\n%s", log)
	}
	if !strings.Contains(log, "cannot find init path '/no/such/init' relative to container root") {
		t.Errorf("log lacks libvirt's message:\n%s", log)
	}
}
