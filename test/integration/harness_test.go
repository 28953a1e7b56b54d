// Package integration runs real containers through the virtlxc binaries, as
// root, and checks what they see from inside and what they leave on the host.
package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/paths"
	"virtlxc/internal/testutil"
)

// scope keeps this test process's cgroups apart from any other daemon's.
var scope = fmt.Sprintf("virtlxc-test-%d", os.Getpid())

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

// domainXML builds a domain definition; fs and extra are raw XML fragments
// for <devices> and the top level.
func domainXML(name, init string, args []string, devices, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<domain type='lxc'>\n  <name>%s</name>\n  <memory unit='MiB'>96</memory>\n", name)
	fmt.Fprintf(&b, "  <os>\n    <type>exe</type>\n    <init>%s</init>\n", init)
	for _, a := range args {
		fmt.Fprintf(&b, "    <initarg>%s</initarg>\n", xmlEscape(a))
	}
	b.WriteString(extraOS(extra))
	b.WriteString("  </os>\n")
	b.WriteString(stripOS(extra))
	fmt.Fprintf(&b, "  <devices>\n%s    <console type='pty'/>\n  </devices>\n</domain>\n", devices)
	return b.String()
}

// extraOS and stripOS split "os:" prefixed lines of extra (elements inside
// <os>) from the rest (top-level elements).
func extraOS(extra string) string {
	var out []string
	for _, l := range strings.Split(extra, "\n") {
		if strings.HasPrefix(l, "os:") {
			out = append(out, "    "+strings.TrimPrefix(l, "os:"))
		}
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

func stripOS(extra string) string {
	var out []string
	for _, l := range strings.Split(extra, "\n") {
		if l != "" && !strings.HasPrefix(l, "os:") {
			out = append(out, "  "+l)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;").Replace(s)
}

// start runs the controller for xml and waits until init runs (or the
// controller fails); passed files become --passfd descriptors.
func start(t *testing.T, name, xml string, pass ...*os.File) *ctr {
	t.Helper()
	return startIn(t, "", name, xml, pass...)
}

// runUnder runs a container to completion with the same --root as other.
func runUnder(t *testing.T, other *ctr, name, xml string) string {
	t.Helper()
	c := startIn(t, filepath.Dir(other.root), name, xml)
	err, log := c.wait(30 * time.Second)
	if err != nil {
		t.Fatalf("controller failed: %v\n%s", err, log)
	}
	return log
}

func startIn(t *testing.T, dir, name, xml string, pass ...*os.File) *ctr {
	t.Helper()
	testutil.RequireRoot(t)
	bin := testutil.Binaries(t)
	if dir == "" {
		dir = t.TempDir()
	}
	// A user-namespaced init reaches its state dir as the mapped root.
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
	args := []string{"--name", name, "--config", cfg, "--root", c.root, "--cgroup-scope", scope, "--log", c.log}
	for i := range pass {
		args = append(args, "--passfd", fmt.Sprint(3+i))
	}
	c.cmd = exec.Command(filepath.Join(bin, "virtlxc-controller"), args...)
	c.cmd.ExtraFiles = pass
	c.cmd.Stdout, c.cmd.Stderr = os.Stderr, os.Stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	t.Cleanup(func() {
		killed := false
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
			<-c.done
			killed = true
		}
		assertNothingLeft(t, c)
		if killed || t.Failed() {
			removeLeftovers(c)
		}
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

// wait waits for the controller to exit and returns its error and the log.
func (c *ctr) wait(timeout time.Duration) (error, string) {
	c.t.Helper()
	select {
	case err := <-c.done:
		c.done <- err
		return err, c.logText()
	case <-time.After(timeout):
		_ = c.cmd.Process.Kill()
		c.t.Fatalf("container %s still running after %v\n%s", c.name, timeout, c.logText())
	}
	return nil, ""
}

// run starts a container whose init exits by itself and returns its log.
func run(t *testing.T, name, xml string, pass ...*os.File) string {
	t.Helper()
	c := start(t, name, xml, pass...)
	err, log := c.wait(30 * time.Second)
	if err != nil {
		t.Fatalf("controller failed: %v\n%s", err, log)
	}
	return log
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

func testutilRoot(t *testing.T) string { return testutil.BusyboxRoot(t) }

// removeLeftovers is testutil.RemoveLeftovers for c.
func removeLeftovers(c *ctr) { testutil.RemoveLeftovers(scope, c.name) }
