package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"virtlxc/internal/paths"
)

// Controller is a virtlxc-controller a test runs for one container.
type Controller struct {
	T      testing.TB
	Name   string
	Root   string // its --root
	Log    string // the container log
	Cmd    *exec.Cmd
	Done   chan error // Wait's result; whoever takes it puts it back
	Layout paths.Layout
	scope  string
}

// ControllerOptions describe a controller run.
type ControllerOptions struct {
	// Dir holds the root, config and log; "" means a new temporary dir.
	Dir string
	// Name and XML are the domain; Scope is the --cgroup-scope.
	Name, XML, Scope string
	// Files become descriptors 3, 4, … of the controller; those listed in
	// Pass are handed on to init with --passfd, the others must not be.
	Files []*os.File
	Pass  []int
	// IgnoreSignals starts the controller with SIGHUP, SIGINT and
	// SIGQUIT ignored, as nohup or a script's background job leaves them.
	IgnoreSignals bool
}

// StartController runs virtlxc-controller for o and returns once the
// container's init runs (its pid file exists) or the controller exited.
// When the test ends a controller still running is killed, the host is
// checked for leftovers (AssertNothingLeft) and they are removed.
func StartController(t testing.TB, o ControllerOptions) *Controller {
	t.Helper()
	RequireRoot(t)
	bin := Binaries(t)
	dir := o.Dir
	if dir == "" {
		dir = t.TempDir()
	}
	// A user-namespaced init reaches its state dir as the mapped root.
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	c := &Controller{T: t, Name: o.Name, Root: filepath.Join(dir, "root"), Log: filepath.Join(dir, o.Name+".log"),
		Done: make(chan error, 1), scope: o.Scope}
	c.Layout = paths.New(c.Root, "")
	if err := c.Layout.MkdirAll(); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, o.Name+".xml")
	if err := os.WriteFile(cfg, []byte(o.XML), 0o600); err != nil {
		t.Fatal(err)
	}
	c.Cmd = exec.Command(filepath.Join(bin, "virtlxc-controller"),
		"--name", o.Name, "--config", cfg, "--root", c.Root, "--cgroup-scope", o.Scope, "--log", c.Log)
	for _, fd := range o.Pass {
		c.Cmd.Args = append(c.Cmd.Args, "--passfd", strconv.Itoa(fd))
	}
	if o.IgnoreSignals {
		c.Cmd.Args = append([]string{"sh", "-c", `trap '' HUP INT QUIT; exec "$0" "$@"`}, c.Cmd.Args...)
		c.Cmd.Path = "/bin/sh"
	}
	c.Cmd.ExtraFiles = o.Files
	c.Cmd.Stdout, c.Cmd.Stderr = os.Stderr, os.Stderr
	if err := c.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.Done <- c.Cmd.Wait() }()
	t.Cleanup(func() {
		if c.Cmd.ProcessState == nil {
			_ = c.Cmd.Process.Kill()
			<-c.Done
		}
		AssertNothingLeft(t, c.scope, c.Name, c.Root, c.Layout.StateDir)
		RemoveLeftovers(c.scope, c.Name)
		// On a hybrid host the unified hierarchy names the group after
		// the controller's pid alone; a killed controller leaves it too.
		_ = os.Remove(fmt.Sprintf("/sys/fs/cgroup/unified/machine/%s.partition/lxc-%d.libvirt-lxc", c.scope, c.Cmd.Process.Pid))
	})
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(c.Layout.PidFile(o.Name)); err == nil {
			return c
		}
		select {
		case err := <-c.Done:
			c.Done <- err
			return c
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatalf("container %s did not start in time\n%s", o.Name, c.LogText())
	return nil
}

// LogText is the container log so far.
func (c *Controller) LogText() string {
	b, _ := os.ReadFile(c.Log)
	return string(b)
}
