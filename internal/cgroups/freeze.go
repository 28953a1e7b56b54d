package cgroups

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sys/unix"
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
	if v == 1 {
		err = writeFile(dir, "freezer.state", "FROZEN")
		if errors.Is(err, unix.EBUSY) {
			err = nil // a freeze is already in progress
		}
	} else {
		err = writeFile(dir, "cgroup.freeze", "1")
	}
	if err == nil {
		err = poll(ctx, FreezeTimeout, g.isFrozen(dir, v))
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
