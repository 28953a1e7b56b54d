package driver

import (
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/procstat"
)

// directKillGrace is how long a destroy that killed init itself waits for
// the controller to report the exit before it asks the controller to
// destroy (which thaws a frozen group and kills through the cgroups).
const directKillGrace = 500 * time.Millisecond

// killInit SIGKILLs a running domain's init from the daemon, as libvirt's
// virLXCProcessStop kills the container's processes itself: init's death
// takes its whole pid namespace, the controller reaps it and tears down.
// That spares the destroy a monitor connection and request. It reports
// whether the signal went: not for a paused domain (its frozen init
// would not die until thawed), nor when the pid is not, or no longer,
// the controller's child.
func (d *Driver) killInit(dom *domain, r *run) bool {
	dom.mu.Lock()
	initPID, paused := dom.initPID, dom.state == StatePaused
	dom.mu.Unlock()
	if paused {
		return false
	}
	fd, ok := initPidfd(initPID, r.proc.Pid())
	if !ok {
		return false
	}
	defer unix.Close(fd)
	return unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0) == nil
}

// initPidfd opens a pidfd for initPID if that process is the child of
// controller ctl: its init (the controller starts no other child). The
// pidfd names the process that had the pid when it was opened; a parent
// read after that and found to be ctl means it was init then (init held
// the pid from before, and a pid is free again only once ctl reaped it),
// so a signal through the pidfd reaches init or nobody.
func initPidfd(initPID, ctl int) (int, bool) {
	if initPID <= 0 || ctl <= 0 {
		return -1, false
	}
	fd, err := unix.PidfdOpen(initPID, 0)
	if err != nil {
		return -1, false
	}
	if ppid, err := parentOf(initPID); err != nil || ppid != ctl {
		unix.Close(fd)
		return -1, false
	}
	return fd, true
}

// holdMountNS opens the container's mount namespace for the daemon to
// hold while the domain runs (nil when it cannot, or must not). When
// init dies the controller's reference is then not the last: taking
// the namespace down (every mount of the container, then an expedited
// RCU grace period: 0.3-0.5 ms here) is left to the daemon's release
// once the stop is handled, off a destroy's path, which waits for the
// controller's exit. Not for a domain with loop-backed filesystems:
// their loop devices are freed by the unmounts, which must be over when
// the stop is.
func holdMountNS(dom *domain, r *run) *os.File {
	dom.mu.Lock()
	initPID, loops := dom.initPID, loopBacked(dom.liveDef)
	dom.mu.Unlock()
	if loops {
		return nil
	}
	fd, ok := initPidfd(initPID, r.proc.Pid())
	if !ok {
		return nil
	}
	defer unix.Close(fd)
	f, err := os.Open("/proc/" + strconv.Itoa(initPID) + "/ns/mnt")
	if err != nil {
		return nil
	}
	// Still init's child now (not reaped): it was init's namespace.
	if unix.PidfdSendSignal(fd, 0, nil, 0) != nil {
		f.Close()
		return nil
	}
	return f
}

// parentOf reads the parent pid of pid from /proc/PID/stat.
func parentOf(pid int) (int, error) {
	f, err := procstat.Read(strconv.Itoa(pid))
	if err != nil {
		return 0, err
	}
	ppid, err := procstat.Uint(f, 4)
	return int(ppid), err
}

// loopBacked reports whether def mounts an image or a block device (the
// controller attaches loop devices for them).
func loopBacked(def *domainxml.Domain) bool {
	if def == nil || def.Devices == nil {
		return false
	}
	for _, fs := range def.Devices.Filesystems {
		if fs.Source != nil && (fs.Source.File != nil || fs.Source.Block != nil) {
			return true
		}
	}
	return false
}
