package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"virtlxc/internal/procstat"
)

// children lists the pids whose parent is pid.
func children(pid int) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		c, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		f, err := procstat.Read(strconv.Itoa(c))
		if err != nil {
			continue
		}
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, c)
		}
	}
	return out
}

// cmdline is pid's command line, arguments separated by spaces.
func cmdline(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
}

// spares waits until the daemon keeps n idle spare controllers, each with
// its spare init stage, none of them in not, and returns them (spare pid →
// stage pid).
func (d *daemon) spares(not int, n int) map[int]int {
	d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		found := map[int]int{}
		for _, c := range children(d.cmd.Process.Pid) {
			kids := children(c)
			if c != not && strings.Contains(cmdline(c)+" ", " --spare ") && len(kids) == 1 &&
				strings.HasSuffix(cmdline(kids[0]), " __virtlxc_init spare") {
				found[c] = kids[0]
			}
		}
		if len(found) == n {
			return found
		}
		time.Sleep(10 * time.Millisecond)
	}
	d.t.Fatalf("virtlxcd does not keep %d spare controllers with spare init stages", n)
	return nil
}

// sparesKept is how many spares a daemon keeps (driver.sparesKept).
const sparesKept = 2

// TestSpareController: a start turns the daemon's booted spare into the
// container's controller (the domain id is the spare's pid), a new spare
// boots after it, and the daemon's stop ends the unclaimed spare. The
// spare's init stage, booted with it, becomes the container's init, at
// normal priority.
func TestSpareController(t *testing.T) {
	d := startDaemon(t)
	all := d.spares(0, sparesKept)
	// Every thread at 19 once a spare has booted (it lowers the threads
	// its runtime made before the daemon's setpriority landed).
	deadline := time.Now().Add(10 * time.Second)
	for s := range all {
		for n := nices(s); len(n) == 0 || strings.Trim(strings.Join(n, ""), "19") != ""; n = nices(s) {
			if time.Now().After(deadline) {
				t.Fatalf("spare %d threads' nice values %v, want 19", s, n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// The oldest spare is the one a start takes (started in the same
	// clock tick: the lower pid, made first).
	spare := 0
	for s := range all {
		if spare == 0 || started(s) < started(spare) || started(s) == started(spare) && s < spare {
			spare = s
		}
	}
	stage := all[spare]
	// On a hybrid host the stage waits inside the unified group the
	// container will have (named after the controller's pid): a start
	// moves no process between cgroups.
	hybrid := false
	if _, err := os.Stat("/sys/fs/cgroup/unified/cgroup.procs"); err == nil {
		hybrid = true
		want := fmt.Sprintf("/lxc-%d.libvirt-lxc", spare)
		if got := cgroupLine(stage, "0::"); !strings.HasSuffix(got, want) {
			t.Errorf("spare stage's unified cgroup %q, want …%s", got, want)
		}
	}
	// The spare has its meminfo filesystem ready, mounted detached (its
	// /dev/fuse open, nothing on the host); the container takes it.
	fuse := func(pid int) string {
		return filepath.Join(d.root, "run/libvirt/lxc/spare", strconv.Itoa(pid)+".fuse")
	}
	if !holdsFile(spare, "/dev/fuse") {
		t.Errorf("spare %d has no /dev/fuse open", spare)
	}
	if mounted(fuse(spare)) {
		t.Errorf("spare's meminfo filesystem is mounted on the host at %s", fuse(spare))
	}
	// And its cgroup, with the payload directories and libvirt's default
	// device policy, which the container's group becomes by a rename.
	if dirs := spareGroups(spare); len(dirs) == 0 {
		t.Errorf("no spare cgroup lxc-%d.libvirt-lxc", spare)
	}
	if dirs, _ := filepath.Glob(fmt.Sprintf("/sys/fs/cgroup/devices/machine/*/lxc-%d.libvirt-lxc/payload", spare)); len(dirs) != 1 {
		t.Errorf("spare cgroup's devices payload: %v", dirs)
	}
	d.startHostRoot("sp", "echo @@ran-by-spare; cat /proc/meminfo; "+idleScript)
	// The container's init and the controller's main thread are in the
	// container's v1 groups, init below its payload where the device
	// policy sits; the controller's other threads are not moved.
	if got := cgroupLine(stage, ":devices:"); !strings.HasSuffix(got, fmt.Sprintf("/lxc-%d-sp.libvirt-lxc/payload", spare)) {
		t.Errorf("init's devices cgroup %q", got)
	}
	if got := cgroupLine(spare, ":devices:"); !strings.HasSuffix(got, fmt.Sprintf("/lxc-%d-sp.libvirt-lxc", spare)) {
		t.Errorf("controller's devices cgroup %q", got)
	}
	if hybrid {
		if got := cgroupLine(stage, "0::"); !strings.HasSuffix(got, fmt.Sprintf("/lxc-%d.libvirt-lxc", spare)) {
			t.Errorf("init's unified cgroup %q", got)
		}
	} else if dirs := spareGroups(spare); len(dirs) > 0 {
		t.Errorf("spare cgroup left beside the container's: %v", dirs)
	}
	if dirs, _ := filepath.Glob(fmt.Sprintf("/sys/fs/cgroup/*/machine/*/lxc-%d.libvirt-lxc", spare)); hybrid && len(dirs) != 1 {
		t.Errorf("v1 spare cgroups not renamed: %v", dirs)
	}
	if id := d.domid("sp"); id != strconv.Itoa(spare) {
		t.Fatalf("domain id %s, want the spare's pid %d", id, spare)
	}
	next := d.spares(spare, sparesKept) // the pool refilled
	if n := nices(spare); len(n) == 0 || strings.Trim(strings.Join(n, ""), "0") != "" {
		t.Errorf("claimed controller threads' nice values %v, want 0", n)
	}
	if kids := children(spare); len(kids) != 1 || kids[0] != stage {
		t.Errorf("controller %d has children %v, want its spare stage %d as init", spare, kids, stage)
	}
	if got := cmdline(stage); !strings.HasPrefix(got, "/bin/sh ") {
		t.Errorf("init %d runs %q, want the domain's init", stage, got)
	}
	if got := cmdline(spare); !strings.Contains(got, " --name sp --config ") || strings.Contains(got, "--spare") {
		t.Errorf("claimed controller's command line %q, want its domain's", got)
	}
	if n := nices(stage); len(n) == 0 || strings.Trim(strings.Join(n, ""), "0") != "" {
		t.Errorf("init's nice values %v, want 0", n)
	}
	deadline = time.Now().Add(10 * time.Second)
	// The echo, then meminfo (through the controller's FUSE server): the
	// relay may log them apart.
	for log := d.readLog("sp"); !strings.Contains(log, "@@ran-by-spare") || !strings.Contains(log, "MemTotal:"); log = d.readLog("sp") {
		if time.Now().After(deadline) {
			t.Fatalf("the container's output is not in its log:\n%s", d.readLog("sp"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Served by the claimed controller: the domain's 128 MiB.
	if log := d.readLog("sp"); !strings.Contains(log, "MemTotal:         131072 kB") {
		t.Errorf("the container's /proc/meminfo is not its own:\n%s", log)
	}
	if log := d.readLog("sp"); !strings.Contains(log, "virtlxc-controller --name sp --config ") {
		t.Errorf("log preamble lacks the controller's command line:\n%s", log)
	}
	if r := d.virtlxc("destroy", "sp"); r.rc != 0 {
		t.Fatal(r)
	}
	d.stop()
	deadline = time.Now().Add(5 * time.Second)
	pids := []int{spare}
	for s, st := range next {
		for syscall.Kill(s, 0) == nil || syscall.Kill(st, 0) == nil {
			if time.Now().After(deadline) {
				t.Fatalf("spare controller %d or its stage %d outlived the daemon", s, st)
			}
			time.Sleep(10 * time.Millisecond)
		}
		pids = append(pids, s)
	}
	for _, pid := range pids {
		if dirs := spareGroups(pid); len(dirs) > 0 {
			t.Errorf("spare cgroup left behind: %v", dirs)
		}
		if mounted(fuse(pid)) {
			t.Errorf("%s is still mounted", fuse(pid))
		}
		if _, err := os.Stat(fuse(pid)); err == nil {
			t.Errorf("%s is left behind", fuse(pid))
		}
	}
}

// TestNoSpareController: with --spare-controller no every controller is
// exec'd with its own command line.
func TestNoSpareController(t *testing.T) {
	d := startDaemon(t, "--spare-controller", "no")
	d.startHostRoot("nsp", idleScript)
	id, _ := strconv.Atoi(d.domid("nsp"))
	if got := cmdline(id); !strings.Contains(got, "--name nsp") {
		t.Errorf("controller command line %q", got)
	}
	for _, c := range children(d.cmd.Process.Pid) {
		if c != id && strings.Contains(cmdline(c)+" ", " --spare ") {
			t.Errorf("a spare controller runs: %d", c)
		}
	}
}

// TestControllerCleansUpWithoutDaemon: a container whose init exits while
// its daemon is stopped loses its cgroups anyway: the controller removes
// them itself once the daemon that would have is gone.
func TestControllerCleansUpWithoutDaemon(t *testing.T) {
	d := startDaemon(t)
	flag := filepath.Join(d.root, "exit-now")
	d.startHostRoot("orphan", "while [ ! -e "+flag+" ]; do sleep 0.05; done")
	id, _ := strconv.Atoi(d.domid("orphan"))
	groups, _ := filepath.Glob(fmt.Sprintf("/sys/fs/cgroup/*/machine/*.partition/lxc-%d-orphan.libvirt-lxc", id))
	// On a hybrid host the unified directory is named after the pid alone.
	unified, _ := filepath.Glob(fmt.Sprintf("/sys/fs/cgroup/unified/machine/*.partition/lxc-%d.libvirt-lxc", id))
	groups = append(groups, unified...)
	if len(groups) == 0 {
		t.Fatal("no cgroup found for the container")
	}
	// The daemon leaves its (then empty) partition behind: it stopped
	// while the container ran.
	t.Cleanup(func() {
		for _, g := range groups {
			_ = os.Remove(filepath.Dir(g))
		}
	})
	// SIGTERM: the daemon leaves, the container keeps running.
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = d.cmd.Wait()
	if syscall.Kill(id, 0) != nil {
		t.Fatal("the controller did not survive its daemon")
	}
	if err := os.WriteFile(flag, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Orphaned by its daemon, the controller is reaped by pid 1, late:
	// exited is enough.
	deadline := time.Now().Add(10 * time.Second)
	for running(id) {
		if time.Now().After(deadline) {
			t.Fatal("the controller did not exit after its init")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, g := range groups {
		if _, err := os.Stat(g); err == nil {
			t.Errorf("cgroup left: %s", g)
		}
	}
}

// running reports whether pid exists and is not a zombie.
func running(pid int) bool {
	f, err := procstat.Read(strconv.Itoa(pid))
	return err == nil && len(f) > 0 && f[0] != "Z"
}

// nices lists the nice value of each thread of pid.
func nices(pid int) []string {
	var out []string
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, task := range tasks {
		f, err := procstat.Read(fmt.Sprintf("%d/task/%s", pid, task.Name()))
		if err != nil {
			continue
		}
		if len(f) > 16 {
			out = append(out, f[16])
		}
	}
	return out
}

// cgroupLine is the line of /proc/PID/cgroup that starts with key (the
// unified one: "0::") or holds it (":devices:").
func cgroupLine(pid int, key string) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, key) || strings.HasPrefix(key, ":") && strings.Contains(l, key) {
			return l
		}
	}
	return ""
}

// holdsFile reports whether process pid has path open.
func holdsFile(pid int, path string) bool {
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		if l, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); l == path {
			return true
		}
	}
	return false
}

// mounted reports whether dir is a mount point in this mount namespace.
func mounted(dir string) bool {
	b, _ := os.ReadFile("/proc/self/mountinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 4 && f[4] == dir {
			return true
		}
	}
	return false
}

// spareGroups lists the directories of spare controller pid's own cgroup
// (lxc-PID.libvirt-lxc) in every hierarchy.
func spareGroups(pid int) []string {
	dirs, _ := filepath.Glob(fmt.Sprintf("/sys/fs/cgroup/*/machine/*/lxc-%d.libvirt-lxc", pid))
	return dirs
}

// started is pid's start time (clock ticks since boot), 0 if unknown.
func started(pid int) uint64 {
	f, err := procstat.Read(strconv.Itoa(pid))
	if err != nil {
		return 0
	}
	v, _ := procstat.Uint(f, 22)
	return v
}
