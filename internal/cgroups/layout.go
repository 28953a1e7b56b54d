// Package cgroups is the one owner of /sys/fs/cgroup in virtlxc.
//
// It detects how the host mounts cgroups (v1, v2 or hybrid), names a
// container's group the way libvirt's LXC driver does without systemd
// (<partition>/<name>.libvirt-lxc), computes the exact files and values
// libvirt writes for a domain's limits (Plan, pure), applies them (Create),
// and manages the group afterwards: processes, device policy, freezer,
// kill, statistics and removal.
//
// On a hybrid host every controller mounted as v1 is used through v1, and
// the unified (v2) hierarchy only for what exists only there; libvirt 9.0
// gets this wrong and cannot start containers on such hosts.
package cgroups

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Controller names a resource controller using libvirt's (v1) names.
type Controller string

// The controllers this package manages. On cgroup v2, Blkio is served by
// "io", CPUAcct by cpu.stat, Devices by an eBPF program and Freezer by
// cgroup.freeze.
const (
	CPU     Controller = "cpu"
	CPUAcct Controller = "cpuacct"
	CPUSet  Controller = "cpuset"
	Memory  Controller = "memory"
	Devices Controller = "devices"
	Freezer Controller = "freezer"
	Blkio   Controller = "blkio"
	Pids    Controller = "pids"
)

// managedV1 lists the v1 controllers whose hierarchies get a directory for
// each container: libvirt's list (net_cls and perf_event included) plus pids.
var managedV1 = []string{"cpu", "cpuacct", "cpuset", "memory", "devices",
	"freezer", "blkio", "net_cls", "perf_event", "pids"}

// knownV1 lists the v1 controller names the kernel may report; it is used to
// tell controller names from other mount options and to escape group names.
var knownV1 = []string{"cpuset", "cpu", "cpuacct", "blkio", "memory",
	"devices", "freezer", "net_cls", "perf_event", "net_prio", "hugetlb",
	"pids", "rdma", "misc", "debug"}

// Mode is the way cgroups are mounted on the host.
type Mode int

// The cgroup modes a host can be in.
const (
	// ModeV1 has only v1 (legacy) controller hierarchies.
	ModeV1 Mode = iota + 1
	// ModeV2 has only the unified hierarchy.
	ModeV2
	// ModeHybrid has v1 controller hierarchies and a unified hierarchy.
	ModeHybrid
)

// String returns "v1", "v2" or "hybrid".
func (m Mode) String() string {
	switch m {
	case ModeV1:
		return "v1"
	case ModeV2:
		return "v2"
	case ModeHybrid:
		return "hybrid"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Hierarchy is one mounted cgroup hierarchy.
type Hierarchy struct {
	// Version is 1 for a legacy hierarchy and 2 for the unified one.
	Version int
	// Mount is the mount point, e.g. /sys/fs/cgroup/memory.
	Mount string
	// Root is the part of the hierarchy visible at Mount (mountinfo field
	// 4): "/" unless only a subtree is mounted there.
	Root string
	// Controllers lists the v1 controllers bound to the hierarchy (named
	// hierarchies appear as "name=..."), or, for v2, the contents of the
	// root's cgroup.controllers.
	Controllers []string
	// Self is this process's cgroup in the hierarchy (/proc/self/cgroup).
	Self string
}

// Has reports whether the hierarchy carries controller name.
func (h *Hierarchy) Has(name string) bool { return slices.Contains(h.Controllers, name) }

// Named reports whether h is a v1 hierarchy without any controller
// (only a name=... option, like systemd's).
func (h *Hierarchy) Named() bool {
	if h.Version != 1 {
		return false
	}
	for _, c := range h.Controllers {
		if !strings.HasPrefix(c, "name=") {
			return false
		}
	}
	return true
}

// Layout describes the cgroup hierarchies of the host as seen by this
// process.
type Layout struct {
	// Mode tells whether the host is v1, v2 or hybrid.
	Mode Mode
	// V1 lists the legacy hierarchies in mount order, named ones included.
	V1 []*Hierarchy
	// V2 is the unified hierarchy, or nil.
	V2 *Hierarchy
}

// ErrNoCgroups is returned when no cgroup hierarchy is mounted.
var ErrNoCgroups = errors.New("no cgroup hierarchy is mounted")

// Detect reads /proc/self/mountinfo and /proc/self/cgroup and returns the
// host's layout.
func Detect() (*Layout, error) {
	mi, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("detect cgroups: %w", err)
	}
	defer mi.Close()
	cg, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("detect cgroups: %w", err)
	}
	defer cg.Close()
	return ParseLayout(mi, cg, os.ReadFile)
}

// ParseLayout builds a Layout from the text of a mountinfo file and of a
// /proc/PID/cgroup file. readFile reads the unified hierarchy's
// cgroup.controllers; nil means the file reads as empty.
func ParseLayout(mountinfo, selfCgroup io.Reader, readFile func(string) ([]byte, error)) (*Layout, error) {
	self, err := parseSelfCgroup(selfCgroup)
	if err != nil {
		return nil, err
	}
	mounts, err := parseMountinfo(mountinfo)
	if err != nil {
		return nil, err
	}
	l := &Layout{}
	for _, m := range mounts {
		switch m.fstype {
		case "cgroup":
			l.addV1(m, self)
		case "cgroup2":
			if l.V2 != nil {
				continue // a bind mount of the same hierarchy
			}
			h := &Hierarchy{Version: 2, Mount: m.point, Root: m.root, Self: self.v2}
			if readFile != nil {
				file := filepath.Join(m.point, "cgroup.controllers")
				data, err := readFile(file)
				if err != nil {
					return nil, fmt.Errorf("detect cgroups: read %s: %w", file, err)
				}
				h.Controllers = strings.Fields(string(data))
			}
			l.V2 = h
		}
	}
	hasV1 := slices.ContainsFunc(l.V1, func(h *Hierarchy) bool { return !h.Named() })
	switch {
	case hasV1 && l.V2 != nil:
		l.Mode = ModeHybrid
	case hasV1:
		l.Mode = ModeV1
	case l.V2 != nil:
		l.Mode = ModeV2
	default:
		return nil, ErrNoCgroups
	}
	return l, nil
}

// addV1 records a v1 mount unless its hierarchy is already known; a mount
// of the whole hierarchy (root "/") replaces one of a subtree.
func (l *Layout) addV1(m mountEntry, self selfCgroups) {
	var ctrls []string
	for _, opt := range strings.Split(m.superOpts, ",") {
		if strings.HasPrefix(opt, "name=") || slices.Contains(knownV1, opt) || self.isController(opt) {
			ctrls = append(ctrls, opt)
		}
	}
	if len(ctrls) == 0 {
		return
	}
	h := &Hierarchy{Version: 1, Mount: m.point, Root: m.root, Controllers: ctrls, Self: self.pathFor(ctrls)}
	for i, old := range l.V1 {
		if slices.Equal(old.Controllers, ctrls) {
			if old.Root != "/" && h.Root == "/" {
				l.V1[i] = h
			}
			return
		}
	}
	l.V1 = append(l.V1, h)
}

// Hierarchy returns the hierarchy that serves controller c: the v1
// hierarchy it is mounted on, else the unified hierarchy if c exists there.
func (l *Layout) Hierarchy(c Controller) (*Hierarchy, bool) {
	for _, h := range l.V1 {
		if h.Has(string(c)) {
			return h, true
		}
	}
	if l.V2 == nil {
		return nil, false
	}
	switch c {
	case CPUAcct, Devices, Freezer:
		return l.V2, true // cpu.stat, eBPF and cgroup.freeze are core v2
	}
	if l.V2.Has(v2Name(c)) {
		return l.V2, true
	}
	return nil, false
}

// Has reports whether controller c is available.
func (l *Layout) Has(c Controller) bool {
	_, ok := l.Hierarchy(c)
	return ok
}

// v2Name maps a libvirt controller name to the unified hierarchy's name, or
// "" for features that are part of the v2 core.
func v2Name(c Controller) string {
	switch c {
	case Blkio:
		return "io"
	case CPUAcct, Devices, Freezer:
		return ""
	}
	return string(c)
}

// groupHierarchies returns the hierarchies in which a container gets a
// directory: every v1 hierarchy carrying a managed controller, then the
// unified hierarchy when present.
func (l *Layout) groupHierarchies() []*Hierarchy {
	var hs []*Hierarchy
	for _, h := range l.V1 {
		if slices.ContainsFunc(h.Controllers, func(c string) bool { return slices.Contains(managedV1, c) }) {
			hs = append(hs, h)
		}
	}
	if l.V2 != nil {
		hs = append(hs, l.V2)
	}
	return hs
}
