// Command attacker runs inside a container under test/security and tries
// the escape syscalls named on its command line, printing one
// "@@NAME=denied:ERRNO" or "@@NAME=allowed:RESULT" line for each;
// "connect=PATH" (or "connect=@NAME", abstract) connects to a unix socket.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// kexecSegmentMax is KEXEC_SEGMENT_MAX: one more segment than this is
// refused with EINVAL, but only after the permission check.
const kexecSegmentMax = 16

// attacks maps a name to a syscall attempt. Each is built so that, when
// the kernel lets the caller past the permission check, the call fails
// harmlessly with another error (EINVAL, ENOEXEC, ESTALE) instead of
// doing anything.
var attacks = map[string]func() error{
	"kexec_load": func() error {
		_, _, e := unix.Syscall6(unix.SYS_KEXEC_LOAD, 0, kexecSegmentMax+1, 0, 0, 0, 0)
		return errnoOrNil(e)
	},
	"init_module": func() error {
		// Fewer bytes than an ELF header: ENOEXEC once permitted.
		return unix.InitModule([]byte{0}, "")
	},
	"finit_module": func() error {
		// An empty file: rejected after the permission check.
		return unix.FinitModule(0, "", 0)
	},
	"open_by_handle_at": func() error {
		// A handle no filesystem issued: ESTALE once permitted.
		h := unix.NewFileHandle(1, make([]byte, 8))
		fd, err := unix.OpenByHandleAt(unix.AT_FDCWD, h, unix.O_RDONLY)
		if err == nil {
			unix.Close(fd)
		}
		return err
	},
	"kexec_file_load": func() error {
		// Descriptor -1: EBADF once permitted.
		_, _, e := unix.Syscall6(unix.SYS_KEXEC_FILE_LOAD, ^uintptr(0), ^uintptr(0), 0, 0, 0, 0)
		return errnoOrNil(e)
	},
	"delete_module": func() error {
		// No such module: ENOENT once permitted.
		return unix.DeleteModule("virtlxc_no_such_module", unix.O_NONBLOCK)
	},
	"bpf": func() error {
		// An unknown command: EINVAL once permitted.
		_, _, e := unix.Syscall(unix.SYS_BPF, 0xffff, 0, 0)
		return errnoOrNil(e)
	},
	"keyctl": func() error {
		// An unknown operation: EOPNOTSUPP once permitted.
		_, _, e := unix.Syscall(unix.SYS_KEYCTL, 0xffff, 0, 0)
		return errnoOrNil(e)
	},
	"perf_event_open": func() error {
		// No attributes: EFAULT once permitted.
		_, _, e := unix.Syscall6(unix.SYS_PERF_EVENT_OPEN, 0, 0, ^uintptr(0), ^uintptr(0), 0, 0)
		return errnoOrNil(e)
	},
	"userfaultfd": func() error {
		// Unknown flags: EINVAL once permitted.
		_, _, e := unix.Syscall(unix.SYS_USERFAULTFD, 0xffff0000, 0, 0)
		return errnoOrNil(e)
	},
	"iopl": func() error {
		_, _, e := unix.Syscall(unix.SYS_IOPL, 0, 0, 0) // level 0 changes nothing
		return errnoOrNil(e)
	},
	"settimeofday": func() error {
		// Setting the timezone only, to what it is: harmless if permitted.
		var tz [2]int32
		_, _, e := unix.Syscall(unix.SYS_SETTIMEOFDAY, 0, uintptr(unsafe.Pointer(&tz)), 0)
		return errnoOrNil(e)
	},
}

func errnoOrNil(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// connectUnix connects to a unix stream socket at addr ("@name" for an
// abstract one).
func connectUnix(addr string) error {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if addr[0] == '@' {
		addr = "\x00" + addr[1:]
	}
	return unix.Connect(fd, &unix.SockaddrUnix{Name: addr})
}

// errName is err's errno name, or its text.
func errName(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return unix.ErrnoName(errno)
	}
	return err.Error()
}

// report prints "@@key=allowed" for a nil err, else
// "@@key=denied:ERRNO" (EPERM, ENOSYS) or "@@key=failed:ERRNO".
func report(key string, err error) {
	var errno unix.Errno
	switch {
	case err == nil:
		fmt.Printf("@@%s=allowed\n", key)
	case errors.As(err, &errno) && (errno == unix.EPERM || errno == unix.ENOSYS):
		fmt.Printf("@@%s=denied:%s (%v)\n", key, unix.ErrnoName(errno), err)
	default:
		fmt.Printf("@@%s=failed:%s (%v)\n", key, errName(err), err)
	}
}

func main() {
	if filepath.Base(os.Args[0]) == "sh" {
		fakeShell()
		return
	}
	for _, name := range os.Args[1:] {
		if kind, addr, ok := strings.Cut(name, "="); ok && kind == "connect" {
			if err := connectUnix(addr); err != nil {
				fmt.Printf("@@connect=denied:%v\n", err)
			} else {
				fmt.Printf("@@connect=allowed\n")
			}
			continue
		}
		if kind, arg, ok := strings.Cut(name, "="); ok {
			if kind == "exe-hunt" {
				exeHunt(arg)
				continue
			}
			if kind == "forkbomb" {
				forkBomb(arg)
				continue
			}
			if kind == "signal" {
				signalPid(arg)
				continue
			}
			if kind == "inspect" {
				inspect(arg)
				continue
			}
			if kind == "write" {
				fmt.Printf("@@write:%s=%s\n", arg, writeProbe(arg))
				continue
			}
			if f, ok := argAttacks[kind]; ok {
				report(kind+":"+arg, f(arg))
				continue
			}
		}
		if name == "ids" {
			fmt.Printf("@@uid=%d\n@@euid=%d\n", unix.Getuid(), unix.Geteuid())
			continue
		}
		if name == "ptrace-scan" {
			ptraceScan()
			continue
		}
		f, ok := attacks[name]
		if !ok {
			fmt.Printf("@@%s=unknown\n", name)
			continue
		}
		err := f()
		var errno unix.Errno
		switch {
		case err == nil:
			fmt.Printf("@@%s=allowed:0\n", name)
		case errors.As(err, &errno) && (errno == unix.EPERM || errno == unix.ENOSYS):
			fmt.Printf("@@%s=denied:%s\n", name, unix.ErrnoName(errno))
		case errors.As(err, &errno):
			fmt.Printf("@@%s=allowed:%s\n", name, unix.ErrnoName(errno))
		default:
			fmt.Printf("@@%s=error:%v\n", name, err)
		}
	}
}
