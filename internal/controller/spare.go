package controller

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// SpareArg is the argument that starts a spare controller: a process that
// has booted (exec, Go runtime, package initialisation: ≈ 1.5 ms) before
// any container needs it, and waits for the daemon's launch message.
//
// Its descriptors 3 … 3+SparePlaceholders-1 hold places (/dev/null) for
// those the launch message brings, which an exec'd controller finds there:
// the runtime opens its own descriptors (epoll, pipes) while the spare
// boots, and must not get those numbers. The socket to the daemon is
// descriptor SpareFD.
const SpareArg = "--spare"

// SparePlaceholders is how many descriptors a spare holds for the launch.
const SparePlaceholders = 16

// SpareFD is the spare's socket to the daemon.
const SpareFD = 3 + SparePlaceholders

// Launch is the message that turns a spare into a container's controller:
// the command line and environment an exec would have given it. The
// message carries the descriptors by SCM_RIGHTS: the log (the controller's
// stdout and stderr) first, then what becomes descriptors 3, 4, ….
type Launch struct {
	Args []string `json:"args"`
	Env  []string `json:"env"`
}

// maxLaunch bounds a launch message.
const maxLaunch = 64 << 10

// maxLaunchFDs bounds the descriptors a launch message carries.
const maxLaunchFDs = 64

// RunSpare waits for the launch message on SpareFD and then runs Main as
// the exec'd controller would; it returns Main's exit status. The daemon
// closing its end first (it stopped, or has no use for this spare) ends the
// spare with status 0.
func RunSpare() int {
	buf := make([]byte, maxLaunch)
	oob := make([]byte, unix.CmsgSpace(maxLaunchFDs*4))
	n, oobn, _, _, err := unix.Recvmsg(SpareFD, buf, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil || n == 0 {
		return 0
	}
	fds, err := launchFDs(oob[:oobn])
	if err != nil || len(fds) == 0 {
		fmt.Fprintf(os.Stderr, "virtlxc-controller: bad launch message: %v\n", err)
		return 1
	}
	var l Launch
	if err := json.Unmarshal(buf[:n], &l); err != nil {
		fmt.Fprintf(os.Stderr, "virtlxc-controller: bad launch message: %v\n", err)
		return 1
	}
	if err := placeLaunchFDs(fds); err != nil {
		fmt.Fprintf(os.Stderr, "virtlxc-controller: %v\n", err)
		return 1
	}
	os.Clearenv()
	for _, kv := range l.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			_ = os.Setenv(k, v)
		}
	}
	return Main(l.Args)
}

// launchFDs extracts the descriptors of a launch message's control data.
func launchFDs(oob []byte) ([]int, error) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("control message: %w", err)
	}
	var fds []int
	for _, m := range msgs {
		got, err := unix.ParseUnixRights(&m)
		if err != nil {
			return nil, fmt.Errorf("descriptors: %w", err)
		}
		fds = append(fds, got...)
	}
	return fds, nil
}

// placeLaunchFDs puts the log (fds[0]) on 1 and 2 and the rest on 3, 4, …
// without close-on-exec, as exec would have inherited them, over the
// placeholders; it closes the socket, the unused placeholders and the
// received copies. A descriptor past the placeholders must be free (the
// runtime may hold it): otherwise the launch fails and the daemon execs a
// controller instead.
func placeLaunchFDs(fds []int) error {
	extra := fds[1:]
	for i := range extra {
		t := 3 + i
		if t < SpareFD {
			continue
		}
		if _, err := unix.FcntlInt(uintptr(t), unix.F_GETFD, 0); err == nil || t == SpareFD {
			return fmt.Errorf("placing launch descriptors: %d is in use", t)
		}
	}
	if err := unix.Dup3(fds[0], 1, 0); err != nil {
		return fmt.Errorf("placing the log: %w", err)
	}
	if err := unix.Dup3(fds[0], 2, 0); err != nil {
		return fmt.Errorf("placing the log: %w", err)
	}
	for i, fd := range extra {
		if err := unix.Dup3(fd, 3+i, 0); err != nil {
			return fmt.Errorf("placing launch descriptors: %w", err)
		}
	}
	for _, fd := range fds {
		if fd >= 3+len(extra) {
			unix.Close(fd)
		}
	}
	for t := 3 + len(extra); t < SpareFD; t++ {
		unix.Close(t)
	}
	unix.Close(SpareFD)
	return nil
}
