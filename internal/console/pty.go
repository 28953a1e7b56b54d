package console

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// unix98SlaveMajor is the first major number of UNIX 98 pty slaves
// (UNIX98_PTY_SLAVE_MAJOR); a slave's index is (major-136)*256 + minor.
const unix98SlaveMajor = 136

// OpenPTY opens a new pseudo-terminal master on ptmxPath, which is normally
// the ptmx node of a private devpts instance (<devpts>/ptmx), or /dev/ptmx
// for the host's instance. The pty is unlocked so that its slave can be
// opened, and its index (the N in <devpts>/N) is returned.
//
// The master is opened O_RDWR|O_NOCTTY|O_CLOEXEC and is registered with the
// Go poller (non-blocking underneath), so reads and writes on it honour
// deadlines and are interrupted by Close.
func OpenPTY(ptmxPath string) (master *os.File, index int, err error) {
	master, err = os.OpenFile(ptmxPath, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, -1, fmt.Errorf("open pty master: %w", err)
	}
	defer func() {
		if err != nil {
			master.Close()
		}
	}()
	err = withFd(master, func(fd int) error {
		if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
			return fmt.Errorf("unlock pty (TIOCSPTLCK): %w", err)
		}
		n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
		if err != nil {
			return fmt.Errorf("get pty number (TIOCGPTN): %w", err)
		}
		index = int(n)
		return nil
	})
	if err != nil {
		return nil, -1, fmt.Errorf("open pty on %s: %w", ptmxPath, err)
	}
	return master, index, nil
}

// OpenPeer opens the slave side of the pty whose master is given. flags are
// open(2) flags such as unix.O_RDWR|unix.O_NOCTTY; O_CLOEXEC is always added.
// Pass unix.O_NONBLOCK to get a slave registered with the Go poller (deadlines
// work, Close interrupts I/O); leave it out for a slave handed to a container
// process as its console, which expects blocking I/O.
//
// The slave is obtained with TIOCGPTPEER, which never resolves a path. On
// kernels without that ioctl (before Linux 4.13) OpenPeer falls back to
// opening <devptsDir>/<index>, where devptsDir is the directory in which the
// master's devpts instance is mounted, and checks that it opened the right
// device. The returned file is named <devptsDir>/<index> either way.
func OpenPeer(master *os.File, devptsDir string, flags int) (*os.File, error) {
	var peer int
	err := withFd(master, func(fd int) error {
		r, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(unix.TIOCGPTPEER),
			uintptr(flags|unix.O_CLOEXEC))
		if errno != 0 {
			return errno
		}
		peer = int(r)
		return nil
	})
	switch {
	case err == nil:
		index, ierr := ptyIndex(master)
		if ierr != nil {
			unix.Close(peer)
			return nil, fmt.Errorf("open pty peer: %w", ierr)
		}
		return os.NewFile(uintptr(peer), filepath.Join(devptsDir, strconv.Itoa(index))), nil
	case errors.Is(err, unix.ENOTTY), errors.Is(err, unix.EINVAL):
		return openPeerByPath(master, devptsDir, flags)
	default:
		return nil, fmt.Errorf("open pty peer (TIOCGPTPEER): %w", err)
	}
}

// openPeerByPath is OpenPeer's fallback: open <devptsDir>/<index> and verify
// that it is the slave matching master's index.
func openPeerByPath(master *os.File, devptsDir string, flags int) (*os.File, error) {
	if devptsDir == "" {
		return nil, errors.New("open pty peer: TIOCGPTPEER unsupported and no devpts directory given")
	}
	index, err := ptyIndex(master)
	if err != nil {
		return nil, fmt.Errorf("open pty peer: %w", err)
	}
	path := filepath.Join(devptsDir, strconv.Itoa(index))
	fd, err := unix.Open(path, flags|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, fmt.Errorf("open pty peer %s: %w", path, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("stat pty peer %s: %w", path, err)
	}
	major, minor := int(unix.Major(st.Rdev)), int(unix.Minor(st.Rdev))
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || major < unix98SlaveMajor ||
		(major-unix98SlaveMajor)*256+minor != index {
		unix.Close(fd)
		return nil, fmt.Errorf("open pty peer %s: not the slave of pty %d (device %d:%d)",
			path, index, major, minor)
	}
	return os.NewFile(uintptr(fd), path), nil
}

// ptyIndex returns the pty number of a master (TIOCGPTN).
func ptyIndex(master *os.File) (int, error) {
	var index int
	err := withFd(master, func(fd int) error {
		n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
		if err != nil {
			return fmt.Errorf("get pty number (TIOCGPTN): %w", err)
		}
		index = int(n)
		return nil
	})
	return index, err
}

// MakeRaw puts the terminal f into raw mode as cfmakeraw(3) does: no input
// or output processing, no echo, no canonical line editing, no signal
// characters, 8-bit characters, and reads return as soon as one byte is
// available.
func MakeRaw(f *os.File) error {
	err := withFd(f, func(fd int) error {
		t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
		if err != nil {
			return fmt.Errorf("get termios: %w", err)
		}
		t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP |
			unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Cflag &^= unix.CSIZE | unix.PARENB
		t.Cflag |= unix.CS8
		t.Cc[unix.VMIN] = 1
		t.Cc[unix.VTIME] = 0
		if err := unix.IoctlSetTermios(fd, unix.TCSETS, t); err != nil {
			return fmt.Errorf("set termios: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("make %s raw: %w", f.Name(), err)
	}
	return nil
}

// SetSize sets the window size of the terminal f (TIOCSWINSZ), which sends
// SIGWINCH to the terminal's foreground process group. It may be called on
// either side of a pty.
func SetSize(f *os.File, rows, cols uint16) error {
	err := withFd(f, func(fd int) error {
		return unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
	})
	if err != nil {
		return fmt.Errorf("set window size of %s to %dx%d: %w", f.Name(), rows, cols, err)
	}
	return nil
}

// withFd runs fn with f's descriptor without calling f.Fd, which would put a
// poller-registered file back into blocking mode.
func withFd(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}
