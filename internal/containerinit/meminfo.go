package containerinit

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"virtlxc/internal/initproto"
)

// mountMeminfo puts the controller-served, container-aware meminfo over
// /proc/meminfo. The FUSE filesystem is mounted here, inside the container's
// mount namespace, and its descriptor handed to the controller: the host
// never sees the mount, so nothing can leak there.
func (s *stage) mountMeminfo() error {
	if !s.c.MemInfo {
		return nil
	}
	dir, err := s.mkdirIn("/dev/.virtlxc-fuse")
	if err != nil {
		return err
	}
	fd, err := unix.Open("/dev/fuse", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("Failed to open /dev/fuse: %w", err)
	}
	defer unix.Close(fd)
	opts := "fd=" + strconv.Itoa(fd) + ",rootmode=40000,user_id=0,group_id=0,allow_other"
	if err := mount("libvirt", dir, "fuse.libvirt_lxc", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		return err
	}
	if err := initproto.Send(s.sync, initproto.FUSE, "", fd); err != nil {
		return err
	}
	kind, text, _, err := initproto.Recv(s.sync)
	if err != nil {
		return fmt.Errorf("waiting for the meminfo server: %w", err)
	}
	if kind != initproto.FUSEReady {
		return fmt.Errorf("meminfo server failed: %s", text)
	}
	proc, err := s.inRoot("/proc/meminfo")
	if err != nil {
		return err
	}
	if err := mount(filepath.Join(dir, "meminfo"), proc, "", unix.MS_BIND, ""); err != nil {
		return err
	}
	// The bind keeps the filesystem; the staging mount point goes.
	if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
		return fmt.Errorf("Failed to detach %s: %w", dir, err)
	}
	if err := os.Remove(dir); err != nil {
		return fmt.Errorf("Failed to remove %s: %w", dir, err)
	}
	return nil
}
