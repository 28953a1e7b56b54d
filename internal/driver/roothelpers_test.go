package driver

import (
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"virtlxc/internal/cgroups"
	"virtlxc/internal/paths"
	"virtlxc/internal/testutil"
)

var (
	ctrlOnce sync.Once
	ctrlDir  string
	ctrlErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if ctrlDir != "" {
		os.RemoveAll(ctrlDir)
	}
	os.Exit(code)
}

// controllerBinary builds ./cmd/virtlxc-controller once per test run.
func controllerBinary(t *testing.T) string {
	t.Helper()
	ctrlOnce.Do(func() {
		ctrlDir, ctrlErr = os.MkdirTemp("", "virtlxc-driver-test-")
		if ctrlErr != nil {
			return
		}
		if err := testutil.GoBuild(ctrlDir, false, "./cmd/virtlxc-controller"); err != nil {
			ctrlErr = fmt.Errorf("go build: %v", err)
		}
	})
	if ctrlErr != nil {
		t.Fatal(ctrlErr)
	}
	return filepath.Join(ctrlDir, "virtlxc-controller")
}

// rootEnv is a real driver running real containers under a private root
// and cgroup scope.
type rootEnv struct {
	t      *testing.T
	layout paths.Layout
	scope  string
	bin    string
	d      *Driver
	sub    *Subscription
	audit  *auditCapture
}

// newRootEnv skips unless root with cgroups, and registers a cleanup that
// destroys every domain still running, closes the driver and removes the
// scope's cgroup partition, even when the test fails.
func newRootEnv(t *testing.T) *rootEnv {
	t.Helper()
	testutil.RequireRoot(t)
	layout, err := cgroups.Detect()
	if err != nil {
		t.Skipf("needs cgroups: %v", err)
	}
	h := fnv.New32a()
	h.Write([]byte(t.Name()))
	e := &rootEnv{
		t:      t,
		layout: paths.New(t.TempDir(), ""),
		scope:  fmt.Sprintf("vlxdrv-%d-%x", os.Getpid(), h.Sum32()),
		bin:    controllerBinary(t),
	}
	t.Cleanup(func() {
		e.teardown()
		m, err := cgroups.NewManager(layout, cgroups.Naming{Scope: e.scope}, nil)
		if err == nil {
			err = m.RemovePartition()
		}
		if err != nil {
			t.Errorf("removing cgroup scope %s: %v", e.scope, err)
		}
		if left, _ := filepath.Glob("/sys/fs/cgroup/*/machine/" + e.scope + ".partition"); len(left) > 0 {
			t.Errorf("cgroup scope left behind: %v", left)
		}
	})
	e.open()
	return e
}

// open starts a driver on the environment.
func (e *rootEnv) open() {
	e.t.Helper()
	if e.audit == nil {
		e.audit = &auditCapture{}
	}
	d, err := New(Options{Layout: e.layout, ControllerPath: e.bin, CgroupScope: e.scope, Audit: e.audit,
		Log: slog.New(slog.NewTextHandler(e.t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		e.t.Fatal(err)
	}
	e.d, e.sub = d, d.Subscribe()
}

// teardown destroys what runs and closes the driver; controllers that
// survive anyway are killed through their pid files.
func (e *rootEnv) teardown() {
	if e.d != nil {
		refs, _ := e.d.ListAll(ListActive)
		for _, r := range refs {
			if err := e.d.Destroy(r, 0); err != nil {
				e.t.Errorf("cleanup: destroy %s: %v", r.Name, err)
			}
		}
		e.d.Close()
	}
	pids, _ := filepath.Glob(filepath.Join(e.layout.StateDir, "*.pid"))
	for _, p := range pids {
		if strings.HasSuffix(p, "driver.pid") {
			continue
		}
		var pid int
		if data, err := os.ReadFile(p); err == nil {
			fmt.Sscan(string(data), &pid)
		}
		if pid > 0 {
			e.t.Errorf("cleanup: controller %d still running; killing it", pid)
			_ = exec.Command("kill", "-KILL", fmt.Sprint(pid)).Run()
		}
	}
	time.Sleep(50 * time.Millisecond)
}

// hostRootXML is a container on the host's root whose init runs script
// with /bin/sh.
func hostRootXML(name, script string) string {
	script = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(script)
	return fmt.Sprintf(`<domain type='lxc'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg><initarg>%s</initarg></os>
  <devices><console type='pty'/></devices>
</domain>`, name, script)
}

// sleeper is an init that runs until SIGTERM.
const sleeper = `trap 'exit 0' TERM; while :; do sleep 1 & wait; done`

// readySleeper is sleeper that creates marker once its SIGTERM trap is
// set (a pid-namespace init ignores SIGTERM until then).
func readySleeper(marker string) string {
	return `trap 'exit 0' TERM; touch ` + marker + `; while :; do sleep 1 & wait; done`
}

// waitFile waits for path to exist and removes it.
func waitFile(t *testing.T, path string) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		if err := os.Remove(path); err == nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", path)
}

// waitEvent waits for a lifecycle event of type typ for name, skipping
// others.
func (e *rootEnv) waitEvent(name string, typ EventType, detail int) {
	e.t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case ev := <-e.sub.C:
			if ev.Domain.Name == name && ev.Kind == EventLifecycle && ev.Type == typ && ev.Detail == detail {
				return
			}
			e.t.Logf("skipping event %+v", ev)
		case <-deadline:
			logData, _ := os.ReadFile(e.layout.LogFile(name))
			e.t.Fatalf("no event type %d detail %d for %s; its log:\n%s", typ, detail, name, logData)
		}
	}
}

// cgroupDirs lists name's group directories in every hierarchy.
func (e *rootEnv) cgroupDirs(name string) []string {
	var out []string
	for _, pat := range []string{"/sys/fs/cgroup/*/machine/", "/sys/fs/cgroup/machine/"} {
		m, _ := filepath.Glob(pat + e.scope + ".partition/lxc-*-" + name + cgroups.DriverSuffix)
		out = append(out, m...)
	}
	return out
}

// frozen reports whether name's cgroup is frozen.
func (e *rootEnv) frozen(name string) bool {
	e.t.Helper()
	layout, err := cgroups.Detect()
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := cgroups.NewManager(layout, cgroups.Naming{Scope: e.scope}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	ref, err := e.d.LookupByName(name)
	if err != nil {
		e.t.Fatal(err)
	}
	g, err := m.Open(cgroups.MachineName(ref.ID, name))
	if err != nil {
		e.t.Fatal(err)
	}
	f, err := g.Frozen()
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}

// assertNoLeftovers checks that a stopped domain left no status file,
// pid file, socket, controller config, meminfo or root directory, or
// cgroup.
func (e *rootEnv) assertNoLeftovers(name string) {
	e.t.Helper()
	for _, p := range []string{e.layout.StatusFile(name), e.layout.PidFile(name), e.layout.MonitorSocket(name),
		filepath.Join(e.layout.StateDir, name+".config"), e.layout.FuseDir(name), e.layout.RootMount(name)} {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			e.t.Errorf("%s left behind (%v)", p, err)
		}
	}
	if dirs := e.cgroupDirs(name); len(dirs) > 0 {
		e.t.Errorf("cgroup left behind: %v", dirs)
	}
}
