package containerinit

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"virtlxc/internal/caps"
	"virtlxc/internal/initproto"
	"virtlxc/internal/virerr"
)

// execInit finishes inside the new root and replaces this process with the
// container's init (spec §2.2 steps 10–20).
func (s *stage) execInit() error {
	c := s.c
	path := c.Init[0]
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		reason := "No such file or directory"
		if err == nil {
			reason = "Is a directory"
		}
		return fmt.Errorf("cannot find init path '%s' relative to container root: %s", path, reason)
	} else if st.Mode().Perm()&0o111 == 0 {
		// Refused here, while the start can still fail with the reason
		// (exec would say EACCES only once the start is confirmed).
		return virerr.Sys(unix.EACCES, "Failed to exec %s", path)
	}
	id, err := lookupIdentity(c.User, c.Group)
	if err != nil {
		return err
	}
	if c.NewUTS {
		if err := unix.Sethostname([]byte(c.Hostname)); err != nil {
			return virerr.Sys(err, "Failed to set hostname to '%s'", c.Hostname)
		}
	}
	if c.NewNet {
		if err := loopbackUp(); err != nil {
			return err
		}
	}
	filter := s.seccompWanted()
	if err := s.setupConsoleFDs(id); err != nil {
		return err
	}
	last, err := caps.LastCap()
	if err != nil {
		return err
	}
	keep, err := caps.Plan(c.CapPolicy, c.CapStates, true, last)
	if err != nil {
		return err
	}
	if filter {
		if err := applySeccomp(); err != nil {
			return err
		}
	}
	// The uid switch comes first, keeping the capabilities (it needs
	// CAP_SETUID, CAP_SETGID, which a policy may drop); the drop then
	// runs with the kept ones. exec clears them anyway for a non-root
	// init.
	if err := id.apply(); err != nil {
		return err
	}
	if err := caps.Apply(keep); err != nil {
		return virerr.Sys(err, "Failed to drop capabilities")
	}
	if err := setNoNewPrivs(c.CapPolicy); err != nil {
		return err
	}
	if err := unix.Chdir(c.Cwd); err != nil {
		return virerr.Sys(err, "Unable to change to %s", c.Cwd)
	}
	// Every descriptor but stdio and the passed ones closes at exec; the
	// sync socket among them, which tells the controller init is running.
	syncFD := initproto.SyncFD(s.npass)
	unix.CloseOnExec(syncFD)
	if err := unix.CloseRange(uint(syncFD+1), ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return fmt.Errorf("marking descriptors close-on-exec: %w", err)
	}
	// The controller is told now, as libvirt's is (its second
	// handshake): the exec itself (≈ 0.4 ms: the runtime's threads must
	// die first) runs while the start is confirmed. An exec that still
	// fails is reported in the log, and init's exit stops the container.
	_ = initproto.Send(s.sync, initproto.Exec, "")
	err = unix.Exec(path, c.Init, c.Env)
	return virerr.Sys(err, "Failed to exec %s", path)
}

// setNoNewPrivs sets no_new_privs for init and everything it starts when
// the capability policy is "deny" (a virtlxc addition; libvirt never sets
// it): such a container asked for no privileges, so setuid and
// file-capability binaries must not hand any back (su, sudo, ping do not
// work). Under "default" and "allow" it stays off, as under libvirt, and
// setuid tools work.
func setNoNewPrivs(policy string) error {
	if policy != caps.PolicyDeny {
		return nil
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return virerr.Sys(err, "Failed to set no_new_privs")
	}
	return nil
}

// setupConsoleFDs makes the first console init's controlling terminal and
// its stdin, stdout and stderr.
func (s *stage) setupConsoleFDs(id identity) error {
	if _, err := unix.Setsid(); err != nil {
		return virerr.Sys(err, "Unable to become session leader")
	}
	// Opening a tty without O_NOCTTY as a session leader makes it the
	// controlling terminal, which shells need for job control.
	// The pty itself, as libvirt opens it: init's tty reads /dev/pts/0.
	fd, err := unix.Open("/dev/pts/0", unix.O_RDWR, 0)
	if err != nil {
		return virerr.Sys(err, "Failed to open tty /dev/pts/0")
	}
	if id.set {
		if err := unix.Fchown(fd, id.uid, -1); err != nil {
			return virerr.Sys(err, "Failed to change ownership of tty /dev/pts/0")
		}
	}
	for i := 0; i < 3; i++ {
		if err := unix.Dup3(fd, i, 0); err != nil {
			return virerr.Sys(err, "Failed to set up stdio")
		}
	}
	if fd > 2 {
		unix.Close(fd)
	}
	return nil
}

// loopbackUp brings lo up in the container's own network namespace.
func loopbackUp() error {
	sock, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return virerr.Sys(err, "Failed to open a socket to configure lo")
	}
	defer unix.Close(sock)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(sock, unix.SIOCGIFFLAGS, ifr); err != nil {
		return virerr.Sys(err, "Failed to read flags of lo")
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(sock, unix.SIOCSIFFLAGS, ifr); err != nil {
		return virerr.Sys(err, "Failed to set lo up")
	}
	return nil
}
