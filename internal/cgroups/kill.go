package cgroups

import (
	"context"
	"errors"
	"fmt"
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
		if err := writeFile(dir, "freezer.state", "THAWED"); err != nil {
			return fmt.Errorf("unable to thaw all processes: %w", err)
		}
		// A group below that froze itself (the container may freeze its
		// own cgroups) keeps its tasks from dying until thawed.
		// subtree is empty once the group is gone (removed by the
		// controller's teardown while a destroy request still kills).
		if dirs, err := subtree(dir); err == nil && len(dirs) > 1 {
			for _, d := range dirs[1:] {
				_ = writeFile(d, "freezer.state", "THAWED")
			}
		}
	}
	return nil
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
// Directories that are already gone are not an error.
func (g *Group) Destroy(ctx context.Context) error {
	if err := g.Kill(ctx); err != nil {
		return fmt.Errorf("destroy cgroup: %w", err)
	}
	var errs []error
	for _, d := range slices.Backward(g.dirs) {
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
