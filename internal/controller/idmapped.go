package controller

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"virtlxc/internal/spec"
)

// idmappedRoot prepares the container's root filesystem as an idmapped
// mount when that is what makes it work: a user-namespaced container
// (<idmap>) whose root directory is still owned by the host's root, i.e.
// not chowned to the mapped range as libvirt requires. The tree is cloned
// detached (open_tree), given the container's user namespace as its
// idmapping (mount_setattr MOUNT_ATTR_IDMAP), and handed to the init
// stage, which attaches it in its own mount namespace (move_mount). Files
// owned by host uid/gid N then appear as N inside and the container's root
// writes them as host root would — as a chowned tree would behave.
//
// It returns -1 (plain bind, libvirt's behaviour) for every other case:
// no user namespace, the host's own root, a block device root, a tree
// already shifted, a tree that unprivileged host users can reach (see
// shielded), or a kernel or filesystem without idmapped mounts (the
// reason is logged).
func (c *Controller) idmappedRoot(sp *spec.Container, initPID int) int {
	r := sp.Root
	if !sp.NewUser || r.Kind != spec.MountHostBind || r.SharedHost() || sp.IDMapRootUID == 0 {
		return -1
	}
	var st unix.Stat_t
	if err := unix.Stat(r.Source, &st); err != nil || st.Uid != 0 {
		return -1 // shifted (or unreadable: the stage reports it)
	}
	if !shielded(r.Source) {
		// Through the idmapping the container's root creates files as
		// host root: a setuid-root binary planted in a tree other host
		// users can reach would be theirs to run.
		c.log.Warn("root filesystem not idmapped: host users other than root can reach it "+
			"(make one of its parent directories root-owned and 0700 or 0750 with a trusted group)", "root", r.Source)
		return -1
	}
	fd, err := idmappedTree(r.Source, initPID)
	if err != nil {
		c.log.Warn("idmapped mounts unavailable: the root filesystem is bound as is "+
			"(chown it to the mapped range, as libvirt requires)", "root", r.Source, "err", err)
		return -1
	}
	c.log.Info("root filesystem mounted idmapped to the container's user namespace", "root", r.Source)
	return fd
}

// idmappedTree clones path (recursively, detached) and idmaps it with the
// user namespace of pid.
func idmappedTree(path string, pid int) (int, error) {
	userns, err := os.Open("/proc/" + strconv.Itoa(pid) + "/ns/user")
	if err != nil {
		return -1, fmt.Errorf("opening the container's user namespace: %w", err)
	}
	defer userns.Close()
	fd, err := unix.OpenTree(unix.AT_FDCWD, path, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
	if err != nil {
		return -1, fmt.Errorf("open_tree %s: %w", path, err)
	}
	attr := &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP, Userns_fd: uint64(userns.Fd())}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, attr); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("mount_setattr MOUNT_ATTR_IDMAP on %s: %w", path, err)
	}
	return fd, nil
}

// shielded reports whether no unprivileged host user can reach dir: one
// of dir and its ancestors (symlinks resolved) is owned by root and gives
// others no search permission, nor its group unless that is root's.
func shielded(dir string) bool {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return false
	}
	for p := real; ; p = filepath.Dir(p) {
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return false
		}
		if st.Uid == 0 && st.Mode&0o001 == 0 && (st.Mode&0o010 == 0 || st.Gid == 0) {
			return true
		}
		if p == "/" {
			return false
		}
	}
}
