package keeper

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"

	"virtlxc/internal/monitor"
)

// AwaitExit returns once the process of pidfd has exited, without holding
// a thread while it runs: a pidfd reads ready when its process exits, and
// the runtime's poller watches a non-blocking copy of it. It returns at
// once if the poller cannot watch it (the wait that follows then blocks).
func AwaitExit(pidfd int) {
	fd, err := unix.FcntlInt(uintptr(pidfd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Read(func(fd uintptr) bool {
		ready := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(ready, 0)
		return err != nil || n > 0
	})
}

// siginfo is the start of the kernel's siginfo_t for SIGCHLD, as waitid
// fills it (x/sys leaves the union opaque).
type siginfo struct {
	Signo, Errno, Code int32
	_                  int32
	Pid                int32
	UID                uint32
	Status             int32
}

// Reap waits for the child of pidfd to exit (AwaitExit first, so that
// no thread blocks) and reaps it: the exit event, as libvirt's monitor
// reports it (killed by SIGHUP means reboot, anything else a shutdown;
// Code is the exit code or 128 + the signal).
func Reap(pidfd int) (monitor.Event, error) {
	AwaitExit(pidfd)
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PIDFD, pidfd, &info, unix.WEXITED, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return monitor.Event{}, fmt.Errorf("waiting for init: %w", err)
		}
		break
	}
	si := (*siginfo)(unsafe.Pointer(&info))
	return ExitEvent(si.Code, si.Status), nil
}

// si_code values of SIGCHLD (x/sys does not name them).
const (
	cldExited = 1
	cldKilled = 2
	cldDumped = 3
)

// ExitEvent is the exit event of a child that ended as waitid's si_code
// and si_status say.
func ExitEvent(code, status int32) monitor.Event {
	ev := monitor.Event{Kind: monitor.EventExit, Status: monitor.ExitShutdown}
	switch code {
	case cldExited:
		ev.Code = int(status)
	case cldKilled, cldDumped:
		ev.Code = 128 + int(status)
		if unix.Signal(status) == unix.SIGHUP {
			ev.Status = monitor.ExitReboot
		}
	}
	return ev
}
