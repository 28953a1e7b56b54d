// Package devnode creates and removes device nodes inside a running
// container, from the host (libvirt's lxcDomainAttachDeviceMknod and
// lxcDomainAttachDeviceUnlink, which enter the container's mount
// namespace): paths resolve under the container's root as its init sees
// it, /proc/INIT/root, with pathrs-lite, so that no symlink the container
// made leads outside it.
package devnode

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strconv"

	"github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"

	"virtlxc/internal/virerr"
)

// Mode is the permission of a node made in a running container (libvirt's
// 0700: the container's root only).
const Mode = 0o700

// root opens the root directory of process initPID.
func root(initPID int) (*os.File, error) {
	return os.OpenFile("/proc/"+strconv.Itoa(initPID)+"/root", unix.O_PATH|unix.O_DIRECTORY, 0)
}

// Create makes node p (absolute, as the container sees it) in the
// container of initPID: parent directories 0755 as needed, then a block
// (or character) node major:minor with Mode.
func Create(initPID int, p string, block bool, major, minor uint32) error {
	r, err := root(initPID)
	if err != nil {
		return virerr.Wrap(err, virerr.ErrSystemError, virerr.FromLXC, "Unable to create %s: %s", p, virerr.Strerror(err))
	}
	defer r.Close()
	dir, err := pathrs.MkdirAllHandle(r, path.Dir(p), 0o755)
	if err != nil {
		return virerr.Wrap(err, virerr.ErrSystemError, virerr.FromLXC, "Unable to create %s: %s", path.Dir(p), virerr.Strerror(err))
	}
	defer dir.Close()
	typ := uint32(unix.S_IFCHR)
	if block {
		typ = unix.S_IFBLK
	}
	if err := unix.Mknodat(int(dir.Fd()), path.Base(p), typ|Mode, int(unix.Mkdev(major, minor))); err != nil {
		return virerr.Wrap(err, virerr.ErrSystemError, virerr.FromLXC, "Unable to create device %s: %s", p, virerr.Strerror(err))
	}
	// mknod applies the daemon's umask; the node's mode is Mode.
	if err := unix.Fchmodat(int(dir.Fd()), path.Base(p), Mode, 0); err != nil {
		_ = unix.Unlinkat(int(dir.Fd()), path.Base(p), 0)
		return virerr.Wrap(err, virerr.ErrSystemError, virerr.FromLXC, "Unable to create device %s: %s", p, virerr.Strerror(err))
	}
	return nil
}

// Remove unlinks node p in the container of initPID; a node (or parent)
// that is not there is not an error.
func Remove(initPID int, p string) error {
	r, err := root(initPID)
	if err != nil {
		return virerr.Wrap(err, virerr.ErrSystemError, virerr.FromLXC, "Unable to remove device %s: %s", p, virerr.Strerror(err))
	}
	defer r.Close()
	dir, err := pathrs.OpenatInRoot(r, path.Dir(p))
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return virerr.Wrap(err, virerr.ErrSystemError, virerr.FromLXC, "Unable to remove device %s: %s", p, virerr.Strerror(err))
	}
	defer dir.Close()
	if err := unix.Unlinkat(int(dir.Fd()), path.Base(p), 0); err != nil && !errors.Is(err, unix.ENOENT) {
		return virerr.Wrap(err, virerr.ErrSystemError, virerr.FromLXC, "Unable to remove device %s: %s", p, virerr.Strerror(err))
	}
	return nil
}

// Stat is lstat(2) of p in the container of initPID.
func Stat(initPID int, p string) (unix.Stat_t, error) {
	var st unix.Stat_t
	r, err := root(initPID)
	if err != nil {
		return st, err
	}
	defer r.Close()
	dir, err := pathrs.OpenatInRoot(r, path.Dir(p))
	if err != nil {
		return st, err
	}
	defer dir.Close()
	if err := unix.Fstatat(int(dir.Fd()), path.Base(p), &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return st, fmt.Errorf("stat %s: %w", p, err)
	}
	return st, nil
}
