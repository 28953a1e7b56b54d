package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// reap is the last resort of a private daemon's clean-up, for a run that
// failed half-way: it kills what is left of this daemon's containers (the
// processes in its own cgroup partition and its controllers, by PID),
// removes the partition's cgroups and detaches mounts left under its
// root, then reports anything still there.
func (d *privDaemon) reap(controllers []int) {
	left := d.leftovers()
	if len(left) == 0 {
		return
	}
	for _, pid := range controllers {
		if strings.Contains(readFile(fmt.Sprintf("/proc/%d/cmdline", pid)), d.root) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	parts, _ := filepath.Glob("/sys/fs/cgroup/*/machine/" + d.scope + ".partition")
	for _, p := range parts {
		var dirs []string
		_ = filepath.WalkDir(p, func(path string, e os.DirEntry, err error) error {
			if err == nil && e.IsDir() && path != p {
				dirs = append(dirs, path)
			}
			return nil
		})
		slices.Reverse(dirs) // deepest first
		for _, dir := range dirs {
			for _, f := range strings.Fields(readFile(filepath.Join(dir, "cgroup.procs"))) {
				if pid, err := strconv.Atoi(f); err == nil {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		for _, dir := range dirs {
			for i := 0; i < 20 && os.Remove(dir) != nil; i++ {
				time.Sleep(50 * time.Millisecond)
			}
		}
		_ = os.Remove(p)
	}
	var mounts []string
	for _, l := range strings.Split(readFile("/proc/self/mountinfo"), "\n") {
		if f := strings.Fields(l); len(f) > 4 && strings.HasPrefix(f[4], d.root) && f[4] != d.run {
			mounts = append(mounts, f[4])
		}
	}
	slices.Reverse(mounts)
	for _, m := range mounts {
		_ = syscall.Unmount(m, syscall.MNT_DETACH)
	}
	fmt.Fprintf(os.Stderr, "bench: %d things left by a failed run, reaped: %v\n", len(left), left[:min(len(left), 5)])
	if still := d.leftovers(); len(still) > 0 {
		fmt.Fprintf(os.Stderr, "bench: still left: %v\n", still[:min(len(still), 5)])
	}
}
