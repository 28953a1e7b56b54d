package nsenter

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// sealedExe returns a sealed memfd holding a copy of this process's
// binary, at a descriptor above 100 so that exec's renumbering of
// ExtraFiles (3, 4, …) never overwrites it. It is close-on-exec.
//
// The helper that joins the container is executed from it (runc's fix for
// CVE-2019-5736): a process forked into the container's pid namespace
// shows its image as /proc/PID/exe until it execs the command, and a
// container process that opened that link then (O_PATH is enough) could
// reopen it for writing once no copy of the binary runs any more, and
// overwrite the host's virtlxc. A memfd copy, sealed against writes,
// grows and shrinks, is all it can reach.
func sealedExe() (*os.File, error) {
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		return nil, fmt.Errorf("opening own binary: %w", err)
	}
	defer src.Close()
	fd, err := unix.MemfdCreate("virtlxc-nsenter", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	high, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 100)
	unix.Close(fd)
	if err != nil {
		return nil, fmt.Errorf("moving the memfd: %w", err)
	}
	f := os.NewFile(uintptr(high), "memfd:virtlxc-nsenter")
	if _, err := io.Copy(f, src); err != nil {
		f.Close()
		return nil, fmt.Errorf("copying own binary: %w", err)
	}
	const seals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		f.Close()
		return nil, fmt.Errorf("sealing the memfd: %w", err)
	}
	return f, nil
}
