package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Manager creates and finds container groups for one daemon: one host
// layout, one partition and scope.
type Manager struct {
	layout *Layout
	naming Naming
	log    *slog.Logger
}

// NewManager returns a Manager for layout l that names groups with n and
// logs to log (nil discards).
func NewManager(l *Layout, n Naming, log *slog.Logger) (*Manager, error) {
	if l == nil {
		return nil, errors.New("cgroups: nil layout")
	}
	if _, err := n.PartitionPath(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Manager{layout: l, naming: n, log: log}, nil
}

// Layout returns the host layout the manager works on.
func (m *Manager) Layout() *Layout { return m.layout }

// GroupPath returns the path of domain name's group relative to each
// hierarchy's root.
func (m *Manager) GroupPath(name string) (string, error) { return m.naming.GroupPath(name) }

// Plan returns the writes Create would make for name and lim (see
// Layout.Plan).
func (m *Manager) Plan(name string, lim Limits, probe Probe) ([]Write, error) {
	rel, err := m.naming.GroupPath(name)
	if err != nil {
		return nil, err
	}
	return m.layout.Plan(rel, lim, probe)
}

// newGroup returns the Group for rel with one directory per hierarchy.
func (m *Manager) newGroup(name, rel string) *Group {
	g := &Group{m: m, name: name, rel: rel}
	for _, h := range m.layout.groupHierarchies() {
		r := m.layout.UnifiedRel(h, rel)
		g.dirs = append(g.dirs, groupDir{h: h, rel: r, dir: filepath.Join(h.Mount, r)})
	}
	return g
}

// Create makes domain name's group in every hierarchy and applies lim. A
// missing partition is created too (libvirt only creates /machine). On
// any failure everything Create made is removed again, deepest first. An
// existing group is an error wrapping fs.ErrExist.
func (m *Manager) Create(name string, lim Limits) (*Group, error) {
	return m.CreateWith(name, lim, CreateOptions{})
}

// CreateOptions vary Create.
type CreateOptions struct {
	// Adopt is a directory of the group that exists already and is taken
	// as it is (a spare controller's unified directory, holding its init
	// stage); Create does not remove it on failure.
	Adopt string
}

// CreateWith is Create with options.
func (m *Manager) CreateWith(name string, lim Limits, opts CreateOptions) (_ *Group, err error) {
	g, err := m.checkedGroup(name, lim)
	if err != nil {
		return nil, err
	}
	rel := g.rel
	var created []string
	defer func() {
		if err == nil {
			return
		}
		for _, dir := range slices.Backward(created) {
			if rerr := unix.Rmdir(dir); rerr != nil && !errors.Is(rerr, unix.ENOENT) {
				m.log.Debug("cgroup undo: keep directory", "dir", dir, "err", rerr)
			}
		}
		m.log.Debug("cgroup create failed and was undone", "name", name, "err", err)
	}()
	for _, d := range g.dirs {
		if opts.Adopt != "" && d.dir == opts.Adopt {
			continue
		}
		made, err := m.makeDirs(d.h, d.rel)
		created = append(created, made...)
		if err != nil {
			return nil, fmt.Errorf("create cgroup for '%s': %w", name, err)
		}
	}
	if err := m.applyLimits(g, lim); err != nil {
		return nil, err
	}
	m.log.Debug("cgroup created", "name", name, "path", rel)
	return g, nil
}

// checkedGroup returns domain name's group (not made yet) once lim is
// known to be valid: invalid values are rejected before the filesystem is
// touched (applyLimits' real plan probes the directories for the blkio
// weight files).
func (m *Manager) checkedGroup(name string, lim Limits) (*Group, error) {
	rel, err := m.naming.GroupPath(name)
	if err != nil {
		return nil, err
	}
	if _, err := m.layout.Plan(rel, lim, func(Controller, string) bool { return true }); err != nil {
		return nil, fmt.Errorf("create cgroup for '%s': %w", name, err)
	}
	return m.newGroup(name, rel), nil
}

// applyLimits writes lim into new group g.
func (m *Manager) applyLimits(g *Group, lim Limits) error {
	probe := func(c Controller, file string) bool { return fileExists(g.Path(c), file) }
	writes, err := m.layout.Plan(g.rel, lim, probe)
	if err != nil {
		return fmt.Errorf("create cgroup for '%s': %w", g.name, err)
	}
	for _, w := range writes {
		m.log.Debug("cgroup write", "file", w.Path(), "value", w.Value)
		if err := writeFile(w.Dir, w.File, w.Value); err != nil {
			return fmt.Errorf("create cgroup for '%s': %w", g.name, err)
		}
	}
	return nil
}

// makeDirs creates rel's directories in hierarchy h from the top down and
// returns those it created. Each new directory is prepared like libvirt
// does: v1 cpuset copies cpus/mems from its parent, the group's v1 memory
// directory gets memory.use_hierarchy, and on v2 the needed controllers
// are enabled in the parent's cgroup.subtree_control.
func (m *Manager) makeDirs(h *Hierarchy, rel string) ([]string, error) {
	var created []string
	cpuset := h.Version == 1 && h.Has(string(CPUSet))
	parentClones := false // the parent's cgroup.clone_children is 1
	parts := strings.Split(strings.TrimPrefix(rel, "/"), "/")
	for i := range parts {
		dir := filepath.Join(h.Mount, path.Join(parts[:i+1]...))
		leaf := i == len(parts)-1
		if h.Version == 2 {
			m.enableV2Controllers(filepath.Dir(dir))
		}
		err := unix.Mkdir(dir, 0o755)
		if errors.Is(err, unix.EEXIST) {
			if leaf {
				return created, fmt.Errorf("cgroup %s already exists: %w", dir, fs.ErrExist)
			}
			// Another start may have just created it and not filled its
			// cpuset yet: a child copying the empty values could take no
			// task ("no space left on device").
			if cpuset {
				if err := fillCpusetParent(dir); err != nil {
					return created, err
				}
				parentClones = true
			}
			continue
		}
		if err != nil {
			return created, fmt.Errorf("failed to create cgroup %s: %w", dir, err)
		}
		created = append(created, dir)
		m.log.Debug("cgroup mkdir", "dir", dir)
		if cpuset {
			if err := inheritCpuset(dir, parentClones); err != nil {
				return created, err
			}
			if !leaf {
				if err := writeFile(dir, cloneChildren, "1"); err != nil {
					return created, err
				}
				parentClones = true
			}
		}
		if h.Version == 1 && h.Has(string(Memory)) && leaf {
			if err := setUseHierarchy(dir); err != nil {
				return created, err
			}
		}
	}
	return created, nil
}

// cloneChildren is the v1 flag with which the kernel fills a new cpuset
// group's cpuset.cpus and cpuset.mems from its parent's (and passes the
// flag on to it). virtlxc sets it, as LXC does, on the groups above the
// containers' once they are filled: a container's group then needs no
// write, and cpuset.cpus writes are the costly ones (the kernel checks
// them against every sibling group).
const cloneChildren = "cgroup.clone_children"

// inheritCpuset prepares new v1 cpuset group dir as libvirt does: a v1
// cpuset group accepts no task while its cpus and mems are empty, so they
// and cpuset.memory_migrate are copied from the parent. When the parent
// has cgroup.clone_children (parentClones), the kernel copied the first
// two already; memory_migrate, which it does not copy, is written only
// when the parent's is not the default.
func inheritCpuset(dir string, parentClones bool) error {
	parent := filepath.Dir(dir)
	files := []string{"cpuset.cpus", "cpuset.mems", "cpuset.memory_migrate"}
	if parentClones {
		files = files[2:]
	}
	for _, f := range files {
		v, err := readFile(parent, f)
		if err != nil {
			return fmt.Errorf("inherit cpuset: %w", err)
		}
		if parentClones && v == "0" {
			continue
		}
		if err := writeFile(dir, f, v); err != nil {
			return fmt.Errorf("inherit cpuset: %w", err)
		}
	}
	return nil
}

// fillCpusetParent makes sure that existing v1 cpuset group dir, above a
// group being made, is filled and clones its cpus and mems to new
// children. A group with cgroup.clone_children set was filled before
// the flag (virtlxc sets it last, the kernel on a group whose parent
// had it). Otherwise another start may have just created it and not
// filled it yet: a child copying its empty values could take no task
// ("no space left on device"); concurrent fillers write the same values.
func fillCpusetParent(dir string) error {
	if v, err := readFile(dir, cloneChildren); err == nil && v == "1" {
		return nil
	}
	for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
		v, err := readFile(dir, f)
		if err != nil {
			return fmt.Errorf("inherit cpuset: %w", err)
		}
		if strings.TrimSpace(v) != "" {
			continue
		}
		pv, err := readFile(filepath.Dir(dir), f)
		if err != nil {
			return fmt.Errorf("inherit cpuset: %w", err)
		}
		if err := writeFile(dir, f, pv); err != nil {
			return fmt.Errorf("inherit cpuset: %w", err)
		}
	}
	return writeFile(dir, cloneChildren, "1")
}

// setUseHierarchy turns on memory.use_hierarchy unless it is already on
// (newer kernels have it always on and may lack the file).
func setUseHierarchy(dir string) error {
	v, err := readFile(dir, "memory.use_hierarchy")
	if errors.Is(err, fs.ErrNotExist) || v == "1" {
		return nil
	}
	if err != nil {
		return err
	}
	return writeFile(dir, "memory.use_hierarchy", "1")
}

// enableV2Controllers enables in dir's cgroup.subtree_control every
// controller that this layout serves from the unified hierarchy and that
// dir offers. Failures are only logged, like libvirt: a limit that needs
// a missing controller fails later with a clear error.
func (m *Manager) enableV2Controllers(dir string) {
	avail, err := readFile(dir, "cgroup.controllers")
	if err != nil {
		m.log.Debug("cgroup v2: cannot read controllers", "dir", dir, "err", err)
		return
	}
	enabled, _ := readFile(dir, "cgroup.subtree_control")
	for _, c := range []Controller{CPU, CPUSet, Memory, Blkio, Pids} {
		name := v2Name(c)
		if h, ok := m.layout.Hierarchy(c); !ok || h.Version != 2 ||
			!slices.Contains(strings.Fields(avail), name) || slices.Contains(strings.Fields(enabled), name) {
			continue
		}
		if err := writeFile(dir, "cgroup.subtree_control", "+"+name); err != nil {
			m.log.Debug("cgroup v2: cannot enable controller", "dir", dir, "controller", name, "err", err)
		}
	}
}

// Open finds domain name's existing group, e.g. after a daemon restart.
// Hierarchies where the directory is missing are left out; if it is
// missing everywhere the error wraps fs.ErrNotExist.
func (m *Manager) Open(name string) (*Group, error) {
	rel, err := m.naming.GroupPath(name)
	if err != nil {
		return nil, err
	}
	g := m.newGroup(name, rel)
	g.dirs = slices.DeleteFunc(g.dirs, func(d groupDir) bool { return !fileExists(d.dir, "") })
	if len(g.dirs) == 0 {
		return nil, fmt.Errorf("open cgroup for '%s': %s: %w", name, rel, fs.ErrNotExist)
	}
	return g, nil
}

// RemovePartition removes the manager's partition directories (scope
// included) that are empty, deepest first, in every hierarchy. libvirt's
// fixed top-level partitions (/machine, /system, /user) are kept.
// Directories still holding groups are left alone without error.
func (m *Manager) RemovePartition() error {
	part, err := m.naming.PartitionPath()
	if err != nil {
		return err
	}
	parts := strings.Split(strings.TrimPrefix(part, "/"), "/")
	var errs []error
	for _, h := range m.layout.groupHierarchies() {
		for i := len(parts); i > 0; i-- {
			if i == 1 && slices.Contains([]string{"machine", "system", "user", ""}, parts[0]) {
				break
			}
			dir := filepath.Join(h.Mount, path.Join(parts[:i]...))
			err := unix.Rmdir(dir)
			if err == nil || errors.Is(err, unix.ENOENT) {
				continue
			}
			if !errors.Is(err, unix.EBUSY) && !errors.Is(err, unix.ENOTEMPTY) {
				errs = append(errs, fmt.Errorf("remove cgroup partition %s: %w", dir, err))
			}
			break
		}
	}
	return errors.Join(errs...)
}

// pidString formats a pid for cgroup.procs.
func pidString(pid int) string { return strconv.Itoa(pid) }

// V2DirOf returns the unified directory machine name's group has or
// would have ("" without a unified hierarchy).
func (m *Manager) V2DirOf(name string) string {
	rel, err := m.naming.GroupPath(name)
	if err != nil {
		return ""
	}
	dir, _ := m.newGroup(name, rel).V2Dir()
	return dir
}
