// Package fdclean keeps descriptors a process inherited by accident from
// leaking into the processes it starts (libvirt's virCommand closes every
// descriptor it was not told to pass; Go's os/exec does not).
package fdclean

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// CloseOnExecFrom marks every open descriptor >= from close-on-exec, so
// that only the ones a child is given explicitly (exec.Cmd's ExtraFiles,
// which are dup'ed into place) reach it. It uses close_range(2) and falls
// back to walking /proc/self/fd on kernels before 5.11.
func CloseOnExecFrom(from int) error {
	if err := unix.CloseRange(uint(from), ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err == nil {
		return nil
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("list open descriptors: %w", err)
	}
	for _, e := range ents {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd >= from {
			unix.CloseOnExec(fd)
		}
	}
	return nil
}
