package driver

import (
	"syscall"

	"golang.org/x/sys/unix"

	"virtlxc/internal/virerr"
)

// processSignalLast is VIR_DOMAIN_PROCESS_SIGNAL_LAST: libvirt's signal
// numbers are Linux's, 0 to 64.
const processSignalLast = 65

// SendProcessSignal sends signal signum to process pid of a running
// container (virDomainSendProcessSignal). As with libvirt's LXC driver
// only init, pid 1, can be signalled; signal 0 checks it exists. The
// signal goes through a pidfd checked to be the controller's child.
func (d *Driver) SendProcessSignal(ref Ref, pid int64, signum uint32, flags uint32) error {
	if pid == 0 {
		return invalidArg("pid_value in virDomainSendProcessSignal must not be zero")
	}
	if err := CheckFlags(flags, 0, "lxcDomainSendProcessSignal"); err != nil {
		return err
	}
	if signum >= processSignalLast {
		return virerr.New(virerr.ErrInvalidArg, virerr.FromLXC, "signum value %d is out of range", signum)
	}
	dom, r, initPID, err := d.runningJob(ref)
	if err != nil {
		return err
	}
	defer dom.endJob()
	if pid != 1 {
		return virerr.New(virerr.ErrArgumentUnsupported, virerr.FromLXC, "Only the init process may be killed")
	}
	if initPID == 0 {
		return virerr.New(virerr.ErrOperationInvalid, virerr.FromLXC, "Init pid is not yet available")
	}
	fd, ok := initPidfd(initPID, r.proc.Pid())
	if !ok {
		return virerr.New(virerr.ErrSystemError, virerr.FromLXC, "Unable to send %d signal to process %d: %s", signum, initPID, virerr.Strerror(syscall.ESRCH))
	}
	defer unix.Close(fd)
	if err := unix.PidfdSendSignal(fd, syscall.Signal(signum), nil, 0); err != nil {
		return virerr.Wrap(err, virerr.ErrSystemError, virerr.FromLXC, "Unable to send %d signal to process %d: %s", signum, initPID, virerr.Strerror(err))
	}
	return nil
}
