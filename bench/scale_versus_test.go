package bench

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/testutil"
)

// Figure 6's anchors (issue 8: every figure for virtlxc and for each
// anchor in the same run): lxc-start, daemonized (a monitor process stays
// per container, as virtlxc's controller does), and crun run -d (no
// process of its own stays) start as many idle containers as
// BenchmarkDensity, 4 at a time, twice, each round destroyed before the
// next. Timed by this test binary's "parallel" helper role inside a
// private mount namespace, as the other anchors are.
//
// Order: `go test` runs a package's benchmarks file by file in name
// order, and this file sorts after scale_test.go, so these rounds run
// after virtlxc's two, on pages those freed (some reported to the
// hypervisor again by then, some not): an order that can only favour the
// anchors on a VM whose fresh pages cost a hypervisor fault (RESULTS.md,
// "Density").

// densityWorkers is how many starts run at once, as startMany's
// connections in BenchmarkDensity.
const densityWorkers = 4

// BenchmarkDensityLXC: n × lxc-start (daemonized), then n × lxc-stop -k.
func BenchmarkDensityLXC(b *testing.B) {
	need(b, "lxc-start")
	dir := b.TempDir()
	conf := filepath.Join(dir, "sleep.conf")
	if err := os.WriteFile(conf, []byte(lxcConf(testutil.BusyboxRoot(b), "/bin/sleep 1000000")), 0o644); err != nil {
		b.Fatal(err)
	}
	prefix := fmt.Sprintf("vlbench-%d-lxcd", os.Getpid())
	b.Cleanup(removeLXCPivots)
	densityAnchor(b, "lxc", "lxc-start (daemonized)",
		func(name string) string { return "lxc-start -n " + name + " -P " + dir + " -f " + conf },
		func(name string) string { return "lxc-stop -k -n " + name + " -P " + dir }, prefix)
}

// BenchmarkDensityCrun: n × crun run -d, then n × crun delete -f.
func BenchmarkDensityCrun(b *testing.B) {
	need(b, "crun")
	bundle := filepath.Join(b.TempDir(), "sleep")
	if err := ociBundle(bundle, testutil.BusyboxRoot(b), []string{"/bin/sleep", "1000000"}); err != nil {
		b.Fatal(err)
	}
	prefix := fmt.Sprintf("vlbench-%d-crund", os.Getpid())
	densityAnchor(b, "crun", "crun run -d",
		func(name string) string { return "crun run -d --bundle " + bundle + " " + name },
		func(name string) string { return "crun delete -f " + name }, prefix)
}

// removeLXCPivots removes the empty lxc.pivot group lxc leaves in each v1
// hierarchy.
func removeLXCPivots() {
	pivots, _ := filepath.Glob("/sys/fs/cgroup/*/lxc.pivot")
	for _, p := range pivots {
		_ = os.Remove(p)
	}
}

// densityRound is what the "parallel" helper reports of one round.
type densityRound struct {
	Start     float64 `json:"start_s"`      // wall time of the n starts
	BusyTicks int64   `json:"busy_ticks"`   // host CPU meanwhile (busyTicks)
	MemDrop   int64   `json:"mem_drop_kib"` // MemAvailable drop, 2 s after the last start
	Running   int     `json:"running"`      // anchorInit processes then
	Stop      float64 `json:"stop_s"`       // wall time of the n stops
	Err       string  `json:"err,omitempty"`
}

// densityAnchor runs the two rounds of one tool and records them beside
// virtlxc's density figures.
func densityAnchor(b *testing.B, tool, what string, start, stop func(string) string, prefix string) {
	n := envCount("VIRTLXC_BENCH_DENSITY", 1000)
	for round, suffix := range []string{"", "-again"} {
		var starts, stops strings.Builder
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("%s%d-%04d", prefix, round, i)
			fmt.Fprintln(&starts, start(name))
			fmt.Fprintln(&stops, stop(name))
		}
		quiet := waitQuiet()
		r, err := parallelInNS(starts.String(), stops.String())
		if err != nil {
			b.Fatalf("%s, %d containers: %v", what, n, err)
		}
		again := ""
		if round == 1 {
			again = ", again right after the first round's were destroyed"
		}
		f := record(tool+"/density-start"+suffix, tool, "s", fmt.Sprintf("%s × %d, %d at a time%s", what, n, densityWorkers, again))
		f.add(r.Start)
		f.note(fmt.Sprintf("started once the host's CPUs were 90 %% idle (waited %.1f s for it); the %d stops took %.1f s", quiet.Seconds(), n, r.Stop))
		record(tool+"/density-cpu-per-start"+suffix, tool, "ms", fmt.Sprintf("%s × %d: host CPU time per container started%s", what, n, again)).
			add(float64(r.BusyTicks) * 10 / float64(n))
		if round == 0 {
			record(tool+"/density-mem-used", tool, "MiB", fmt.Sprintf("%s × %d: host MemAvailable drop with all running", what, n)).
				add(mib(r.MemDrop))
		}
	}
	for b.Loop() { // b.Loop: the benchmark function runs once, not once per b.N
	}
}

// parallelInNS runs the "parallel" helper in a private mount namespace:
// the start commands (one per line), densityWorkers at a time, then the
// stop commands.
func parallelInNS(starts, stops string) (densityRound, error) {
	var r densityRound
	self, err := os.Executable()
	if err != nil {
		return r, fmt.Errorf("finding the test binary: %w", err)
	}
	dir, err := os.MkdirTemp("", "vlbench-parallel-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	startFile, stopFile := filepath.Join(dir, "start"), filepath.Join(dir, "stop")
	if err := os.WriteFile(startFile, []byte(starts), 0o644); err != nil {
		return r, err
	}
	if err := os.WriteFile(stopFile, []byte(stops), 0o644); err != nil {
		return r, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "--mount", "--propagation", "private", self, startFile, stopFile)
	cmd.Env = append(os.Environ(), helperEnv+"=parallel")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	runErr := cmd.Run()
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return r, fmt.Errorf("parallel helper: %v: output %q: %s", runErr, out.String(), stderr.String())
	}
	if r.Err != "" {
		return r, fmt.Errorf("%s", r.Err)
	}
	if runErr != nil {
		return r, fmt.Errorf("parallel helper: %w: %s", runErr, stderr.String())
	}
	return r, nil
}

// runParallel is the "parallel" helper role: args are the start and stop
// command files. It prints a densityRound as JSON; a start that fails
// ends the starts (the stops all run).
func runParallel(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("parallel: want the start and stop command files, got %q", args)
	}
	if err := hideUnified(); err != nil {
		return err
	}
	starts, err := commandLines(args[0])
	if err != nil {
		return err
	}
	stops, err := commandLines(args[1])
	if err != nil {
		return err
	}
	var r densityRound
	avail0, cpu0, t0 := meminfoKiB("MemAvailable"), busyTicks(), time.Now()
	startErr := runAll(starts, densityWorkers)
	r.Start, r.BusyTicks = time.Since(t0).Seconds(), busyTicks()-cpu0
	if startErr == nil {
		time.Sleep(2 * time.Second)
		r.MemDrop = avail0 - meminfoKiB("MemAvailable")
		if r.Running = countAnchorInits(); r.Running < len(starts) {
			startErr = fmt.Errorf("%d starts returned, but only %d containers' init runs", len(starts), r.Running)
		}
	}
	t1 := time.Now()
	stopErr := runAll(stops, densityWorkers)
	r.Stop = time.Since(t1).Seconds()
	switch {
	case startErr != nil:
		r.Err = startErr.Error()
	case stopErr != nil:
		r.Err = "stopping: " + stopErr.Error()
	}
	return json.NewEncoder(os.Stdout).Encode(r)
}

// anchorInit is the command line of the anchors' containers' init
// (busybox sleep).
const anchorInit = "/bin/sleep\x001000000\x00"

// countAnchorInits counts the host's processes running anchorInit.
func countAnchorInits() int {
	n := 0
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, d := range dirs {
		if data, err := os.ReadFile(d); err == nil && string(data) == anchorInit {
			n++
		}
	}
	return n
}

// hideUnified unmounts the cgroup2 hierarchy of this (private) mount
// namespace, which crun 1.8 refuses beside v1 ones, as the other anchors
// run.
func hideUnified() error {
	if strings.Contains(readFile("/proc/self/mountinfo"), " /sys/fs/cgroup/unified ") {
		if err := unix.Unmount("/sys/fs/cgroup/unified", 0); err != nil {
			return fmt.Errorf("unmounting the cgroup2 hierarchy: %w", err)
		}
	}
	return nil
}

// commandLines reads a file of commands, one per line, split on blanks.
func commandLines(path string) ([][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("parallel: %w", err)
	}
	var cmds [][]string
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			cmds = append(cmds, f)
		}
	}
	return cmds, nil
}

// runAll runs cmds, workers at a time, each exec'd without a shell; the
// first failure stops the feeding and is returned.
func runAll(cmds [][]string, workers int) error {
	next := make(chan []string)
	var mu sync.Mutex
	var first error
	failed := func() bool { mu.Lock(); defer mu.Unlock(); return first != nil }
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		errf, err := stderrFile()
		if err != nil {
			close(next)
			wg.Wait()
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer errf.Close()
			for c := range next {
				if _, err := runCaptured(exec.Command(c[0], c[1:]...), errf); err != nil {
					mu.Lock()
					first = cmp.Or(first, err)
					mu.Unlock()
				}
			}
		}()
	}
	for _, c := range cmds {
		if failed() {
			break
		}
		next <- c
	}
	close(next)
	wg.Wait()
	return first
}

// stderrFile is an unlinked temporary file for commands' stderr: a file,
// not a pipe, because a detached container keeps its stderr open.
func stderrFile() (*os.File, error) {
	f, err := os.CreateTemp("", "vlbench-stderr-")
	if err != nil {
		return nil, err
	}
	_ = os.Remove(f.Name())
	return f, nil
}

// runCaptured runs c with its stderr in errf (emptied first) and returns
// how long c.Run took; an error quotes the command and its stderr.
func runCaptured(c *exec.Cmd, errf *os.File) (time.Duration, error) {
	_ = errf.Truncate(0)
	_, _ = errf.Seek(0, 0)
	c.Stderr = errf
	t0 := time.Now()
	err := c.Run()
	el := time.Since(t0)
	if err != nil {
		_, _ = errf.Seek(0, 0)
		msg, _ := io.ReadAll(errf)
		return el, fmt.Errorf("%s: %w: %s", strings.Join(c.Args, " "), err, bytes.TrimSpace(msg))
	}
	return el, nil
}
