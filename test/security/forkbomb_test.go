package security

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pidsDir is the pids cgroup directory of process pid, from its
// /proc/PID/cgroup ("" when the pids controller is not mounted).
func pidsDir(t *testing.T, pid string) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + pid + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.SplitN(l, ":", 3)
		if len(f) == 3 && f[1] == "pids" {
			return filepath.Join("/sys/fs/cgroup/pids", f[2])
		}
		if len(f) == 3 && f[0] == "0" && f[1] == "" {
			if _, err := os.Stat("/sys/fs/cgroup/pids.max"); err == nil { // pure v2
				return filepath.Join("/sys/fs/cgroup", f[2])
			}
		}
	}
	return ""
}

// countTasks counts the threads listed in the tasks files under dir.
func countTasks(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Name() == "tasks" {
			n += len(strings.Fields(readHost(t, p)))
		}
		return nil
	})
	return n
}

// readInt reads a one-number cgroup file.
func readInt(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return n
}

// A fork bomb inside a container with <virtlxc:pids max='48'/> never has
// more than 48 tasks (counted on the host) and hits the limit
// (pids.events count refused forks); meanwhile the daemon lists domains
// quickly, and the controller, whose tasks the limit does not count, takes
// the destroy that stops the container and removes its cgroups.
//
// With <idmap> the mapped root cannot split its group: the controller
// moves the limit to the payload group and init under it itself.
func TestForkBombBounded(t *testing.T) {
	t.Run("root", func(t *testing.T) { forkBomb(t, false) })
	t.Run("idmap", func(t *testing.T) { forkBomb(t, true) })
}

func forkBomb(t *testing.T, idmap bool) {
	const limit = 48
	d := startDaemon(t)
	root := busyboxRoot(t)
	if idmap {
		root = idmapRoot(t)
	}
	a := inRoot(t, root)
	name := "bomb" + strconv.Itoa(os.Getpid())
	meta := "<metadata><virtlxc:security xmlns:virtlxc='https://virtlxc.dev/xmlns/1.0'><virtlxc:pids max='" + strconv.Itoa(limit) + "'/></virtlxc:security></metadata>"
	if idmap {
		name += "u"
		meta += idmapXML
	}
	script := "GOMAXPROCS=1 GOGC=off exec " + a + " forkbomb=4"
	d.define(name, domainXML(name, script, rootFS(root, false), meta))
	id, err := d.virtlxc("domid", name)
	if err != nil {
		t.Fatal(err)
	}
	id = strings.TrimSpace(id)
	group := pidsDir(t, id)
	if group == "" {
		t.Skip("kernel feature missing: no pids cgroup controller mounted")
	}
	// The limit sits on the container's payload group, below the
	// controller's (cgroups.Group.SplitPayload).
	dir := filepath.Join(group, "payload")
	if got := readInt(t, filepath.Join(dir, "pids.max")); got != limit {
		t.Fatalf("pids.max = %d, want %d", got, limit)
	}
	peak, slow := 0, time.Duration(0)
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
		// Tasks counted in the tasks files (pids.current may overshoot
		// for an instant while a refused fork is charged and reverted).
		if n := countTasks(t, dir); n > peak {
			peak = n
		}
		t0 := time.Now()
		if _, err := d.virtlxc("list", "--all"); err != nil {
			t.Errorf("list during the fork bomb: %v", err)
		}
		if el := time.Since(t0); el > slow {
			slow = el
		}
	}
	// Refused forks are counted where they were tried: the container's
	// own cgroup below the group.
	refused := 0
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Name() == "pids.events" {
			if f := strings.Fields(readHost(t, p)); len(f) == 2 && f[0] == "max" {
				n, _ := strconv.Atoi(f[1])
				refused += n
			}
		}
		return nil
	})
	t.Logf("peak tasks %d, slowest list %v, refused forks %d", peak, slow, refused)
	if peak > limit {
		t.Errorf("the container had %d tasks, over the limit %d", peak, limit)
	}
	if peak < limit-8 {
		t.Errorf("tasks peaked at %d: the bomb never came near the limit %d", peak, limit)
	}
	if refused == 0 {
		t.Error("pids.events: no fork was refused")
	}
	if slow > 2*time.Second {
		t.Errorf("the daemon took %v to list domains during the fork bomb", slow)
	}
	t0 := time.Now()
	if _, err := d.virtlxc("destroy", name); err != nil {
		t.Fatalf("destroy: %v\n%s", err, d.consoleLog(name))
	}
	t.Logf("destroy during the fork bomb took %v", time.Since(t0))
	// The controller, outside the limit, took the request itself.
	if log := d.log.String(); strings.Contains(log, "did not take the destroy request") {
		t.Errorf("the controller did not survive the fork bomb:\n%s", log)
	}
	for _, h := range []string{"pids", "memory", "cpu", "devices", "freezer"} {
		rel := strings.TrimPrefix(group, "/sys/fs/cgroup/pids")
		if _, err := os.Stat(filepath.Join("/sys/fs/cgroup", h, rel)); err == nil {
			t.Errorf("cgroup %s%s left after destroy", h, rel)
		}
	}
	if _, err := os.Stat("/proc/" + id); err == nil {
		t.Errorf("controller %s still running after destroy", id)
	}
}
