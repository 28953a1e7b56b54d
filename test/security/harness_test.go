// Package security is virtlxc's escape test suite (issue 7): one test per
// attack, run as root against real containers started with
// virtlxc-controller, each asserting the attack fails and the host is
// unchanged. Attacks that currently succeed are not here; the suite only
// pins what virtlxc enforces.
package security

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"virtlxc/internal/monitor"
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
type ctr struct{ *testutil.Controller }

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
	return &ctr{testutil.StartController(t, testutil.ControllerOptions{Name: name, XML: xml, Scope: scope, Files: files, Pass: pass})}
}

// wait waits for the controller to exit and returns its error and log.
func (c *ctr) wait(timeout time.Duration) (string, error) {
	c.T.Helper()
	select {
	case err := <-c.Done:
		c.Done <- err
		return c.LogText(), err
	case <-time.After(timeout):
		_ = c.Cmd.Process.Kill()
		c.T.Fatalf("container %s still running after %v\n%s", c.Name, timeout, c.LogText())
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

// values is testutil.Values.
func values(log string) map[string]string { return testutil.Values(log) }

// build is one package built once per test process into its own
// temporary directory (mode 0755, removed by TestMain).
type build struct {
	pkg  string
	cgo  bool
	once sync.Once
	dir  string
	err  error
}

var (
	// attackerBuild is the static in-container attacker.
	attackerBuild = &build{pkg: "./test/security/attacker", cgo: false}
	// cgoClientBuild is virtlxc with its cgo user-namespace helper.
	cgoClientBuild = &build{pkg: "./cmd/virtlxc", cgo: true}
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
		if err := testutil.GoBuild(b.dir, b.cgo, b.pkg); err != nil {
			b.err = fmt.Errorf("go build %s: %w", b.pkg, err)
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
	c.T.Helper()
	if _, err := monitor.Call(c.Layout.MonitorSocket(c.Name), monitor.Request{Op: monitor.OpDestroy}, 5*time.Second); err != nil {
		c.T.Errorf("destroy %s: %v", c.Name, err)
	}
	if _, err := c.wait(10 * time.Second); err != nil {
		c.T.Logf("controller of %s: %v", c.Name, err)
	}
}

// waitLog waits until the container's log shows s.
func (c *ctr) waitLog(s string) {
	c.T.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(c.LogText(), s) {
			return
		}
		select {
		case err := <-c.Done:
			c.Done <- err
			c.T.Fatalf("controller exited (%v) before its log showed %q:\n%s", err, s, c.LogText())
		case <-time.After(10 * time.Millisecond):
		}
	}
	c.T.Fatalf("log never showed %q:\n%s", s, c.LogText())
}
