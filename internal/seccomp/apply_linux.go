package seccomp

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Apply installs the default filter set (Programs) on the calling thread,
// which must be locked to its goroutine and about to exec (or fork the
// process that execs). The thread needs CAP_SYS_ADMIN in its user
// namespace, since no_new_privs is not set (see the package comment). On
// an architecture without a default filter it installs nothing and
// returns an error wrapping ErrUnsupportedArch.
func Apply() error {
	progs, err := Programs(runtime.GOARCH)
	if err != nil {
		return err
	}
	for _, p := range progs {
		if err := Load(p.Filter); err != nil {
			return fmt.Errorf("installing the %s seccomp filter: %w", p.Name, err)
		}
	}
	return nil
}

// Load installs one raw classic BPF program on the calling thread with
// seccomp(SECCOMP_SET_MODE_FILTER).
func Load(filter []unix.SockFilter) error {
	if len(filter) == 0 {
		return errors.New("empty seccomp program")
	}
	fprog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	_, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(filter)
	if e != 0 {
		return e
	}
	return nil
}
