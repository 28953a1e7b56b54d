package main

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// fakeShell is the attacker installed as a hostile container's /bin/sh:
// when an administrator enters the container with lxc-enter-namespace
// and runs /bin/sh, it announces itself (/mnt/ctl/ready) so that the test
// can inspect it from the host, waits for /mnt/ctl/stop, then tries the
// "shocker" escape (open_by_handle_at on a host inode), and exits 0.
func fakeShell() {
	if err := os.WriteFile("/mnt/ctl/ready", nil, 0o644); err != nil {
		fmt.Printf("@@fakesh=error: %v\n", err)
		return
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat("/mnt/ctl/stop"); err == nil {
			break
		}
	}
	// The root directory's handle on most file systems: ESTALE or a
	// descriptor once past the permission check.
	h := unix.NewFileHandle(1, []byte{2, 0, 0, 0, 0, 0, 0, 0})
	fd, err := unix.OpenByHandleAt(unix.AT_FDCWD, h, unix.O_RDONLY)
	if err == nil {
		unix.Close(fd)
	}
	report("shocker", err)
}
