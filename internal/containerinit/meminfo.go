package containerinit

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// mountMeminfo puts the controller-served, container-aware meminfo over
// /proc/meminfo: the controller passed, with its Go message, a detached
// mount of the file alone (procfs.Server.TakeFile), which is attached
// there. Nothing of the filesystem is looked up here, so no request waits
// for the controller, and the host never has a mount of it.
func (s *stage) mountMeminfo() error {
	if s.c.MemInfo == "" {
		return nil
	}
	if s.memTree < 0 {
		return fmt.Errorf("no meminfo filesystem came with the continue message")
	}
	defer func() {
		unix.Close(s.memTree)
		s.memTree = -1
	}()
	proc, err := s.inRoot("/proc/meminfo")
	if err != nil {
		return err
	}
	if err := unix.MoveMount(s.memTree, "", unix.AT_FDCWD, proc, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("attaching the meminfo file at %s: %w", proc, err)
	}
	return nil
}
