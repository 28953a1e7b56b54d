package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// lxcMemory starts n idle lxc containers (init sleep, daemonized, in a
// private mount namespace as the timed anchors run) and records the RSS
// and PSS of each one's host-side helper: its monitor, init's parent, as
// ../shared/anchors/bench-anchors.sh finds it. n is the number virtlxc's
// BenchmarkIdleMemory100 runs, so that shared pages divide alike.
func lxcMemory(b *testing.B, dir, conf string, n int) {
	prefix := fmt.Sprintf("vlbench-%d-lxcm", os.Getpid())
	var start, stop strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&start, "lxc-start -n %s%d -P %s -f %s || exit 1\n", prefix, i, dir, conf)
		fmt.Fprintf(&stop, "lxc-stop -k -n %s%d -P %s >/dev/null 2>&1\n", prefix, i, dir)
	}
	defer func() {
		if err := inPrivateNS(stop.String()); err != nil {
			b.Errorf("stopping the lxc containers: %v", err)
		}
	}()
	if err := inPrivateNS(start.String()); err != nil {
		b.Fatalf("starting %d lxc containers: %v", n, err)
	}
	time.Sleep(2 * time.Second) // idle, as virtlxc's are measured
	rss := record("lxc/monitor-rss", "lxc", "MiB", fmt.Sprintf("lxc monitor RSS per container (%d running)", n))
	pss := record("lxc/monitor-pss", "lxc", "MiB", fmt.Sprintf("lxc monitor PSS per container (%d running)", n))
	for i := 0; i < n; i++ {
		mon, err := lxcMonitor(dir, prefix+strconv.Itoa(i))
		if err != nil {
			b.Fatal(err)
		}
		m, err := memOf(mon)
		if err != nil {
			b.Fatal(err)
		}
		rss.add(mib(m.RSS))
		pss.add(mib(m.PSS))
	}
}

// lxcMonitor is the pid of a running lxc container's monitor: its init's
// parent.
func lxcMonitor(dir, name string) (int, error) {
	out, err := exec.Command("lxc-info", "-n", name, "-P", dir, "-p", "-H").Output()
	if err != nil {
		return 0, fmt.Errorf("lxc-info %s: %w", name, err)
	}
	initPID, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return 0, fmt.Errorf("lxc-info %s: init pid %q", name, out)
	}
	mon := ppidOf(initPID)
	if mon <= 0 {
		return 0, fmt.Errorf("lxc container %s: init %d is gone", name, initPID)
	}
	return mon, nil
}

// inPrivateNS runs a shell script in a private mount namespace.
func inPrivateNS(script string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "unshare", "--mount", "--propagation", "private", "sh", "-c", script).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	return nil
}
