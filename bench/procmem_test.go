package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"virtlxc/internal/procstat"
)

// Host-side memory and leftovers, read from /proc and /sys.

// meminfoKiB is one /proc/meminfo field of the host, in KiB.
func meminfoKiB(field string) int64 {
	for _, l := range strings.Split(readFile("/proc/meminfo"), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && k == field {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// procMem is a process's resident and proportional set size, in KiB.
type procMem struct {
	RSS, PSS int64
}

// memOf reads VmRSS (status) and Pss (smaps_rollup) of pid.
func memOf(pid int) (procMem, error) {
	var m procMem
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m, fmt.Errorf("reading status of %d: %w", pid, err)
	}
	m.RSS = kibField(string(status), "VmRSS")
	rollup, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return m, fmt.Errorf("reading smaps_rollup of %d: %w", pid, err)
	}
	m.PSS = kibField(string(rollup), "Pss")
	return m, nil
}

// kibField is "Name:   123 kB" from a /proc file.
func kibField(text, name string) int64 {
	for _, l := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && k == name {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// procTree maps every process to its children.
func procTree() map[int][]int {
	tree := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp := ppidOf(p); pp > 0 {
			tree[pp] = append(tree[pp], p)
		}
	}
	return tree
}

// statFields are the fields of /proc/PID/stat after the command name
// (state first), nil if the process is gone.
func statFields(pid int) []string {
	f, _ := procstat.Read(strconv.Itoa(pid))
	return f
}

// ppidOf is the parent of pid (0 if gone).
func ppidOf(pid int) int {
	f := statFields(pid)
	if len(f) < 2 {
		return 0
	}
	p, _ := strconv.Atoi(f[1])
	return p
}

// hostSide returns pid and every descendant of it that shares its pid
// namespace: the host-side processes of one container (the container's
// own processes live in a new pid namespace).
func hostSide(tree map[int][]int, pid int) []int {
	ns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid))
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		for _, c := range tree[out[i]] {
			if cns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", c)); cns == ns {
				out = append(out, c)
			}
		}
	}
	return out
}

// controllerPid reads the controller's pid file of domain name.
func (d *privDaemon) controllerPid(name string) (int, error) {
	b, err := os.ReadFile(filepath.Join(d.root, "run/libvirt/lxc", name+".pid"))
	if err != nil {
		return 0, fmt.Errorf("controller pid of %s: %w", name, err)
	}
	p, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("controller pid of %s: %w", name, err)
	}
	return p, nil
}

// leftovers lists what a daemon's containers left behind: cgroup
// directories under its partition, processes of its children, mounts under
// its root — but not what a live daemon's spare controller holds (its
// process, cgroup and meminfo mount).
func (d *privDaemon) leftovers() []string {
	var out []string
	var spares []int
	if d.cmd.Process != nil {
		for _, c := range procTree()[d.cmd.Process.Pid] {
			if isSpare(c) {
				spares = append(spares, c) // the daemon's booted spare controller, no container's
				continue
			}
			out = append(out, fmt.Sprintf("process %d (%s)", c, strings.TrimSpace(readFile(fmt.Sprintf("/proc/%d/comm", c)))))
		}
	}
	parts, _ := filepath.Glob("/sys/fs/cgroup/*/machine/" + d.scope + ".partition")
	for _, p := range parts {
		ents, _ := os.ReadDir(p)
		for _, e := range ents {
			if item := "cgroup " + filepath.Join(p, e.Name()); e.IsDir() && !spareOwned(item, spares) {
				out = append(out, item)
			}
		}
	}
	for _, l := range strings.Split(readFile("/proc/self/mountinfo"), "\n") {
		if f := strings.Fields(l); len(f) > 4 && strings.HasPrefix(f[4], d.root) && f[4] != d.run && !spareOwned(f[4], spares) {
			out = append(out, "mount "+f[4])
		}
	}
	return out
}

// waitQuiet waits (up to 10 s) until the host's CPUs are at least 90 %
// idle over a 200 ms window, so that a figure does not measure the
// kernel's leftover work from the one before (cgroups and namespaces of
// destroyed containers are freed in the background); it returns how long
// it waited.
func waitQuiet() time.Duration {
	t0 := time.Now()
	ncpu := int64(runtime.NumCPU())
	for time.Since(t0) < 10*time.Second {
		b0 := busyTicks()
		time.Sleep(200 * time.Millisecond)
		if busy := busyTicks() - b0; busy*10 < 20*ncpu { // ticks are 10 ms: < 10 % of 20 per CPU
			break
		}
	}
	return time.Since(t0)
}

// busyTicks is the host's CPU time in use so far (all CPUs, every
// process: user+nice+system+irq+softirq+steal), in clock ticks (1/100 s).
func busyTicks() int64 {
	line, _, _ := strings.Cut(readFile("/proc/stat"), "\n")
	f := strings.Fields(line)
	var busy int64
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i != 3 && i != 4 && i < 8 { // not idle, not iowait, not guest
			busy += n
		}
	}
	return busy
}

// cpuTicks is a process's user+system CPU time, in clock ticks.
func cpuTicks(pid int) int64 {
	f := statFields(pid)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

// partitionCPU is the CPU time used so far inside the daemon's cgroup
// partition (every container's processes, hierarchical cpuacct), in ms.
func (d *privDaemon) partitionCPU() float64 {
	v := strings.TrimSpace(readFile("/sys/fs/cgroup/cpuacct/machine/" + d.scope + ".partition/cpuacct.usage"))
	ns, _ := strconv.ParseInt(v, 10, 64)
	return float64(ns) / 1e6
}

// mib converts KiB to MiB.
func mib(kib int64) float64 { return float64(kib) / 1024 }

// isSpare reports whether pid is an unclaimed spare controller (virtlxcd
// --spare-controller): its command line is "virtlxc-controller --spare
// ..." and its only child, if any, its spare init stage (a claimed one
// keeps that command line but runs its container's init).
func isSpare(pid int) bool {
	if a := argv(pid); len(a) < 2 || a[1] != "--spare" {
		return false
	}
	for _, c := range procTree()[pid] {
		if a := argv(c); len(a) < 3 || a[1] != "__virtlxc_init" || a[2] != "spare" {
			return false
		}
	}
	return true
}

// argv is pid's command line.
func argv(pid int) []string {
	return strings.Split(strings.TrimSuffix(readFile(fmt.Sprintf("/proc/%d/cmdline", pid)), "\x00"), "\x00")
}

// spareOwned reports whether leftover item (leftovers' form) is what a
// live spare controller among spares holds: its cgroup lxc-PID.libvirt-lxc
// or its meminfo mount STATE/spare/PID.fuse.
func spareOwned(item string, spares []int) bool {
	for _, p := range spares {
		if strings.HasSuffix(item, fmt.Sprintf("/lxc-%d.libvirt-lxc", p)) || strings.HasSuffix(item, fmt.Sprintf("/spare/%d.fuse", p)) {
			return true
		}
	}
	return false
}

// alive reports whether pid runs (a zombie does not: this machine's pid 1
// may never reap what it inherits).
func alive(pid int) bool {
	f := statFields(pid)
	return len(f) > 0 && f[0] != "Z"
}

// waitKept waits, at most timeout, until the keeper serves each of the n
// containers named prefix0000… (n < 0: the one named prefix) (its
// controller's pid runs virtlxc-keeper:
// the daemon hands them over one at a time once it has been quiet for a
// second, see internal/driver/keep.go); it returns how long it waited and
// how many the keeper serves. It makes no API call, which would hold the
// handoffs back. With VIRTLXC_KEEP_AFTER=off it returns at once.
func (d *privDaemon) waitKept(prefix string, n int, timeout time.Duration) (time.Duration, int) {
	t0 := time.Now()
	if os.Getenv("VIRTLXC_KEEP_AFTER") == "off" {
		return 0, 0
	}
	names := []string{prefix}
	if n >= 0 {
		names = names[:0]
		for i := 0; i < n; i++ {
			names = append(names, fmt.Sprintf("%s%04d", prefix, i))
		}
	}
	kept := 0
	for {
		kept = 0
		for _, name := range names {
			if pid, err := d.controllerPid(name); err == nil {
				if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); filepath.Base(exe) == "virtlxc-keeper" {
					kept++
				}
			}
		}
		if kept == len(names) || time.Since(t0) > timeout {
			return time.Since(t0), kept
		}
		time.Sleep(200 * time.Millisecond)
	}
}
