// Package integration runs real containers through the virtlxc binaries, as
// root, and checks what they see from inside and what they leave on the host.
package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/testutil"
)

// scope keeps this test process's cgroups apart from any other daemon's.
var scope = fmt.Sprintf("virtlxc-test-%d", os.Getpid())

// ctr is one container run by virtlxc-controller.
type ctr struct{ *testutil.Controller }

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
	c := startIn(t, filepath.Dir(other.Root), name, xml)
	err, log := c.wait(30 * time.Second)
	if err != nil {
		t.Fatalf("controller failed: %v\n%s", err, log)
	}
	return log
}

func startIn(t *testing.T, dir, name, xml string, pass ...*os.File) *ctr {
	t.Helper()
	var fds []int
	for i := range pass {
		fds = append(fds, 3+i)
	}
	return startWith(t, testutil.ControllerOptions{Dir: dir, Name: name, XML: xml, Files: pass, Pass: fds})
}

// startWith is start with every option; the scope is the suite's.
func startWith(t *testing.T, o testutil.ControllerOptions) *ctr {
	t.Helper()
	o.Scope = scope
	return &ctr{testutil.StartController(t, o)}
}

// wait waits for the controller to exit and returns its error and the log.
func (c *ctr) wait(timeout time.Duration) (error, string) {
	c.T.Helper()
	select {
	case err := <-c.Done:
		c.Done <- err
		return err, c.LogText()
	case <-time.After(timeout):
		_ = c.Cmd.Process.Kill()
		c.T.Fatalf("container %s still running after %v\n%s", c.Name, timeout, c.LogText())
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

// values is testutil.Values.
func values(log string) map[string]string { return testutil.Values(log) }

func testutilRoot(t *testing.T) string { return testutil.BusyboxRoot(t) }
