package dnsmasq

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Binary finds dnsmasq in PATH or /usr/sbin, with libvirt's error when it
// is missing.
func Binary() (string, error) {
	if p, err := exec.LookPath("dnsmasq"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/dnsmasq"); err == nil {
		return "/usr/sbin/dnsmasq", nil
	}
	return "", fmt.Errorf("Cannot check dnsmasq binary dnsmasq: %w", fs.ErrNotExist)
}

// Start writes the files for c and starts dnsmasq, which daemonises and
// writes its pid file; it returns once dnsmasq runs. On failure the files
// it wrote are removed.
func Start(c Config, f Files) (err error) {
	bin, err := Binary()
	if err != nil {
		return err
	}
	cont, err := Render(c, f)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			removeFiles(f)
		}
	}()
	for _, d := range []string{filepath.Dir(f.Conf), filepath.Dir(f.Pid)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", d, err)
		}
	}
	for _, w := range []struct{ path, data string }{
		{f.Conf, cont.Conf}, {f.Hosts, cont.Hosts}, {f.AddnHosts, cont.AddnHosts},
	} {
		// dnsmasq reads them again after it dropped its privileges.
		if err := os.WriteFile(w.path, []byte(w.data), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", w.path, err)
		}
	}
	_ = os.Remove(f.Pid)
	cmd := exec.Command(bin, "--conf-file="+f.Conf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// dnsmasq checks its configuration and binds before it forks; the
	// parent's exit status tells whether it started.
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("dnsmasq for %s failed to start: %v: %s", c.Interface, err, strings.TrimSpace(stderr.String()))
	}
	if _, ok := Running(f); !ok {
		return fmt.Errorf("dnsmasq for %s started but its pid file %s names no running dnsmasq", c.Interface, f.Pid)
	}
	return nil
}

// Refresh rewrites the static hosts files (dhcp-hostsfile, addn-hosts)
// of the dnsmasq serving f for c and has it read them again (SIGHUP), as
// libvirt's networkRefreshDhcpDaemon does; a dnsmasq that does not run is
// started.
func Refresh(c Config, f Files) error {
	pid, ok := Running(f)
	if !ok {
		return Start(c, f)
	}
	cont, err := Render(c, f)
	if err != nil {
		return err
	}
	for _, w := range []struct{ path, data string }{{f.Hosts, cont.Hosts}, {f.AddnHosts, cont.AddnHosts}} {
		if err := os.WriteFile(w.path, []byte(w.data), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", w.path, err)
		}
	}
	pfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return fmt.Errorf("signalling dnsmasq %d: %w", pid, err)
	}
	defer unix.Close(pfd)
	if again, ok := Running(f); !ok || again != pid { // gone meanwhile
		return Start(c, f)
	}
	if err := unix.PidfdSendSignal(pfd, unix.SIGHUP, nil, 0); err != nil {
		return fmt.Errorf("signalling dnsmasq %d: %w", pid, err)
	}
	return nil
}

// Running returns the pid of the dnsmasq serving f, if it runs: the pid
// file names a live process whose command line is dnsmasq with f.Conf.
func Running(f Files) (int, bool) {
	data, err := os.ReadFile(f.Pid)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0, false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return 0, false
	}
	args := strings.Split(string(cmdline), "\x00")
	if filepath.Base(args[0]) != "dnsmasq" || !strings.Contains(string(cmdline), "--conf-file="+f.Conf+"\x00") {
		return 0, false
	}
	return pid, true
}

// Stop ends the dnsmasq serving f (SIGTERM, then SIGKILL after two
// seconds) and removes its files but the lease file, which Forget
// removes; a dnsmasq that is not running is no error. The process is
// held by a pidfd, so a reused pid is never signalled.
func Stop(f Files) error {
	if pid, ok := Running(f); ok {
		pfd, err := unix.PidfdOpen(pid, 0)
		switch {
		case errors.Is(err, unix.ESRCH):
		case err != nil:
			return fmt.Errorf("stopping dnsmasq %d: %w", pid, err)
		default:
			defer unix.Close(pfd)
			if again, ok := Running(f); ok && again == pid { // still ours once held
				_ = unix.PidfdSendSignal(pfd, unix.SIGTERM, nil, 0)
				if !exited(pfd, 2*time.Second) {
					_ = unix.PidfdSendSignal(pfd, unix.SIGKILL, nil, 0)
					exited(pfd, 2*time.Second)
				}
			}
		}
	}
	removeFiles(f)
	return nil
}

// exited waits up to d for the process behind pfd to exit.
func exited(pfd int, d time.Duration) bool {
	fds := []unix.PollFd{{Fd: int32(pfd), Events: unix.POLLIN}}
	for deadline := time.Now().Add(d); ; {
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		n, err := unix.Poll(fds, int(left.Milliseconds())+1)
		if n > 0 {
			return true
		}
		if err != nil && !errors.Is(err, unix.EINTR) {
			return false
		}
	}
}

// Forget removes the lease file of a network that is gone.
func Forget(f Files) {
	_ = os.Remove(f.Leases)
}

func removeFiles(f Files) {
	for _, p := range []string{f.Conf, f.Pid, f.Hosts, f.AddnHosts} {
		_ = os.Remove(p)
	}
}
