package devnode

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"

	"virtlxc/internal/virerr"
)

// Nodes of a container with a user namespace. Its /dev belongs to that
// namespace, where nodes neither are made nor open: a node is made on a
// tmpfs of the host's, owned by the container's root, and bound at its
// path in the container, as its start binds them. Binding into another
// mount namespace needs a thread inside it: each call runs on a thread of
// its own, which leaves the daemon's file system context (CLONE_FS) so
// that it may enter the container's mount namespace, and which then ends.

// Bind makes node p (absolute, as the container sees it) in the
// user-namespaced container of initPID: a block (or character) node
// major:minor with Mode, owned by uid:gid (the container's root), bound at
// p over an empty file (parent directories 0755 as needed). scratch is a
// directory of the host's the staging tmpfs is mounted on meanwhile (in a
// mount namespace of the call's own).
func Bind(initPID int, p string, block bool, major, minor uint32, uid, gid int, scratch string) error {
	fail := func(err error) error {
		return virerr.Wrap(err, virerr.ErrSystemError, virerr.FromLXC, "Unable to create device %s: %s", p, virerr.Strerror(err))
	}
	if err := os.Mkdir(scratch, 0o700); err != nil {
		return fail(err)
	}
	defer os.Remove(scratch)
	return onThread(func() error {
		tree, err := stagedNode(scratch, block, major, minor, uid, gid)
		if err != nil {
			return fail(err)
		}
		defer unix.Close(tree)
		if err := enterMountNS(initPID); err != nil {
			return fail(err)
		}
		// The container's /dev takes only files of owners its user
		// namespace maps (EOVERFLOW for host root's): this thread
		// creates them as the container's root.
		unix.Setfsgid(gid)
		unix.Setfsuid(uid)
		r, err := os.OpenFile("/", unix.O_PATH|unix.O_DIRECTORY, 0)
		if err != nil {
			return fail(err)
		}
		defer r.Close()
		dir, err := pathrs.MkdirAllHandle(r, path.Dir(p), 0o755)
		if err != nil {
			return fail(err)
		}
		defer dir.Close()
		f, err := unix.Openat(int(dir.Fd()), path.Base(p), unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, Mode)
		if err != nil {
			return fail(err)
		}
		unix.Close(f)
		if err := unix.MoveMount(tree, "", int(dir.Fd()), path.Base(p), unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
			_ = unix.Unlinkat(int(dir.Fd()), path.Base(p), 0)
			return fail(err)
		}
		return nil
	})
}

// Unbind removes node p that Bind made in the container of initPID; a node
// (or parent) that is not there is not an error.
func Unbind(initPID int, p string) error {
	fail := func(err error) error {
		return virerr.Wrap(err, virerr.ErrSystemError, virerr.FromLXC, "Unable to remove device %s: %s", p, virerr.Strerror(err))
	}
	return onThread(func() error {
		if err := enterMountNS(initPID); err != nil {
			return fail(err)
		}
		r, err := os.OpenFile("/", unix.O_PATH|unix.O_DIRECTORY, 0)
		if err != nil {
			return fail(err)
		}
		defer r.Close()
		dir, err := pathrs.OpenatInRoot(r, path.Dir(p))
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		if err != nil {
			return fail(err)
		}
		defer dir.Close()
		// The mount over the node's file, then the file. The thread's
		// root is the container's: no path leads outside it, and the
		// node's own name is not followed.
		if err := unix.Unmount(p, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			return fail(err)
		}
		if err := unix.Unlinkat(int(dir.Fd()), path.Base(p), 0); err != nil && !errors.Is(err, unix.ENOENT) {
			return fail(err)
		}
		return nil
	})
}

// stagedNode mounts a tmpfs at scratch in a private mount namespace of the
// calling thread, makes the node there and returns a detached copy of it
// (open_tree), ready to be moved.
func stagedNode(scratch string, block bool, major, minor uint32, uid, gid int) (int, error) {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return -1, fmt.Errorf("unshare: %w", err)
	}
	// Nothing mounted here may reach the host's namespace.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return -1, fmt.Errorf("making the mounts private: %w", err)
	}
	if err := unix.Mount("devfs", scratch, "tmpfs", unix.MS_NOSUID|unix.MS_NOEXEC, "mode=700,size=4k"); err != nil {
		return -1, fmt.Errorf("mounting a tmpfs: %w", err)
	}
	n := filepath.Join(scratch, "node")
	typ := uint32(unix.S_IFCHR)
	if block {
		typ = unix.S_IFBLK
	}
	if err := unix.Mknod(n, typ|Mode, int(unix.Mkdev(major, minor))); err != nil {
		return -1, err
	}
	if err := unix.Chown(n, uid, gid); err != nil {
		return -1, err
	}
	if err := unix.Chmod(n, Mode); err != nil {
		return -1, err
	}
	return unix.OpenTree(unix.AT_FDCWD, n, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
}

// enterMountNS moves the calling thread into the mount namespace of pid;
// it must have left the process's file system context first.
func enterMountNS(pid int) error {
	ns, err := os.Open("/proc/" + strconv.Itoa(pid) + "/ns/mnt")
	if err != nil {
		return err
	}
	defer ns.Close()
	if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("entering the container's mount namespace: %w", err)
	}
	return nil
}

// onThread runs f on a thread of its own that has left the process's file
// system context (so that it may change mount namespace) and ends with f:
// the thread is never given back to other goroutines.
func onThread(f func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
		if err := unix.Unshare(unix.CLONE_FS); err != nil {
			done <- fmt.Errorf("unshare CLONE_FS: %w", err)
			return
		}
		done <- f()
	}()
	return <-done
}
