package containerinit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/sys/unix"

	"virtlxc/internal/virerr"
)

// hostPrivate are the host-root directories a container gets fresh
// mounts of instead of the host's (spec §2.3).
var hostPrivate = []string{"/proc", "/sys", "/dev", "/run"}

// hostRootChildren lists the mount points of a mountinfo text that sit
// directly on a "/" mount and outside hostPrivate: with their own
// submounts they are what a host-root container sees of the host's
// mounts beside the root itself. Stacked mounts appear once.
func hostRootChildren(mountinfo string) []string {
	entries := parseMountinfo(mountinfo)
	rootIDs := map[string]bool{}
	for _, m := range entries {
		if m.point == "/" {
			rootIDs[m.id] = true
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range entries {
		if m.point == "/" || !rootIDs[m.parent] || seen[m.point] || underAny(m.point, hostPrivate) {
			continue
		}
		seen[m.point] = true
		out = append(out, m.point)
	}
	sort.Strings(out)
	return out
}

// attachHostRoot puts the host's root at staging without the host's /proc,
// /sys, /dev and /run mounts: a plain bind of "/" and, cloned before it
// (so no clone holds the new bind), each other mount sitting on "/" with
// everything below it. That spares the lazy unmounts of the copies a
// recursive bind would bring along, each of which waits for an RCU grace
// period. It reports false, having changed nothing, when the kernel has
// no open_tree (Linux < 5.2): the caller binds recursively and detaches.
func attachHostRoot(staging string) (bool, error) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return false, fmt.Errorf("reading mountinfo: %w", err)
	}
	var trees []int
	defer func() {
		for _, fd := range trees {
			unix.Close(fd)
		}
	}()
	children := hostRootChildren(string(data))
	for _, mp := range children {
		fd, err := unix.OpenTree(unix.AT_FDCWD, mp, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
		if errors.Is(err, unix.ENOSYS) && len(trees) == 0 {
			return false, nil
		}
		if err != nil {
			return false, virerr.Sys(err, "Failed to clone the host mount %s", mp)
		}
		trees = append(trees, fd)
	}
	if err := mount("/", staging, "", unix.MS_BIND, ""); err != nil {
		return false, err
	}
	for i, mp := range children {
		dst := filepath.Join(staging, mp)
		if err := unix.MoveMount(trees[i], "", unix.AT_FDCWD, dst, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
			return true, virerr.Sys(err, "Failed to attach the host mount %s", mp)
		}
	}
	return true, nil
}
