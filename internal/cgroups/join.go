package cgroups

import (
	"path/filepath"
	"runtime"
	"slices"

	"golang.org/x/sys/unix"

	"virtlxc/internal/cgthread"
)

// A container's start moves threads, never processes (see package
// cgthread): the init stage's one thread (it execs init, so its process
// follows) and the controller's main thread; on the unified hierarchy,
// where only a process can move, the init stage is started inside its
// group (CLONE_INTO_CGROUP).

// splitControllers are the v1 controllers whose hierarchies get the
// payload group: those where the container lifting its own limits is an
// escape (devices: "a" in devices.allow opens every host device), a
// denial of service against its controller (freezer: freezing it), or
// undoes virtlxc's fork-bomb bound (pids). Memory, CPU and block I/O stay
// as they were, so that programs in the container read their real limits
// in their own cgroup; a container without a user namespace can raise
// those (README, Security).
var splitControllers = []string{"devices", "freezer", "pids"}

// SplitPayload prepares the directories the container's init joins in the
// v1 hierarchies and returns them: the group's PayloadGroup child in the
// hierarchies of splitControllers (the pids limit moved down to its own
// child, MovePidsLimit), the group itself elsewhere. The device policy
// must be set first: v1 refuses an "a" rule on a group with children.
// The device policy and the controller stay on the group above, out of
// the container's reach once its cgroup namespace is rooted at the
// payload: without a user namespace the container's root owns the files
// of its cgroup namespace's root, through the mounted hierarchies or a
// fresh cgroup mount. The kernel applies the policy above to the groups
// below. Not for a container with a user namespace (ConfinePids) nor on
// the unified hierarchy (there the group's controllers are not enabled
// for a child, and the container would lose sight of its limits).
func (g *Group) SplitPayload() ([]string, error) {
	var dirs []string
	for _, d := range g.dirs {
		if d.h.Version != 1 {
			continue
		}
		if !slices.ContainsFunc(splitControllers, d.h.Has) {
			dirs = append(dirs, d.dir)
			continue
		}
		dir := filepath.Join(d.dir, PayloadGroup)
		if err := MakeGroupDir(dir); err != nil {
			return nil, err
		}
		if d.h.Has(string(Pids)) {
			var err error
			if dir, err = MovePidsLimit(d.dir, dir); err != nil {
				return nil, err
			}
		}
		dirs = append(dirs, dir)
	}
	return dirs, nil
}

// V1Dirs returns the group's directories in the v1 hierarchies.
func (g *Group) V1Dirs() []string {
	var dirs []string
	for _, d := range g.dirs {
		if d.h.Version == 1 {
			dirs = append(dirs, d.dir)
		}
	}
	return dirs
}

// AddSelf puts this process's main thread into the group: the thread
// alone in the v1 hierarchies, which is what /proc/PID/cgroup shows and
// memory is charged by, without the grace period a process move waits
// for; on a pure v2 host the whole process (a v2 group takes only
// processes). The unified directory of a hybrid host is left alone: it
// carries no controller, and the init stage was started in it. Called on
// any other thread, it moves the process everywhere (AddPid). It reports
// whether only the main thread moved (LeaveSelf can undo that).
func (g *Group) AddSelf() (threadOnly bool, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if unix.Gettid() != unix.Getpid() || g.m.layout.Mode == ModeV2 {
		return false, g.AddPid(unix.Getpid())
	}
	return true, cgthread.Join(g.V1Dirs())
}

// LeaveSelf moves the main thread, alone in the group after AddSelf, back
// to the v1 cgroups this process was in when the layout was detected,
// without the grace period a process move waits for. It reports false
// (nothing done) when not called on the main thread.
func (g *Group) LeaveSelf() (bool, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if unix.Gettid() != unix.Getpid() {
		return false, nil
	}
	_, home := g.Homes()
	return true, cgthread.Join(home)
}
