package bench

import (
	"bytes"
	"context"
	"encoding/json"
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

// Side-by-side anchors in the same run (issue 8): crun and lxc start,
// run-to-exit and destroy, on a busybox rootfs, with the namespaces a
// virtlxc container without <interface> gets (mount, uts, ipc, pid; the
// host network). As in ../shared/anchors/bench-anchors.sh, both run in a
// private mount namespace in which /sys/fs/cgroup/unified is unmounted
// (crun 1.8 refuses this machine's hybrid layout); the timing itself is
// done in there by this test binary in its "timer" role, so unshare's own
// cost is not counted.

// anchorRuns is one timed command of an anchor tool.
type anchorRuns struct {
	key, title string
	prepare    string // shell, untimed, before each run
	cmd        string // split on blanks, exec'd without a shell, timed
}

// BenchmarkCrun: crun run (run-to-exit), crun run -d (start), crun delete
// -f (destroy).
func BenchmarkCrun(b *testing.B) {
	need(b, "crun")
	rootfs := testutil.BusyboxRoot(b)
	dir := b.TempDir()
	name := fmt.Sprintf("vlbench-%d-crun", os.Getpid())
	for k, args := range map[string][]string{"true": {"/bin/true"}, "sleep": {"/bin/sleep", "1000000"}} {
		if err := ociBundle(filepath.Join(dir, k), rootfs, args); err != nil {
			b.Fatal(err)
		}
	}
	del := "crun delete -f " + name + " >/dev/null 2>&1"
	runD := "crun run -d --bundle " + filepath.Join(dir, "sleep") + " " + name
	b.Cleanup(func() { _, _ = timeInNS(0, anchorRuns{prepare: del}) })
	anchorTimes(b, "crun", []anchorRuns{
		{"crun/run-to-exit", "crun run, init /bin/true", "", "crun run --bundle " + filepath.Join(dir, "true") + " " + name + "x"},
		{"crun/start", "crun run -d, init sleep", del, runD},
		{"crun/start-idle", "crun run -d after 100 ms idle", del + "; " + idlePause, runD},
		{"crun/destroy", "crun delete -f", del + "; " + runD + " >/dev/null 2>&1", "crun delete -f " + name},
	})
}

// BenchmarkLXC: lxc-start -F (run-to-exit), lxc-start (daemonized, start),
// lxc-stop -k (destroy, also after 2.5 s idle).
func BenchmarkLXC(b *testing.B) {
	need(b, "lxc-start")
	rootfs := testutil.BusyboxRoot(b)
	dir := b.TempDir()
	name := fmt.Sprintf("vlbench-%d-lxc", os.Getpid())
	for k, cmd := range map[string]string{"true": "/bin/true", "sleep": "/bin/sleep 1000000"} {
		if err := os.WriteFile(filepath.Join(dir, k+".conf"), []byte(lxcConf(rootfs, cmd)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	lxcArgs := " -n " + name + " -P " + dir
	stop := "lxc-stop -k" + lxcArgs + " >/dev/null 2>&1"
	start := "lxc-start" + lxcArgs + " -f " + filepath.Join(dir, "sleep.conf")
	b.Cleanup(func() {
		_, _ = timeInNS(0, anchorRuns{prepare: stop})
		removeLXCPivots()
	})
	lxcMemory(b, dir, filepath.Join(dir, "sleep.conf"), envCount("VIRTLXC_BENCH_MEMN", 100))
	anchorTimes(b, "lxc", []anchorRuns{
		{"lxc/run-to-exit", "lxc-start -F, init /bin/true", "", "lxc-start -F -n " + name + "x -P " + dir + " -f " + filepath.Join(dir, "true.conf")},
		{"lxc/start", "lxc-start (daemonized), init sleep", stop, start},
		{"lxc/start-idle", "lxc-start (daemonized) after 100 ms idle", stop + "; " + idlePause, start},
		{"lxc/destroy", "lxc-stop -k", stop + "; " + start + " >/dev/null 2>&1", "lxc-stop -k" + lxcArgs},
		{"lxc/destroy-idle", "lxc-stop -k after 2.5 s idle", stop + "; " + start + " >/dev/null 2>&1; " + destroyIdlePause, "lxc-stop -k" + lxcArgs},
	})
}

// idlePause is the shell form of idleBeforeStart.
var idlePause = fmt.Sprintf("sleep %g", idleBeforeStart.Seconds())

// destroyIdlePause is the idle before virtlxc's destroy-kept and
// destroy-idle figures (a started container left running 2.5 s), for
// lxc-stop's.
const destroyIdlePause = "sleep 2.5"

// need skips a benchmark whose tool is missing (make bench installs it).
func need(b *testing.B, tool string) {
	testutil.RequireRoot(b)
	if _, err := exec.LookPath(tool); err != nil {
		b.Skipf("%s not installed (scripts/bench-deps.sh installs it)", tool)
	}
}

// anchorTimes runs each command 30 times in the private namespace and
// records the samples under the tool's name.
func anchorTimes(b *testing.B, tool string, runs []anchorRuns) {
	for _, r := range runs {
		samples, err := timeInNS(30, r)
		if err != nil {
			b.Fatalf("%s: %v", r.key, err)
		}
		f := record(r.key, tool, "ms", r.title)
		for _, s := range samples {
			f.add(s)
		}
	}
	for b.Loop() { // b.Loop: the benchmark function runs once, not once per b.N
	}
}

// timeInNS runs the timer helper (this binary) in a private mount
// namespace: runs timed runs of r after two warm-ups, then r.prepare once
// more as the clean-up. Returns milliseconds.
func timeInNS(runs int, r anchorRuns) ([]float64, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding the test binary: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "--mount", "--propagation", "private", self, strconv.Itoa(runs), r.prepare, r.cmd)
	cmd.Env = append(os.Environ(), helperEnv+"=timer")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("timer: %w: %s", err, stderr.String())
	}
	var s []float64
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		return nil, fmt.Errorf("timer output %q: %w", out.String(), err)
	}
	return s, nil
}

// runTimer is the "timer" helper role: args are runs, prepare, command.
func runTimer(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("timer: want runs, prepare, command; got %q", args)
	}
	runs, err := strconv.Atoi(args[0])
	if err != nil {
		return fmt.Errorf("timer: runs: %w", err)
	}
	if err := hideUnified(); err != nil {
		return fmt.Errorf("timer: %w", err)
	}
	prepare, command := args[1], strings.Fields(args[2])
	sh := func() {
		if prepare != "" {
			_ = exec.Command("/bin/sh", "-c", prepare).Run()
		}
	}
	errf, err := stderrFile()
	if err != nil {
		return fmt.Errorf("timer: %w", err)
	}
	defer errf.Close()
	var samples []float64
	for i := 0; i < runs+2 && len(command) > 0; i++ {
		sh()
		el, err := runCaptured(exec.Command(command[0], command[1:]...), errf)
		if err != nil {
			sh()
			return fmt.Errorf("timer: %w", err)
		}
		if i >= 2 {
			samples = append(samples, float64(el.Nanoseconds())/1e6)
		}
	}
	sh()
	js, err := json.Marshal(samples)
	if err != nil {
		return fmt.Errorf("timer: %w", err)
	}
	_, err = os.Stdout.Write(js)
	return err
}

// ociBundle writes an OCI bundle (crun spec, then edited) running args.
func ociBundle(dir, rootfs string, args []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	c := exec.Command("crun", "spec")
	c.Dir = dir
	if out, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("crun spec: %w: %s", err, out)
	}
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	var spec map[string]any
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("bundle %s: %w", path, err)
	}
	spec["root"] = map[string]any{"path": rootfs, "readonly": false}
	spec["hostname"] = "vlbench"
	proc, _ := spec["process"].(map[string]any)
	linux, _ := spec["linux"].(map[string]any)
	if proc == nil || linux == nil {
		return fmt.Errorf("bundle %s: no process or linux section", path)
	}
	proc["terminal"], proc["args"] = false, args
	var ns []map[string]string
	for _, t := range []string{"pid", "ipc", "uts", "mount"} {
		ns = append(ns, map[string]string{"type": t})
	}
	linux["namespaces"] = ns
	if data, err = json.MarshalIndent(spec, "", " "); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	return nil
}

// lxcConf is an lxc config with the anchors' settings: the rootfs, no
// network namespace, an automatic /dev, init cmd.
func lxcConf(rootfs, cmd string) string {
	return "lxc.rootfs.path = dir:" + rootfs + "\n" +
		"lxc.uts.name = vlbench\nlxc.net.0.type = none\n" +
		"lxc.mount.auto = proc:mixed sys:ro cgroup:mixed\nlxc.autodev = 1\n" +
		"lxc.tty.max = 0\nlxc.pty.max = 16\nlxc.console.path = none\n" +
		"lxc.apparmor.profile = unconfined\nlxc.init.cmd = " + cmd + "\n"
}
