package keeper

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"virtlxc/internal/virerr"
)

// initctlPaths are the FIFOs sysvinit-style inits listen on, in libvirt's
// order (virInitctlFifos).
var initctlPaths = []string{"/run/initctl", "/dev/initctl", "/etc/.initctl"}

// initctlRequest builds sysvinit's 384-byte init_request asking for a
// runlevel ('0' poweroff, '6' reboot).
func initctlRequest(runlevel byte) []byte {
	req := make([]byte, 384)
	binary.NativeEndian.PutUint32(req[0:], 0x03091969) // magic
	binary.NativeEndian.PutUint32(req[4:], 1)          // cmd RUNLVL
	binary.NativeEndian.PutUint32(req[8:], uint32(runlevel))
	return req
}

// sendInitctl writes a runlevel request to the container's initctl FIFO.
// It reports whether one was written. The FIFO is found inside the
// container's root (openat2 RESOLVE_IN_ROOT on /proc/PID/root), opened as
// O_PATH first and checked to be a FIFO that is not the host's own, and only
// then reopened for writing: a container cannot make the controller write
// into a device node or change the host's runlevel (CVE-2013-6456).
func sendInitctl(initPID int, runlevel byte) (bool, error) {
	root, err := unix.Open("/proc/"+strconv.Itoa(initPID)+"/root", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, fmt.Errorf("opening the container's root: %w", err)
	}
	defer unix.Close(root)
	for _, p := range initctlPaths {
		fd, err := unix.Openat2(root, strings.TrimPrefix(p, "/"), &unix.OpenHow{
			Flags:   unix.O_PATH | unix.O_CLOEXEC,
			Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
		})
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("Unable to stat %s: %w", p, err)
		}
		wrote, err := writeFIFO(fd, p, runlevel)
		unix.Close(fd)
		if err != nil || wrote {
			return wrote, err
		}
	}
	return false, nil
}

func writeFIFO(pathFD int, p string, runlevel byte) (bool, error) {
	var st unix.Stat_t
	if err := unix.Fstat(pathFD, &st); err != nil {
		return false, fmt.Errorf("Unable to stat %s: %w", p, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return false, nil
	}
	var host unix.Stat_t
	if unix.Stat(p, &host) == nil && host.Dev == st.Dev && host.Ino == st.Ino {
		return false, nil // the host's own FIFO: never touch the host's runlevel
	}
	fd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(pathFD), unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err != nil {
		return false, fmt.Errorf("Cannot open init control %s: %w", p, err)
	}
	f := os.NewFile(uintptr(fd), p)
	defer f.Close()
	req := initctlRequest(runlevel)
	if n, err := f.Write(req); err != nil || n != len(req) {
		return false, fmt.Errorf("Failed to send request to init control %s: %v", p, err)
	}
	return true, nil
}

// StopInit asks init (host pid, signalled by signal) to power off
// (reboot=false) or reboot: through initctl and/or a signal (SIGTERM, or
// SIGHUP for reboot) as mode says: "" tries initctl then the signal,
// "initctl" and "signal" use only that one.
func StopInit(pid int, signal func(unix.Signal) error, mode string, reboot bool, log *slog.Logger) error {
	runlevel, sig := byte('0'), unix.SIGTERM
	if reboot {
		runlevel, sig = '6', unix.SIGHUP
	}
	useInitctl := mode == "" || strings.Contains(mode, "initctl")
	useSignal := mode == "" || strings.Contains(mode, "signal")
	if useInitctl {
		wrote, err := sendInitctl(pid, runlevel)
		if wrote {
			return nil
		}
		if err != nil && !useSignal {
			return err
		}
		if err != nil {
			log.Info("initctl failed, falling back to a signal", "err", err)
		}
	}
	if useSignal {
		if err := signal(sig); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("Unable to send SIGTERM to init pid %d: %w", pid, err)
		}
		return nil
	}
	return virerr.New(virerr.ErrOperationUnsupported, virerr.FromLXC, "Container does not provide an initctl pipe")
}
