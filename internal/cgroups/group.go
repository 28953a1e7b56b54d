package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	occgroups "github.com/opencontainers/cgroups"
	_ "github.com/opencontainers/cgroups/devices" // registers DevicesSetV1/V2
	"github.com/opencontainers/cgroups/devices/config"
)

// Group is one container's cgroup: a directory in every hierarchy. It
// holds nothing but paths, so its methods may be called concurrently and
// a Group found again with Manager.Open behaves like the one Create made.
type Group struct {
	m    *Manager
	name string
	rel  string
	dirs []groupDir
}

type groupDir struct {
	h   *Hierarchy
	rel string // the group's path in h (Layout.UnifiedRel)
	dir string
}

// Name returns the domain name the group belongs to.
func (g *Group) Name() string { return g.name }

// RelPath returns the group's path relative to each hierarchy's root,
// e.g. /machine/web.libvirt-lxc.
func (g *Group) RelPath() string { return g.rel }

// Dirs returns the group's directory in every hierarchy it exists in.
func (g *Group) Dirs() []string {
	out := make([]string, 0, len(g.dirs))
	for _, d := range g.dirs {
		out = append(out, d.dir)
	}
	return out
}

// Path returns the group's directory for controller c, or "" when the
// controller is not available.
func (g *Group) Path(c Controller) string {
	h, ok := g.m.layout.Hierarchy(c)
	if !ok {
		return ""
	}
	for _, d := range g.dirs {
		if d.h == h {
			return d.dir
		}
	}
	return ""
}

// V2Dir returns the group's directory in the unified hierarchy ("" if
// there is none). complete reports whether that directory alone holds
// every controller (pure v2), so that clone3(CLONE_INTO_CGROUP) with it
// fully places a new process; on a hybrid host AddPid is still needed.
func (g *Group) V2Dir() (dir string, complete bool) {
	for _, d := range g.dirs {
		if d.h.Version == 2 {
			return d.dir, g.m.layout.Mode == ModeV2
		}
	}
	return "", false
}

// AddPid moves process pid into the group in every hierarchy.
func (g *Group) AddPid(pid int) error {
	if pid <= 0 {
		return fmt.Errorf("add pid %d to cgroup %s: invalid pid", pid, g.rel)
	}
	for _, d := range g.dirs {
		if err := writeFile(d.dir, "cgroup.procs", pidString(pid)); err != nil {
			return fmt.Errorf("add pid %d to cgroup: %w", pid, err)
		}
	}
	g.m.log.Debug("cgroup add pid", "name", g.name, "pid", pid)
	return nil
}

// Leave moves process pid back to the cgroup this process was in when the
// layout was detected (Hierarchy.Self), in every hierarchy: a controller
// that sits in its container's group (as libvirt's does, so that
// lxc-enter-namespace joins the right group through /proc/ID/cgroup)
// steps out before killing the group's processes and removing it.
func (g *Group) Leave(pid int) error {
	homes, _ := g.Homes()
	for _, home := range homes {
		if err := writeFile(home, "cgroup.procs", pidString(pid)); err != nil {
			return fmt.Errorf("move pid %d out of cgroup %s: %w", pid, g.rel, err)
		}
	}
	return nil
}

// Homes are the cgroup directories this process was in when the layout
// was detected, in every hierarchy of the group (all) and in its v1 ones.
func (g *Group) Homes() (all, v1 []string) {
	for _, d := range g.dirs {
		home := filepath.Join(d.h.Mount, strings.TrimPrefix(d.h.Self, d.h.Root))
		all = append(all, home)
		if d.h.Version == 1 {
			v1 = append(v1, home)
		}
	}
	return all, v1
}

// Pids returns the processes in the group and in any cgroup below it,
// across all hierarchies, sorted.
func (g *Group) Pids() ([]int, error) {
	var all []int
	for _, d := range g.dirs {
		pids, err := procsUnder(d.dir)
		if err != nil {
			return nil, err
		}
		all = append(all, pids...)
	}
	slices.Sort(all)
	return slices.Compact(all), nil
}

// Set applies lim to the existing group (live tuning). Only the set fields
// are written, with the same files and values as Create. On v2 a period
// without a quota keeps the current quota, as libvirt does.
func (g *Group) Set(lim Limits) error {
	curQuota := "max"
	if h, ok := g.m.layout.Hierarchy(CPU); ok && h.Version == 2 && lim.CPUPeriod != 0 && lim.CPUQuota == 0 {
		v, err := readFile(g.Path(CPU), "cpu.max")
		if err != nil {
			return fmt.Errorf("set cgroup limits: %w", err)
		}
		q, _, ok := strings.Cut(v, " ")
		if !ok {
			return fmt.Errorf("set cgroup limits: invalid 'cpu.max' data %q", v)
		}
		curQuota = q
	}
	probe := func(c Controller, file string) bool { return fileExists(g.Path(c), file) }
	writes, err := g.m.layout.plan(g.rel, lim, probe, curQuota)
	if err != nil {
		return fmt.Errorf("set cgroup limits: %w", err)
	}
	for _, w := range writes {
		if w.Dir == "" || !fileExists(w.Dir, "") {
			return fmt.Errorf("set cgroup limits: no %s directory for '%s'", w.Controller, g.name)
		}
		g.m.log.Debug("cgroup write", "file", w.Path(), "value", w.Value)
		if err := writeFile(w.Dir, w.File, w.Value); err != nil {
			return fmt.Errorf("set cgroup limits: %w", err)
		}
	}
	return nil
}

// SetDevices replaces the group's device policy with rules (normally from
// DeviceRules). On v1 a fresh group receives exactly libvirt's lines in
// order (devices.deny "a", then devices.allow ...); a group that already
// has a policy is moved to the new one with the minimal set of writes. On
// v2 an eBPF device filter is attached.
func (g *Group) SetDevices(rules []*DeviceRule) error {
	h, ok := g.m.layout.Hierarchy(Devices)
	dir := g.Path(Devices)
	if !ok || dir == "" {
		return fmt.Errorf("set device policy for '%s': devices controller is not available", g.name)
	}
	res := &occgroups.Resources{Devices: rules}
	if h.Version == 2 {
		if err := occgroups.DevicesSetV2(dir, res); err != nil {
			return fmt.Errorf("set device policy for '%s': %w", g.name, err)
		}
		return nil
	}
	list, err := readFile(dir, "devices.list")
	if err != nil {
		return fmt.Errorf("set device policy for '%s': %w", g.name, err)
	}
	if strings.TrimSpace(list) == "a *:* rwm" && len(rules) > 0 && isDenyAll(rules[0]) {
		for _, r := range rules {
			file, line := V1Write(r)
			g.m.log.Debug("cgroup device rule", "file", file, "rule", line)
			if err := writeFile(dir, file, line); err != nil {
				return fmt.Errorf("set device policy for '%s': %w", g.name, err)
			}
		}
		return nil
	}
	if err := occgroups.DevicesSetV1(dir, res); err != nil {
		return fmt.Errorf("set device policy for '%s': %w", g.name, err)
	}
	return nil
}

// Chown hands the group's unified directory to the container's root
// (uidmap[0].target, gidmap[0].target) when the domain has an <idmap>:
// the directory and its cgroup.procs, cgroup.threads and
// cgroup.subtree_control, so the container can manage sub-cgroups. Unlike
// libvirt, which chowns every file, the group's own limit files stay
// root's, so the container cannot lift its limits. v1 directories are
// not changed (libvirt only chowns the name=systemd hierarchy, where this
// package creates nothing).
func (g *Group) Chown(uid, gid int) error {
	dir, _ := g.V2Dir()
	if dir == "" {
		return nil
	}
	for _, f := range []string{"", "cgroup.procs", "cgroup.threads", "cgroup.subtree_control"} {
		path := filepath.Join(dir, f)
		if err := os.Lchown(path, uid, gid); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot chown '%s' to (%d, %d): %w", path, uid, gid, err)
		}
	}
	return nil
}

func isDenyAll(r *DeviceRule) bool {
	return r != nil && !r.Allow && r.Type == config.WildcardDevice
}

// errNoFreezer is returned by Freeze and Thaw without a freezer.
var errNoFreezer = errors.New("freezer is not available")

// ChangeDevice applies one rule added to or removed from a running
// group's device policy (a device attached to or detached from a running
// container): all is the whole policy after the change, changed the rule
// (Allow true: the device is now allowed; false: it no longer is). A v1
// hierarchy takes the one rule (devices.allow or devices.deny); a v2 one
// has no rule list to edit, and gets the whole policy as a new program.
func (g *Group) ChangeDevice(all []*DeviceRule, changed *DeviceRule) error {
	h, ok := g.m.layout.Hierarchy(Devices)
	dir := g.Path(Devices)
	if !ok || dir == "" {
		return fmt.Errorf("change device policy of '%s': devices controller is not available", g.name)
	}
	if h.Version == 2 {
		return g.SetDevices(all)
	}
	// A v1 rule allowed on a group does not reach the groups below it:
	// the container's init is in the payload group virtlxc made (the
	// kernel takes a denied one down by itself).
	file, line := V1Write(changed)
	g.m.log.Debug("cgroup device rule", "file", file, "rule", line)
	for _, d := range knownDirs(dir) {
		err := writeFile(d, file, line)
		if d != dir && errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return fmt.Errorf("change device policy of '%s': %w", g.name, err)
		}
	}
	return nil
}
