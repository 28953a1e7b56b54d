package cgroups

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/procstat"
)

// FreezeTimeout bounds how long Freeze waits for the kernel to report the
// group frozen (libvirt checks at 1, 10, 100 and 1000 ms).
const FreezeTimeout = 1100 * time.Millisecond

// freezer returns the directory and hierarchy version that serve Freezer.
func (g *Group) freezer() (string, int, error) {
	h, ok := g.m.layout.Hierarchy(Freezer)
	dir := g.Path(Freezer)
	if !ok || dir == "" {
		return "", 0, fmt.Errorf("cgroup '%s': %w", g.name, errNoFreezer)
	}
	return dir, h.Version, nil
}

// Freeze stops every process of the group and waits, with a short
// backoff, until the kernel reports the group frozen (v1 freezer.state
// FROZEN, v2 "frozen 1" in cgroup.events). On timeout or error the group
// is thawed again and the error says the suspend failed.
func (g *Group) Freeze(ctx context.Context) error {
	dir, v, err := g.freezer()
	if err != nil {
		return fmt.Errorf("suspend operation failed: %w", err)
	}
	frozen := g.isFrozen(dir, v)
	if v == 1 {
		err = freezeV1(dir)
		// As libvirt does, every check that finds the group still
		// FREEZING writes FROZEN again: the kernel then signals each
		// task of the group not frozen yet once more.
		frozen = func() (bool, error) {
			ok, err := g.isFrozen(dir, 1)()
			if err == nil && !ok {
				err = freezeV1(dir)
			}
			return ok, err
		}
	} else {
		err = writeFile(dir, "cgroup.freeze", "1")
	}
	if err == nil {
		err = poll(ctx, FreezeTimeout, frozen)
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("not frozen after %v; %s", FreezeTimeout, taskStates(dir))
		}
	}
	if err != nil {
		if terr := g.Thaw(); terr != nil {
			g.m.log.Warn("cgroup thaw after failed freeze", "name", g.name, "err", terr)
		}
		return fmt.Errorf("suspend operation failed: %w", err)
	}
	g.m.log.Debug("cgroup frozen", "name", g.name)
	return nil
}

// freezeV1 asks a v1 freezer group to freeze; EBUSY says a freeze is
// already in progress.
func freezeV1(dir string) error {
	if err := writeFile(dir, "freezer.state", "FROZEN"); err != nil && !errors.Is(err, unix.EBUSY) {
		return err
	}
	return nil
}

// taskStates describes the tasks of the freezer group dir (and the groups
// below it), at most 16, for the error of a freeze that timed out: each
// task's id, command, state and the kernel function it waits in. (A
// task frozen in a freezable sleep keeps that sleep's function and
// shows state D, so frozen and unfrozen tasks are all listed.)
func taskStates(dir string) string {
	dirs, err := subtree(dir)
	if err != nil {
		return err.Error()
	}
	var out []string
	for _, d := range dirs {
		data, err := os.ReadFile(filepath.Join(d, "tasks"))
		if err != nil {
			data, _ = os.ReadFile(filepath.Join(d, "cgroup.threads"))
		}
		for _, tid := range strings.Fields(string(data)) {
			if t := describeTask(tid); t != "" && len(out) < 16 {
				out = append(out, t)
			}
		}
	}
	if len(out) == 0 {
		return "no task left"
	}
	return "tasks: " + strings.Join(out, ", ")
}

// describeTask is "TID (COMM) STATE in WCHAN", or "" for a task gone.
func describeTask(tid string) string {
	stat, err := os.ReadFile("/proc/" + tid + "/stat")
	if err != nil {
		return ""
	}
	comm := ""
	if i, j := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')'); i >= 0 && j > i {
		comm = string(stat[i+1 : j])
	}
	fields, err := procstat.Fields(string(stat))
	if err != nil || len(fields) == 0 {
		return ""
	}
	wchan, _ := os.ReadFile("/proc/" + tid + "/wchan")
	w := strings.TrimSpace(string(wchan))
	if w == "0" || w == "" { // running
		w = "-"
	}
	return fmt.Sprintf("%s (%s) %s in %s", tid, comm, fields[0], w)
}

// Thaw resumes every process of the group (v1 freezer.state THAWED, v2
// cgroup.freeze 0).
func (g *Group) Thaw() error {
	dir, v, err := g.freezer()
	if err == nil {
		if v == 1 {
			err = writeFile(dir, "freezer.state", "THAWED")
		} else {
			err = writeFile(dir, "cgroup.freeze", "0")
		}
	}
	if err != nil {
		return fmt.Errorf("resume operation failed: %w", err)
	}
	return nil
}

// Frozen reports whether the group is completely frozen.
func (g *Group) Frozen() (bool, error) {
	dir, v, err := g.freezer()
	if err != nil {
		return false, err
	}
	return g.isFrozen(dir, v)()
}

func (g *Group) isFrozen(dir string, v int) func() (bool, error) {
	return func() (bool, error) {
		if v == 1 {
			s, err := readFile(dir, "freezer.state")
			return s == "FROZEN", err
		}
		s, err := readFile(dir, "cgroup.events")
		return eventsValue(s, "frozen") == "1", err
	}
}

// eventsValue returns key's value in a cgroup.events text.
func eventsValue(text, key string) string {
	for _, line := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(line, " "); ok && k == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
