package containerinit

import (
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// mountMeminfo binds the controller-served, container-aware meminfo over
// /proc/meminfo: it attaches the detached mount the controller passed at
// MemInfo, in this stage's namespace only (its root is private), and
// binds its file; the mount itself goes with the old root at the pivot,
// so the container's bind is the only one left.
func (s *stage) mountMeminfo() error {
	if s.c.MemInfo == "" {
		return nil
	}
	if s.memTree < 0 {
		return fmt.Errorf("no meminfo filesystem came with the continue message")
	}
	err := unix.MoveMount(s.memTree, "", unix.AT_FDCWD, s.c.MemInfo, unix.MOVE_MOUNT_F_EMPTY_PATH)
	unix.Close(s.memTree)
	s.memTree = -1
	if err != nil {
		return fmt.Errorf("attaching the meminfo filesystem at %s: %w", s.c.MemInfo, err)
	}
	proc, err := s.inRoot("/proc/meminfo")
	if err != nil {
		return err
	}
	return mount(filepath.Join(s.c.MemInfo, "meminfo"), proc, "", unix.MS_BIND, "")
}
