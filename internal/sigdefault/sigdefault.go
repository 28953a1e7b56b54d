// Package sigdefault gives ignored signals their default action back
// before a program of the container's is executed, as libvirt's virFork
// does for every child it makes.
//
// execve(2) resets caught signals to their default but keeps ignored
// ones ignored, and a Go program keeps an inherited SIG_IGN for SIGHUP
// and SIGINT. So a daemon started under nohup, or as a background job
// of a script (SIGINT and SIGQUIT ignored), would hand those on through
// the controller to every container's init: a shell init could then not
// trap SIGHUP, and `reboot --mode signal` would do nothing. Likewise a
// blocked signal stays blocked across execve.
package sigdefault

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sigaction is the kernel's struct sigaction for rt_sigaction(2) on
// amd64 and arm64 (handler, flags, restorer, mask).
type sigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

const (
	sigDFL = 0
	sigIGN = 1
	nsig   = 64 // the kernel's _NSIG
)

// Restore gives every signal this process ignores its default action
// back and unblocks every signal on the calling thread (execve keeps the
// thread's mask, and the Go runtime leaves an inherited block of the
// signals it does not need, SIGUSR1 or SIGWINCH for one). Caught signals
// are left alone (execve resets them, and the Go runtime needs its
// handlers until then). Call it on the thread that execs the container's
// program, just before: from then on a signal it ignored would act on
// this process.
func Restore() error {
	if err := unix.PthreadSigmask(unix.SIG_SETMASK, &unix.Sigset_t{}, nil); err != nil {
		return fmt.Errorf("Failed to unblock signals: %w", err)
	}
	for sig := 1; sig <= nsig; sig++ {
		if sig == int(unix.SIGKILL) || sig == int(unix.SIGSTOP) {
			continue
		}
		ignored, err := Ignored(sig)
		if err != nil {
			return err
		}
		if !ignored {
			continue
		}
		act := sigaction{handler: sigDFL}
		if _, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0); e != 0 {
			return fmt.Errorf("Failed to reset signal %d to its default action: %w", sig, e)
		}
	}
	return nil
}

// Ignored reports whether sig's action in this process is SIG_IGN.
func Ignored(sig int) (bool, error) {
	var old sigaction
	if _, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), 0, uintptr(unsafe.Pointer(&old)), 8, 0, 0); e != 0 {
		return false, fmt.Errorf("Failed to read the action of signal %d: %w", sig, e)
	}
	return old.handler == sigIGN, nil
}
