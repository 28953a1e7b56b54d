package cgroups

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// SpareName is the machine name of the group a spare controller with pid
// makes ahead of need: lxc-<pid>, which a domain's (lxc-<pid>-<name>)
// is not, and on a hybrid host already the unified directory's name.
func SpareName(pid int) string { return MachineName(pid, "") }

// CreateSpare makes, for a spare controller with pid, the group a
// container it will run gets under the manager's naming — no limit,
// libvirt's default device policy, the payload directories
// (SplitPayload) — all but its name, which Adopt gives it. Not on a pure
// v2 host, where the name cannot change later.
func (m *Manager) CreateSpare(pid int) (*Group, error) {
	if m.layout.Mode == ModeV2 {
		return nil, errors.New("cgroups: a v2 group cannot be renamed")
	}
	g, err := m.Create(SpareName(pid), Limits{})
	if err != nil {
		return nil, err
	}
	if err = g.SetDevices(DeviceRules(DevicePolicy{})); err == nil {
		_, err = g.SplitPayload()
	}
	if err != nil {
		_ = g.Destroy(context.Background())
		return nil, err
	}
	return g, nil
}

// Adopt turns spare group s (CreateSpare) into domain name's group and
// applies lim: the v1 directories are renamed (a sibling rename, which
// moves no process), the unified one already has the group's name. It
// fails, leaving s under its own name, when a directory cannot take the
// name (another partition: not a sibling). The device policy stays the
// default one.
func (m *Manager) Adopt(s *Group, name string, lim Limits) (*Group, error) {
	g, err := m.checkedGroup(name, lim)
	if err != nil {
		return nil, err
	}
	if len(g.dirs) != len(s.dirs) {
		return nil, errors.New("cgroups: spare group of another layout")
	}
	var renamed [][2]string
	undo := func() {
		for i := len(renamed) - 1; i >= 0; i-- {
			_ = unix.Rename(renamed[i][1], renamed[i][0])
		}
	}
	for i, d := range s.dirs {
		to := g.dirs[i].dir
		if d.dir == to {
			continue
		}
		if d.h.Version != 1 {
			undo()
			return nil, fmt.Errorf("cgroups: cannot rename %s to %s on the unified hierarchy", d.dir, to)
		}
		if err := unix.Rename(d.dir, to); err != nil {
			undo()
			return nil, fmt.Errorf("create cgroup for '%s': renaming %s: %w", name, d.dir, err)
		}
		renamed = append(renamed, [2]string{d.dir, to})
	}
	if err := m.applyLimits(g, lim); err != nil {
		undo()
		return nil, err
	}
	m.log.Debug("cgroup adopted", "name", name, "path", g.rel, "spare", s.rel)
	return g, nil
}

// RemoveV1 removes the group's v1 directories: a spare group that was not
// adopted, whose unified directory the same controller's group takes.
func (g *Group) RemoveV1() {
	for _, d := range g.dirs {
		if d.h.Version == 1 {
			removeKnown(d.dir)
		}
	}
}
