package controller

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"virtlxc/internal/spec"
)

// Device nodes of a container with a user namespace. Its /dev is mounted
// in that namespace, where the kernel neither makes nor opens device
// nodes, so the init stage binds nodes there. A bind of the host's own
// node keeps the host's ownership, which the container's root cannot open
// (root:disk 0660 shows as nobody); libvirt's controller makes the nodes
// on a /dev tmpfs of its own and hands them to the mapped root. So does
// this one, for disks and host devices: a tmpfs at STATE/NAME.dev (the
// host's mount namespace, where nodes work), each node owned by the
// container's root, bound by the stage; the tmpfs is detached once init
// runs (the binds keep it).

// stageNodes makes devs's nodes on the staging tmpfs and points each at
// its node (Source); it returns the undo (also used once init runs).
func (c *Controller) stageNodes(sp *spec.Container, devs []spec.Device) (func(), error) {
	if !sp.NewUser || len(devs) == 0 {
		return func() {}, nil
	}
	dir := c.layout.DevDir(c.dom.Name)
	if err := os.Mkdir(dir, 0o711); err != nil && !os.IsExist(err) {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := unix.Mount("devfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NOEXEC, "mode=711,size=64k"); err != nil {
		_ = os.Remove(dir)
		return nil, fmt.Errorf("mounting the device tmpfs %s: %w", dir, err)
	}
	undo := func() {
		_ = unix.Unmount(dir, unix.MNT_DETACH)
		_ = os.Remove(dir)
	}
	for i := range devs {
		d := &devs[i]
		p := filepath.Join(dir, strconv.Itoa(i))
		typ := uint32(unix.S_IFCHR)
		if d.Type == 'b' {
			typ = unix.S_IFBLK
		}
		err := unix.Mknod(p, typ|d.Mode, int(unix.Mkdev(d.Major, d.Minor)))
		if err == nil {
			err = os.Chown(p, sp.IDMapRootUID, sp.IDMapRootGID)
		}
		if err == nil {
			err = os.Chmod(p, os.FileMode(d.Mode))
		}
		if err != nil {
			undo()
			return nil, fmt.Errorf("making device %s for the container: %w", d.Path, err)
		}
		d.Source = p
	}
	return undo, nil
}
