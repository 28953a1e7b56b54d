// Package network runs containers with network interfaces through
// virtlxc-controller, as root. Every test builds its whole world inside a
// network namespace it creates (held by a sleeping process): the bridge,
// the dummy device, the controller itself. Nothing touches the host's
// namespace and no packet leaves the test namespace.
package network

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/netdev"
	"virtlxc/internal/paths"
	"virtlxc/internal/testutil"
)

// scope keeps this test process's cgroups apart from any other daemon's.
var scope = fmt.Sprintf("virtlxc-nettest-%d", os.Getpid())

// testNS is a network namespace owned by the test.
type testNS struct {
	t   *testing.T
	pid int // a process living in it
}

// newNS creates a network namespace (lo up) that lives until the test ends.
func newNS(t *testing.T) *testNS {
	t.Helper()
	testutil.RequireRoot(t)
	holder := exec.Command("sleep", "infinity")
	holder.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	if err := holder.Start(); err != nil {
		t.Fatalf("creating the test network namespace: %v", err)
	}
	t.Cleanup(func() {
		_ = holder.Process.Kill()
		_ = holder.Wait()
	})
	ns := &testNS{t: t, pid: holder.Process.Pid}
	self, _ := os.Readlink("/proc/self/ns/net")
	theirs, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", ns.pid))
	if self == "" || self == theirs {
		t.Fatalf("test namespace %q is not a new namespace (ours %q)", theirs, self)
	}
	ns.ip("link", "set", "lo", "up")
	return ns
}

// cmd is a command run inside the namespace (nsenter execs it, so the
// process is the command itself).
func (n *testNS) cmd(args ...string) *exec.Cmd {
	return exec.Command("nsenter", append([]string{"-t", strconv.Itoa(n.pid), "-n", "--"}, args...)...)
}

// ip runs ip(8) inside the namespace.
func (n *testNS) ip(args ...string) string {
	n.t.Helper()
	out, err := n.cmd(append([]string{"ip"}, args...)...).CombinedOutput()
	if err != nil {
		n.t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// links lists the namespace's devices.
func (n *testNS) links() map[string]netdev.Link {
	n.t.Helper()
	ls, err := netdev.LinksOf(n.pid)
	if err != nil {
		n.t.Fatal(err)
	}
	m := map[string]netdev.Link{}
	for _, l := range ls {
		m[l.Name] = l
	}
	return m
}

// assertOnly fails when the namespace holds devices other than names.
func (n *testNS) assertOnly(names ...string) {
	n.t.Helper()
	for name, l := range n.links() {
		found := false
		for _, want := range names {
			found = found || want == name
		}
		if !found {
			n.t.Errorf("device left behind in the test namespace: %s (%s)", name, l.Type)
		}
	}
}

// listen runs a one-shot TCP server on port inside the namespace that
// answers "got <first line>", and returns once it is listening.
func (n *testNS) listen(port int) {
	n.t.Helper()
	srv := n.cmd("busybox", "nc", "-l", "-p", strconv.Itoa(port), "-e", "/bin/sh", "-c", "read l; echo got $l")
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		n.t.Fatal(err)
	}
	n.t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if listening(srv.Process.Pid, port) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	n.t.Fatalf("the test server on port %d is not listening", port)
}

// listening reports whether the network namespace of pid has a TCP (v4 or
// v6) socket listening on port.
func listening(pid, port int) bool {
	local := fmt.Sprintf(":%04X", port)
	for _, f := range []string{"tcp", "tcp6"} {
		data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, f))
		for _, l := range strings.Split(string(data), "\n") {
			fields := strings.Fields(l)
			if len(fields) > 3 && strings.HasSuffix(fields[1], local) && fields[3] == "0A" {
				return true
			}
		}
	}
	return false
}

// ctr is one container run by virtlxc-controller inside a test namespace.
type ctr struct {
	t      *testing.T
	name   string
	root   string // --root
	rootfs string // the container's root filesystem
	log    string
	cmd    *exec.Cmd
	done   chan error
}

// domainXML is a busybox container running script, with ifaces in
// <devices> and extra elements (such as <idmap>) at the top level.
func domainXML(name, rootfs, script, ifaces, extra string) string {
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;").Replace(script)
	return fmt.Sprintf(`<domain type='lxc'>
  <name>%s</name>
  <memory unit='MiB'>96</memory>
  <os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg><initarg>%s</initarg></os>
  %s
  <devices>
    <filesystem type='mount'><source dir='%s'/><target dir='/'/></filesystem>
%s    <console type='pty'/>
  </devices>
</domain>
`, name, esc, extra, rootfs, ifaces)
}

// start runs the controller for a container inside the namespace and waits
// until init runs or the controller fails. The container's root has a
// fifo /gate that its script can block on until open is called.
func (n *testNS) start(name, script, ifaces string) *ctr {
	n.t.Helper()
	return n.startMapped(name, script, ifaces, 0)
}

// idmapBase is the host uid/gid of root in a user-namespaced container.
const idmapBase = 200000

// startMapped is start; a non-zero uid base runs the container in a user
// namespace mapping 0 to it (its root filesystem handed over).
func (n *testNS) startMapped(name, script, ifaces string, base int) *ctr {
	n.t.Helper()
	return n.startWith(name, script, ifaces, "", base)
}

// startWith is startMapped with extra top-level elements (<features>).
func (n *testNS) startWith(name, script, ifaces, extra string, base int) *ctr {
	t := n.t
	t.Helper()
	bin := testutil.Binaries(t)
	dir := t.TempDir()
	c := &ctr{t: t, name: name, root: filepath.Join(dir, "root"), rootfs: testutil.BusyboxRoot(t),
		log: filepath.Join(dir, name+".log"), done: make(chan error, 1)}
	layout := paths.New(c.root, "")
	if err := layout.MkdirAll(); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(c.rootfs, "gate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if base != 0 {
		extra += fmt.Sprintf("<idmap><uid start='0' target='%d' count='65536'/><gid start='0' target='%d' count='65536'/></idmap>", base, base)
		mapRoot(t, dir, c.rootfs, base)
	}
	cfg := filepath.Join(dir, name+".xml")
	if err := os.WriteFile(cfg, []byte(domainXML(name, c.rootfs, script, ifaces, extra)), 0o600); err != nil {
		t.Fatal(err)
	}
	c.cmd = n.cmd(filepath.Join(bin, "virtlxc-controller"), "--name", name, "--config", cfg,
		"--root", c.root, "--cgroup-scope", scope, "--log", c.log)
	c.cmd.Stdout, c.cmd.Stderr = os.Stderr, os.Stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(layout.PidFile(name)); err == nil {
			return c
		}
		select {
		case err := <-c.done:
			c.done <- err
			return c
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatalf("container %s did not start in time\n%s", name, c.logText())
	return nil
}

// mapRoot hands rootfs to the mapped root and lets it reach its state dir.
func mapRoot(t *testing.T, stateDir, rootfs string, base int) {
	t.Helper()
	for _, d := range []string{stateDir, filepath.Dir(stateDir), filepath.Dir(rootfs)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	testutil.ChownTree(t, rootfs, base, base)
}

// open lets a script blocked on `read x < /gate` go on.
func (c *ctr) open() {
	c.t.Helper()
	opened := make(chan error, 1)
	go func() {
		f, err := os.OpenFile(filepath.Join(c.rootfs, "gate"), os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString("go\n")
			f.Close()
		}
		opened <- err
	}()
	select {
	case err := <-opened:
		if err != nil {
			c.t.Fatal(err)
		}
	case err := <-c.done:
		c.done <- err
		c.t.Fatalf("container %s ended before its gate opened: %v\n%s", c.name, err, c.logText())
	case <-time.After(30 * time.Second):
		c.t.Fatalf("container %s never waited at its gate\n%s", c.name, c.logText())
	}
}

// wait waits for the controller to exit; it returns its error and the log.
func (c *ctr) wait() (error, string) {
	c.t.Helper()
	select {
	case err := <-c.done:
		c.done <- err
		return err, c.logText()
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		c.t.Fatalf("container %s still running\n%s", c.name, c.logText())
	}
	return nil, ""
}

// finish opens the gate, waits for a clean exit and returns the
// "@@KEY=value" lines the script printed.
func (c *ctr) finish() map[string]string {
	c.t.Helper()
	c.open()
	err, log := c.wait()
	if err != nil {
		c.t.Fatalf("controller failed: %v\n%s", err, log)
	}
	return values(log)
}

func (c *ctr) logText() string {
	b, _ := os.ReadFile(c.log)
	return string(b)
}

// values is testutil.Values.
func values(log string) map[string]string { return testutil.Values(log) }

// TestMain removes this process's (empty) cgroup partition once the tests
// are done.
func TestMain(m *testing.M) {
	code := m.Run()
	removeScope()
	testutil.RemoveBinaries()
	os.Exit(code)
}

// removeScope removes the cgroup directories under this test's partition,
// deepest first (a killed controller leaves its container's behind).
func removeScope() {
	tops, _ := filepath.Glob("/sys/fs/cgroup/*/machine/" + scope + ".partition")
	v2, _ := filepath.Glob("/sys/fs/cgroup/machine/" + scope + ".partition")
	for _, top := range append(tops, v2...) {
		var dirs []string
		_ = filepath.WalkDir(top, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		for i := len(dirs) - 1; i >= 0; i-- {
			_ = os.Remove(dirs[i])
		}
	}
}
