package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, ppid follows ')'.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
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

// spareOf waits for the daemon's idle spare controller and returns its pid.
func (d *daemon) spareOf(not int) int {
	d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, c := range children(d.cmd.Process.Pid) {
			if c != not && strings.HasSuffix(cmdline(c), " --spare") && len(children(c)) == 0 {
				return c
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	d.t.Fatal("virtlxcd keeps no spare controller")
	return 0
}

// TestSpareController: a start turns the daemon's booted spare into the
// container's controller (the domain id is the spare's pid), a new spare
// boots after it, and the daemon's stop ends the unclaimed spare.
func TestSpareController(t *testing.T) {
	d := startDaemon(t)
	spare := d.spareOf(0)
	d.startHostRoot("sp", "echo @@ran-by-spare; "+idleScript)
	if id := d.domid("sp"); id != strconv.Itoa(spare) {
		t.Fatalf("domain id %s, want the spare's pid %d", id, spare)
	}
	next := d.spareOf(spare)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(d.readLog("sp"), "@@ran-by-spare") {
		if time.Now().After(deadline) {
			t.Fatalf("the container's output is not in its log:\n%s", d.readLog("sp"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if log := d.readLog("sp"); !strings.Contains(log, "virtlxc-controller --name sp --config ") {
		t.Errorf("log preamble lacks the controller's command line:\n%s", log)
	}
	if r := d.virtlxc("destroy", "sp"); r.rc != 0 {
		t.Fatal(r)
	}
	d.stop()
	deadline = time.Now().Add(5 * time.Second)
	for syscall.Kill(next, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("spare controller %d outlived the daemon", next)
		}
		time.Sleep(10 * time.Millisecond)
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
		if c != id && strings.HasSuffix(cmdline(c), " --spare") {
			t.Errorf("a spare controller runs: %d", c)
		}
	}
}
