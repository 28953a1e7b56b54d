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

	"virtlxc/internal/testutil"
)

// startHostRoot defines and starts a host-root container.
func (d *daemon) startHostRoot(name, script string) {
	d.t.Helper()
	d.writeFile(name+".xml", hostRootXML(name, script))
	for _, args := range [][]string{{"define", name + ".xml"}, {"start", name}} {
		if r := d.virtlxc(args...); r.rc != 0 {
			d.t.Fatalf("%v: %s", args, r)
		}
	}
}

func (d *daemon) domid(name string) string {
	d.t.Helper()
	r := d.virtlxc("domid", name)
	if r.rc != 0 {
		d.t.Fatal(r)
	}
	return strings.TrimSpace(r.stdout)
}

func TestEnterNamespaceMatchesVirsh(t *testing.T) {
	d := startDaemon(t)
	d.startHostRoot("en", idleScript)
	// hostname is the container's, $$ a pid of its pid namespace (masked:
	// each run gets the next one).
	r := d.both(t, "lxc-enter-namespace", "en", "--", "/bin/sh", "-c", "hostname; echo $$; id -u")
	if lines := strings.Fields(r.stdout); len(lines) < 3 || lines[0] != "en" || lines[2] != "0" {
		t.Errorf("unexpected output:\n%s", r)
	}
	if pid, err := strconv.Atoi(strings.Fields(r.stdout)[1]); err != nil || pid > 1000 {
		t.Errorf("$$ = %q, want a small pid of the container's namespace", strings.Fields(r.stdout)[1])
	}
	d.both(t, "lxc-enter-namespace", "--noseclabel", "en", "--", "/bin/sh", "-c", "hostname")
	d.both(t, "lxc-enter-namespace", "nosuch", "--", "/bin/true")

	// A failing command: the same messages, but virtlxc exits with the
	// command's own status where virsh exits 1.
	for _, c := range []struct {
		args []string
		rc   int
	}{
		{[]string{"/bin/sh", "-c", "echo out; echo err >&2; exit 7"}, 7},
		{[]string{"/no/such/cmd"}, 127},
		{[]string{"sh", "-c", "true"}, 127}, // no PATH search: argv[0] must be absolute
		{[]string{"/etc/hostname"}, 126},
		{[]string{"/bin/sh", "-c", "kill -9 $$"}, 137},
	} {
		args := append([]string{"lxc-enter-namespace", "en", "--"}, c.args...)
		v, m := d.virsh(args...), d.virtlxc(args...)
		if v.rc != 1 || m.rc != c.rc {
			t.Errorf("%v: rc virsh=%d virtlxc=%d, want 1 and %d", c.args, v.rc, m.rc, c.rc)
		}
		v.rc, m.rc = 0, 0
		same(t, strings.Join(c.args, " "), v, m)
	}
}

func TestEnterNamespaceCgroupsAndCaps(t *testing.T) {
	d := startDaemon(t)
	d.startHostRoot("cg", idleScript)
	for _, mode := range []string{"go", "reexec", "nocgo"} {
		t.Run(mode, func(t *testing.T) {
			env := []string{"VIRTLXC_NSENTER=" + mode}
			bin := filepath.Join(d.bin, "virtlxc")
			if mode == "nocgo" {
				bin += "-nocgo"
			}
			// virtlxc started with SIGHUP, SIGINT and SIGQUIT ignored (a
			// script's background job, nohup): the command still starts
			// with every signal's default action, as under virsh.
			r := run(d.root, env, "/bin/sh", "-c", `trap '' HUP INT QUIT; exec "$0" "$@"`, bin, "-c", d.uri, "lxc-enter-namespace", "cg", "--",
				"/bin/sh", "-c", "grep -v name=systemd /proc/self/cgroup; echo ==; grep -v name=systemd /proc/1/cgroup; echo ==; grep CapBnd /proc/self/status /proc/1/status | cut -f2; echo ==; grep SigIgn /proc/self/status | cut -f2; exit 3")
			if r.rc != 3 {
				t.Fatalf("want status 3: %s", r)
			}
			// Both in the container's cgroup namespace: the same paths,
			// relative to its root, mean the same cgroups.
			parts := strings.Split(r.stdout, "==\n")
			if len(parts) != 4 || parts[0] != parts[1] || !strings.Contains(parts[0], ":/") {
				t.Errorf("the command is not in the init's cgroups:\n%s", r.stdout)
			}
			caps := strings.Fields(parts[2])
			if len(caps) != 2 || caps[0] != caps[1] {
				t.Errorf("bounding sets differ from the init's: %q", caps)
			}
			if ign := strings.TrimSpace(parts[3]); ign != "0000000000000000" {
				t.Errorf("the command's SigIgn = %q, want no signal ignored", ign)
			}
		})
	}
}

// TestEnterNamespaceLeavesCgroup checks that virtlxc itself returns to its
// own cgroups once the command runs (so it never pins the container's).
func TestEnterNamespaceLeavesCgroup(t *testing.T) {
	d := startDaemon(t)
	d.startHostRoot("lv", idleScript)
	cmd := exec.Command(filepath.Join(d.bin, "virtlxc"), "-c", d.uri, "lxc-enter-namespace", "lv", "--", "/bin/sleep", "3")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	own, _ := os.ReadFile("/proc/self/cgroup")
	// The command is virtlxc's grandchild, under its namespace helper.
	var kids string
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if kids = leafChild(cmd.Process.Pid); kids != "" {
			break
		}
	}
	if kids == "" {
		t.Fatal("the command did not start")
	}
	mine, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", cmd.Process.Pid))
	if string(mine) != string(own) {
		t.Errorf("virtlxc stayed in other cgroups:\n%s\nwant\n%s", mine, own)
	}
	child, _ := os.ReadFile(fmt.Sprintf("/proc/%s/cgroup", strings.Fields(kids)[0]))
	if !strings.Contains(string(child), "lxc-") {
		t.Errorf("the command is not in the container's cgroups:\n%s", child)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("virtlxc: %v", err)
	}
}

// leafChild follows the first child of any thread of pid down to a
// process without children and returns its pid ("" if pid has none).
func leafChild(pid int) string {
	leaf := ""
	for p := strconv.Itoa(pid); ; {
		tasks, _ := filepath.Glob("/proc/" + p + "/task/*/children")
		next := ""
		for _, f := range tasks {
			if k, _ := os.ReadFile(f); len(strings.Fields(string(k))) > 0 {
				next = strings.Fields(string(k))[0]
				break
			}
		}
		if next == "" {
			return leaf
		}
		leaf, p = next, next
	}
}

// TestEnterUserNamespace enters an <idmap> container: only the cgo helper
// can join its user namespace; the command runs as the namespace's root.
func TestEnterUserNamespace(t *testing.T) {
	d := startDaemon(t)
	root := testutil.BusyboxRoot(t)
	if err := os.Chmod(filepath.Dir(root), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("chown", "-R", "100000:100000", root).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v %s", err, out)
	}
	xml := fmt.Sprintf(`<domain type='lxc'>
  <name>un</name>
  <memory unit='KiB'>131072</memory>
  <os>
    <type>exe</type>
    <init>/bin/sh</init>
    <initarg>-c</initarg>
    <initarg>trap 'exit 0' TERM; while :; do sleep 1; done</initarg>
  </os>
  <idmap>
    <uid start='0' target='100000' count='65536'/>
    <gid start='0' target='100000' count='65536'/>
  </idmap>
  <features>
    <privnet/>
  </features>
  <devices>
    <filesystem type='mount'>
      <source dir='%s'/>
      <target dir='/'/>
    </filesystem>
    <console type='pty'/>
  </devices>
</domain>
`, root)
	d.writeFile("un.xml", xml)
	if r := d.virtlxc("create", "un.xml"); r.rc != 0 {
		t.Skipf("the daemon cannot start an idmap container here: %s", r)
	}
	r := d.virtlxc("lxc-enter-namespace", "un", "--", "/bin/sh", "-c", "id -u; id -g; cat /proc/self/uid_map; hostname; exit 5")
	if r.rc != 5 {
		t.Fatalf("want status 5: %s", r)
	}
	f := strings.Fields(r.stdout)
	if len(f) < 6 || f[0] != "0" || f[1] != "0" || f[2] != "0" || f[3] != "100000" || f[4] != "65536" || f[5] != "un" {
		t.Errorf("not root of the container's user namespace:\n%s", r)
	}
	// Without cgo the user namespace cannot be joined: a clear error.
	r = run(d.root, nil, filepath.Join(d.bin, "virtlxc-nocgo"), "-c", d.uri, "lxc-enter-namespace", "un", "--", "/bin/true")
	if r.rc != 125 || !strings.Contains(r.stderr, "CGO_ENABLED=0") || r.stdout != "\n" {
		t.Errorf("nocgo: %s", r)
	}
}

// TestEnterNamespaceInterrupt: ^C on the terminal reaches the command,
// and virtlxc reports the command's status instead of dying.
func TestEnterNamespaceInterrupt(t *testing.T) {
	d := startDaemon(t)
	d.startHostRoot("in", idleScript)
	for _, mode := range []string{"go", "reexec"} {
		t.Run(mode, func(t *testing.T) {
			p := startPTY(t, []string{"VIRTLXC_NSENTER=" + mode}, filepath.Join(d.bin, "virtlxc"), "-c", d.uri,
				"lxc-enter-namespace", "in", "--", "/bin/sh", "-c", `trap "echo got-int; exit 9" INT; echo ready; while :; do sleep 0.1; done`)
			p.waitFor("ready")
			p.send("\x03")
			p.waitFor("got-int")
			if rc := p.wait(); rc != 9 {
				t.Errorf("exit status %d, want the command's 9:\n%q", rc, p.output())
			}
		})
	}
}

// TestHostRootUserNamespace starts a container on the host's root with an
// <idmap> and no private network (libvirt 9.0 cannot start it: it fails
// mounting /sys) and enters it with virtlxc and with Debian's virsh. The
// host's mounts reach the user namespace's mount namespace locked: the
// root is bound recursively and fresh /proc, /sys and /dev cover the
// copies that cannot be unmounted; the host's network namespace, which
// the container shares, is not handed to clients (once in the container's
// user namespace they could not join it).
func TestHostRootUserNamespace(t *testing.T) {
	d := startDaemon(t)
	// The init stage, the mapped root from its start, binds the root by
	// path into the daemon's state directory: the test's private
	// directories must let it through, as /run does on a host.
	for p := d.root; p != filepath.Dir(p) && strings.HasPrefix(p, os.TempDir()+"/"); p = filepath.Dir(p) {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	xml := strings.Replace(hostRootXML("hu", idleScript), "  <os>",
		"  <idmap><uid start='0' target='100000' count='65536'/><gid start='0' target='100000' count='65536'/></idmap>\n  <os>", 1)
	d.writeFile("hu.xml", xml)
	if r := d.virtlxc("create", "hu.xml"); r.rc != 0 {
		t.Fatalf("create: %s", r)
	}
	check := "cat /proc/self/uid_map; grep -c ' /proc proc ' /proc/mounts; test -d /etc && echo host-root"
	r := d.virtlxc("lxc-enter-namespace", "hu", "--", "/bin/sh", "-c", "id -u; "+check)
	if f := strings.Fields(r.stdout); r.rc != 0 || len(f) < 6 || f[0] != "0" || f[1] != "0" || f[2] != "100000" || f[5] != "host-root" {
		t.Errorf("virtlxc lxc-enter-namespace: %s", r)
	}
	r = d.virsh("lxc-enter-namespace", "hu", "--noseclabel", "/bin/sh", "-c", check)
	if f := strings.Fields(r.stdout); r.rc != 0 || len(f) < 5 || f[1] != "100000" || f[4] != "host-root" {
		t.Errorf("virsh lxc-enter-namespace: %s", r)
	}
	if r := d.virtlxc("destroy", "hu"); r.rc != 0 {
		t.Fatalf("destroy: %s", r)
	}
}
