// Package security is virtlxc's escape test suite (issue 7): one test per
// attack, run as root against real containers started with
// virtlxc-controller, each asserting the attack fails and the host is
// unchanged. Attacks that currently succeed are not here; the suite only
// pins what virtlxc enforces.
package security

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"virtlxc/internal/monitor"
	"virtlxc/internal/paths"
	"virtlxc/internal/testutil"
)

// scope keeps this test process's cgroups apart from any other daemon's.
var scope = fmt.Sprintf("virtlxc-sec-%d", os.Getpid())

func TestMain(m *testing.M) {
	code := m.Run()
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*/machine/" + scope + ".partition")
	for _, d := range dirs {
		_ = os.Remove(d)
	}
	testutil.RemoveBinaries()
	for _, b := range []*build{attackerBuild, cgoClientBuild} {
		if b.dir != "" {
			_ = os.RemoveAll(b.dir)
		}
	}
	os.Exit(code)
}

// ctr is one container run by virtlxc-controller.
type ctr struct {
	t      *testing.T
	name   string
	root   string // --root
	log    string
	cmd    *exec.Cmd
	done   chan error
	layout paths.Layout
}

// domainXML builds a domain whose init is /bin/sh -c script; devices and
// extra are raw XML for <devices> and the top level.
func domainXML(name, script, devices, extra string) string {
	return fmt.Sprintf(`<domain type='lxc'>
  <name>%s</name>
  <memory unit='MiB'>96</memory>
  <os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg><initarg>%s</initarg></os>
  %s
  <devices>
%s    <console type='pty'/>
  </devices>
</domain>
`, name, xmlEscape(script), extra, devices)
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;").Replace(s)
}

// rootFS is the <filesystem> of a private root at dir; ro makes it
// read-only.
func rootFS(dir string, ro bool) string {
	r := ""
	if ro {
		r = "<readonly/>"
	}
	return "    <filesystem type='mount'><source dir='" + xmlEscape(dir) + "'/><target dir='/'/>" + r + "</filesystem>\n"
}

// start runs the controller for xml and returns once init runs or the
// controller has exited.
func start(t *testing.T, name, xml string) *ctr {
	t.Helper()
	return startFiles(t, name, xml, nil, nil)
}

// startFiles is start with files the controller inherits as fds 3, 4, …
// (left open to it, not close-on-exec); those listed in pass become
// --passfd descriptors, the others are leaks it must not hand on.
func startFiles(t *testing.T, name, xml string, files []*os.File, pass []int) *ctr {
	t.Helper()
	testutil.RequireRoot(t)
	bin := testutil.Binaries(t)
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	c := &ctr{t: t, name: name, root: filepath.Join(dir, "root"), log: filepath.Join(dir, name+".log"), done: make(chan error, 1)}
	c.layout = paths.New(c.root, "")
	if err := c.layout.MkdirAll(); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, name+".xml")
	if err := os.WriteFile(cfg, []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
	c.cmd = exec.Command(filepath.Join(bin, "virtlxc-controller"),
		"--name", name, "--config", cfg, "--root", c.root, "--cgroup-scope", scope, "--log", c.log)
	for _, fd := range pass {
		c.cmd.Args = append(c.cmd.Args, "--passfd", strconv.Itoa(fd))
	}
	c.cmd.Stdout, c.cmd.Stderr = os.Stderr, os.Stderr
	c.cmd.ExtraFiles = files
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
			<-c.done
		}
		assertNothingLeft(t, c)
		removeLeftovers(c)
	})
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(c.layout.PidFile(name)); err == nil {
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

// wait waits for the controller to exit and returns its error and log.
func (c *ctr) wait(timeout time.Duration) (string, error) {
	c.t.Helper()
	select {
	case err := <-c.done:
		c.done <- err
		return c.logText(), err
	case <-time.After(timeout):
		_ = c.cmd.Process.Kill()
		c.t.Fatalf("container %s still running after %v\n%s", c.name, timeout, c.logText())
	}
	return "", nil
}

// run runs a container whose init exits by itself and returns the
// @@KEY=value lines it printed; it fails the test unless the script
// printed @@done=1.
func run(t *testing.T, name, xml string) map[string]string {
	t.Helper()
	log, err := start(t, name, xml).wait(30 * time.Second)
	if err != nil {
		t.Fatalf("controller failed: %v\n%s", err, log)
	}
	v := values(log)
	if v["done"] != "1" {
		t.Fatalf("the container's script did not finish:\n%s", log)
	}
	return v
}

func (c *ctr) logText() string {
	b, _ := os.ReadFile(c.log)
	return string(b)
}

// values is testutil.Values.
func values(log string) map[string]string { return testutil.Values(log) }

// assertNothingLeft is testutil.AssertNothingLeft for c.
func assertNothingLeft(t *testing.T, c *ctr) {
	t.Helper()
	testutil.AssertNothingLeft(t, scope, c.name, c.root, c.layout.StateDir)
}

// removeLeftovers is testutil.RemoveLeftovers for c.
func removeLeftovers(c *ctr) { testutil.RemoveLeftovers(scope, c.name) }

// build is one package built once per test process into its own
// temporary directory (mode 0755, removed by TestMain).
type build struct {
	pkg, cgo string
	once     sync.Once
	dir      string
	err      error
}

var (
	// attackerBuild is the static in-container attacker.
	attackerBuild = &build{pkg: "./test/security/attacker", cgo: "0"}
	// cgoClientBuild is virtlxc with its cgo user-namespace helper.
	cgoClientBuild = &build{pkg: "./cmd/virtlxc", cgo: "1"}
)

// path builds the package once and returns the binary's path.
func (b *build) path(t *testing.T) string {
	t.Helper()
	b.once.Do(func() {
		if b.dir, b.err = os.MkdirTemp("", "virtlxc-sec-build-"); b.err != nil {
			return
		}
		if b.err = os.Chmod(b.dir, 0o755); b.err != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", b.dir+"/", b.pkg)
		cmd.Dir = testutil.RepoRoot()
		cmd.Env = append(os.Environ(), "CGO_ENABLED="+b.cgo)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build %s: %w\n%s", b.pkg, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return filepath.Join(b.dir, filepath.Base(b.pkg))
}

// attacker builds the static attacker helper once and returns its path.
func attacker(t *testing.T) string {
	t.Helper()
	return attackerBuild.path(t)
}

// hostDir is a new host directory other containers can see (the host
// root's /tmp), mode 0755.
func hostDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// destroy stops a running container through its monitor, as the driver's
// destroy does, and waits for the controller to exit.
func (c *ctr) destroy() {
	c.t.Helper()
	if _, err := monitor.Call(c.layout.MonitorSocket(c.name), monitor.Request{Op: monitor.OpDestroy}, 5*time.Second); err != nil {
		c.t.Errorf("destroy %s: %v", c.name, err)
	}
	if _, err := c.wait(10 * time.Second); err != nil {
		c.t.Logf("controller of %s: %v", c.name, err)
	}
}

// waitLog waits until the container's log shows s.
func (c *ctr) waitLog(s string) {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(c.logText(), s) {
			return
		}
		select {
		case err := <-c.done:
			c.done <- err
			c.t.Fatalf("controller exited (%v) before its log showed %q:\n%s", err, s, c.logText())
		case <-time.After(10 * time.Millisecond):
		}
	}
	c.t.Fatalf("log never showed %q:\n%s", s, c.logText())
}
