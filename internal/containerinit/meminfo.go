package containerinit

import (
	"path/filepath"

	"golang.org/x/sys/unix"
)

// mountMeminfo binds the controller-served, container-aware meminfo over
// /proc/meminfo. The controller detaches its own mount once init runs, so
// afterwards the container's bind is the only one left.
func (s *stage) mountMeminfo() error {
	if s.c.MemInfo == "" {
		return nil
	}
	proc, err := s.inRoot("/proc/meminfo")
	if err != nil {
		return err
	}
	return mount(filepath.Join(s.c.MemInfo, "meminfo"), proc, "", unix.MS_BIND, "")
}
