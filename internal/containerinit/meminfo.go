package containerinit

import (
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// mountMeminfo binds the controller-served, container-aware meminfo over
// /proc/meminfo. With a detached mount from the controller (MemInfoTree)
// it first attaches that at MemInfo, in this stage's namespace only (its
// root is private), where it goes with the old root after the pivot;
// otherwise the controller's host-side mount is bound, which it detaches
// once init runs. Either way the container's bind is the only one left.
func (s *stage) mountMeminfo() error {
	if s.c.MemInfo == "" {
		return nil
	}
	if s.memTree >= 0 {
		err := unix.MoveMount(s.memTree, "", unix.AT_FDCWD, s.c.MemInfo, unix.MOVE_MOUNT_F_EMPTY_PATH)
		unix.Close(s.memTree)
		s.memTree = -1
		if err != nil {
			return fmt.Errorf("attaching the meminfo filesystem at %s: %w", s.c.MemInfo, err)
		}
	} else if s.c.MemInfoTree {
		return fmt.Errorf("no meminfo filesystem came with the continue message")
	}
	proc, err := s.inRoot("/proc/meminfo")
	if err != nil {
		return err
	}
	return mount(filepath.Join(s.c.MemInfo, "meminfo"), proc, "", unix.MS_BIND, "")
}
