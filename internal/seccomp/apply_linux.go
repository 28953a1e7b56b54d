package seccomp

import (
	"fmt"
	"runtime"
	"unsafe"

	libseccomp "github.com/elastic/go-seccomp-bpf"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Apply installs the default filter on the calling thread, which must be
// locked to its goroutine and about to exec. The thread needs CAP_SYS_ADMIN
// in its user namespace, since no_new_privs is not set (see the package
// comment). On an architecture without a default filter it installs
// nothing and returns an error wrapping ErrUnsupportedArch.
func Apply() error {
	f, err := Plan(runtime.GOARCH)
	if err != nil {
		return err
	}
	if !libseccomp.Supported() {
		return fmt.Errorf("installing the seccomp filter: the kernel has no seccomp filter mode")
	}
	if err := libseccomp.LoadFilter(f); err != nil {
		return fmt.Errorf("installing the x86_64 seccomp filter: %w", err)
	}
	prog, err := i386Program()
	if err != nil {
		return err
	}
	if err := load(prog); err != nil {
		return fmt.Errorf("installing the i386 seccomp filter: %w", err)
	}
	mounts, err := mountProgram()
	if err != nil {
		return err
	}
	if err := load(mounts); err != nil {
		return fmt.Errorf("installing the seccomp mount rules: %w", err)
	}
	return nil
}

// load installs a raw BPF program with seccomp(SECCOMP_SET_MODE_FILTER).
func load(prog []bpf.Instruction) error {
	raw, err := bpf.Assemble(prog)
	if err != nil {
		return fmt.Errorf("assembling: %w", err)
	}
	filter := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		filter[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	_, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(filter)
	if e != 0 {
		return e
	}
	return nil
}
