package containerinit

import (
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"virtlxc/internal/console"
	"virtlxc/internal/initproto"
	"virtlxc/internal/virerr"
)

// mountDevpts gives the container its own devpts instance (spec §1.4 step 5)
// and /dev/ptmx bound from it.
func (s *stage) mountDevpts() error {
	dst, err := s.mkdirIn("/dev/pts")
	if err != nil {
		return err
	}
	opts := "newinstance,ptmxmode=0666,mode=0620,gid=" + strconv.Itoa(s.c.DevptsGID)
	if err := mount("devpts", dst, "devpts", unix.MS_NOSUID|unix.MS_NOEXEC, opts); err != nil {
		return err
	}
	ptmx, err := s.touchIn("/dev/ptmx", 0o666)
	if err != nil {
		return err
	}
	return mount(filepath.Join(dst, "ptmx"), ptmx, "", unix.MS_BIND, "")
}

// mountConsoles creates one pty per console in the container's devpts,
// binds /dev/ttyN (and /dev/console for the first) onto the slaves and hands
// the masters to the controller, which holds and relays them.
func (s *stage) mountConsoles() error {
	pts, err := s.inRoot("/dev/pts")
	if err != nil {
		return err
	}
	var masters []*os.File
	defer func() {
		for _, m := range masters {
			m.Close()
		}
	}()
	var fds []int
	for i := 0; i < s.c.Consoles; i++ {
		m, n, err := console.OpenPTY(filepath.Join(pts, "ptmx"))
		if err != nil {
			return virerr.Sys(err, "Failed to allocate tty")
		}
		masters = append(masters, m)
		fds = append(fds, int(m.Fd()))
		slave := filepath.Join(pts, strconv.Itoa(n))
		targets := []string{"/dev/tty" + strconv.Itoa(i+1)}
		if i == 0 {
			targets = append(targets, "/dev/console")
		}
		for _, t := range targets {
			dst, err := s.touchIn(t, 0o600)
			if err != nil {
				return err
			}
			if err := mount(slave, dst, "", unix.MS_BIND, ""); err != nil {
				return err
			}
		}
	}
	return initproto.Send(s.sync, initproto.Consoles, strconv.Itoa(len(fds)), fds...)
}
