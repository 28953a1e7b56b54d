package main

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// argAttacks try to make the read-only mount at a path writable; each
// reports the first call that fails (or nil when the mount may now be
// writable). "NAME=PATH" on the command line runs one.
var argAttacks = map[string]func(path string) error{
	// mount -o remount,rw PATH
	"remount": func(path string) error {
		return unix.Mount("", path, "", unix.MS_REMOUNT, "")
	},
	// mount -o remount,bind,rw PATH: the per-mount flag only.
	"remount-bind": func(path string) error {
		return unix.Mount("", path, "", unix.MS_REMOUNT|unix.MS_BIND, "")
	},
	// remount,bind,rw through the i386 ABI (int $0x80).
	"remount-bind-i386": func(path string) error {
		return i386Mount(path, unix.MS_REMOUNT|unix.MS_BIND)
	},
	// mount -o remount,bind,ro PATH: allowed, and a no-op on a read-only
	// mount.
	"remount-ro": func(path string) error {
		return unix.Mount("", path, "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY, "")
	},
	// The new mount API's remount of the superblock.
	"fspick": func(path string) error {
		fd, err := unix.Fspick(unix.AT_FDCWD, path, unix.FSPICK_CLOEXEC)
		if err != nil {
			return fmt.Errorf("fspick: %w", err)
		}
		defer unix.Close(fd)
		if err := unix.FsconfigSetFlag(fd, "rw"); err != nil {
			return fmt.Errorf("fsconfig rw: %w", err)
		}
		if err := unix.FsconfigReconfigure(fd); err != nil {
			return fmt.Errorf("fsconfig reconfigure: %w", err)
		}
		return nil
	},
	// mount_setattr clearing MOUNT_ATTR_RDONLY on the mount itself.
	"setattr": func(path string) error {
		attr := unix.MountAttr{Attr_clr: unix.MOUNT_ATTR_RDONLY}
		if err := unix.MountSetattr(unix.AT_FDCWD, path, 0, &attr); err != nil {
			return fmt.Errorf("mount_setattr: %w", err)
		}
		return nil
	},
	// A writable clone of the mount, attached over the original.
	"open-tree": func(path string) error {
		fd, err := unix.OpenTree(unix.AT_FDCWD, path, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
		if err != nil {
			return fmt.Errorf("open_tree: %w", err)
		}
		defer unix.Close(fd)
		attr := unix.MountAttr{Attr_clr: unix.MOUNT_ATTR_RDONLY}
		if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, &attr); err != nil {
			return fmt.Errorf("mount_setattr: %w", err)
		}
		if err := unix.MoveMount(fd, "", unix.AT_FDCWD, path, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
			return fmt.Errorf("move_mount: %w", err)
		}
		return nil
	},
}

// writeProbe reports whether a new file can be created in dir; a file
// created stays, for the test to find on the host.
func writeProbe(dir string) string {
	p := filepath.Join(dir, "virtlxc-remount-probe")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "denied:" + errName(err)
	}
	f.Close()
	return "allowed"
}
