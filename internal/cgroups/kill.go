package cgroups

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"golang.org/x/sys/unix"
)

// Signal sends sig to every process of the group and of the cgroups below
// it (e.g. SIGTERM before a Kill). Processes that are already gone are
// ignored.
func (g *Group) Signal(sig unix.Signal) error {
	pids, err := g.Pids()
	if err != nil {
		return fmt.Errorf("signal cgroup '%s': %w", g.name, err)
	}
	return signalAll(pids, sig)
}

// Kill kills every process of the group and of the cgroups below it and
// returns once none is left. It uses v2 cgroup.kill when the group has a
// unified directory that offers it, and otherwise sends SIGKILL to every
// listed pid (freezing a v1 freezer group around the round, so nothing
// forks or exits meanwhile). A v1-frozen group is thawed so its tasks can
// die. Rounds repeat with a short backoff until the group is empty or ctx
// ends.
func (g *Group) Kill(ctx context.Context) error {
	b := newBackoff()
	for {
		pids, err := g.Pids()
		if err != nil {
			return fmt.Errorf("kill cgroup '%s': %w", g.name, err)
		}
		if len(pids) == 0 {
			return nil
		}
		if err := g.killRound(pids); err != nil {
			return fmt.Errorf("kill cgroup '%s': %w", g.name, err)
		}
		if err := b.wait(ctx); err != nil {
			return fmt.Errorf("kill cgroup '%s': %d processes refused to die: %w", g.name, len(pids), err)
		}
	}
}

// killRound kills pids once.
func (g *Group) killRound(pids []int) error {
	rest := pids
	if dir, _ := g.V2Dir(); dir != "" && fileExists(dir, "cgroup.kill") {
		inV2, err := procsUnder(dir) // read first: their pids may be reused after the kill
		if err == nil {
			err = writeFile(dir, "cgroup.kill", "1")
		}
		if err == nil {
			rest = slices.DeleteFunc(slices.Clone(pids), func(p int) bool { return slices.Contains(inV2, p) })
		} else {
			g.m.log.Debug("cgroup.kill failed, signalling pids", "name", g.name, "err", err)
		}
	}
	dir, v, ferr := g.freezer()
	v1Freezer := ferr == nil && v == 1
	if len(rest) > 0 {
		if v1Freezer {
			_ = writeFile(dir, "freezer.state", "FROZEN") // best effort: stop forks and exits
		}
		if err := signalAll(rest, unix.SIGKILL); err != nil {
			return err
		}
	}
	if v1Freezer {
		return thawV1(dir)
	}
	return nil
}

// thawV1 thaws a v1 freezer group and every group below it: a frozen task
// cannot die, and the container may have frozen its own groups. subtree
// is empty once the group is gone (removed by the controller's teardown
// while a destroy request still kills).
func thawV1(dir string) error {
	if err := writeFile(dir, "freezer.state", "THAWED"); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // already removed: nothing frozen there
		}
		return fmt.Errorf("unable to thaw all processes: %w", err)
	}
	if dirs, err := subtree(dir); err == nil && len(dirs) > 1 {
		for _, d := range dirs[1:] {
			_ = writeFile(d, "freezer.state", "THAWED")
		}
	}
	return nil
}

// StartKill begins killing the group's processes and returns at once: one
// v2 cgroup.kill where the unified directory offers it, and a thaw of a v1
// freezer group (and the groups below it) so that killed tasks can die.
// It reports whether cgroup.kill reached the processes; either way only
// Kill waits until none is left. The caller must not be in the group.
func (g *Group) StartKill() (bool, error) {
	killed := false
	if dir, _ := g.V2Dir(); dir != "" && fileExists(dir, "cgroup.kill") {
		if err := writeFile(dir, "cgroup.kill", "1"); err != nil {
			return false, fmt.Errorf("kill cgroup '%s': %w", g.name, err)
		}
		killed = true
	}
	if dir, v, err := g.freezer(); err == nil && v == 1 {
		if err := thawV1(dir); err != nil {
			return killed, fmt.Errorf("kill cgroup '%s': %w", g.name, err)
		}
	}
	return killed, nil
}

func signalAll(pids []int, sig unix.Signal) error {
	var errs []error
	for _, pid := range pids {
		if err := unix.Kill(pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
			errs = append(errs, fmt.Errorf("send %v to %d: %w", sig, pid, err))
		}
	}
	return errors.Join(errs...)
}

// Destroy kills whatever is left in the group and removes its directories
// and any cgroup below them, deepest first, in every hierarchy.
// Directories that are already gone are not an error. An empty group goes
// with a few rmdir calls (a removed cgroup had no task); only when one
// refuses are the processes killed and the hierarchies walked.
func (g *Group) Destroy(ctx context.Context) error {
	left := g.removeKnownDirs()
	if len(left) == 0 {
		g.m.log.Debug("cgroup destroyed", "name", g.name)
		return nil
	}
	if err := g.Kill(ctx); err != nil {
		return fmt.Errorf("destroy cgroup: %w", err)
	}
	var errs []error
	for _, d := range left {
		if err := removeTree(ctx, d.dir); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("destroy cgroup '%s': %w", g.name, err)
	}
	g.m.log.Debug("cgroup destroyed", "name", g.name)
	return nil
}

// RemoveEmpty removes the group's directories that are empty of tasks
// and hold no cgroup but the payload ones, deepest first, without killing
// or walking anything, and reports whether none is left. What is left
// (a task, an unknown cgroup below) stays for Destroy.
func (g *Group) RemoveEmpty() bool { return len(g.removeKnownDirs()) == 0 }

// removeKnownDirs removes each of the group's directories removeKnown can
// take, deepest first, and returns those it could not.
func (g *Group) removeKnownDirs() []groupDir {
	var left []groupDir
	for _, d := range slices.Backward(g.dirs) {
		if !removeKnown(d.dir) {
			left = append(left, d)
		}
	}
	return left
}

// removeKnown removes an emptied group that has no cgroups below it but
// the payload ones virtlxc makes, without listing directories; it reports
// false when something else is left there (removeTree then walks it).
func removeKnown(dir string) bool {
	known := knownDirs(dir)
	for i := len(known) - 1; i >= 0; i-- {
		d := known[i]
		if err := unix.Rmdir(d); err != nil && !errors.Is(err, unix.ENOENT) {
			return false
		}
	}
	return true
}
