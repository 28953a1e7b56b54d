// Package nsenter runs a command inside a running container: in its
// cgroups, its namespaces (given as fds, in libvirt's order user, ipc,
// uts, net, pid, mnt) and under its init's capability bounding set. It is
// the client half of "lxc-enter-namespace".
//
// Either way the work is done by a helper process executed from a sealed
// memfd copy of the binary (memfd.go), never by the caller itself: the
// process forked into the container's pid namespace shows the helper's
// image as /proc/PID/exe until it execs the command, and that must not be
// the host's binary (runc CVE-2019-5736). The helper gets the namespace
// fds as 3, 4, … and an environment variable naming them, and exits with
// the command's status. Two helpers:
//
//   - Without a user namespace to join, pure Go (helper.go, gojoin.go): a
//     goroutine locks its OS thread for good, unshares CLONE_FS (so
//     setns(mnt) is allowed), joins each namespace, drops the bounding set
//     and starts the command with os/exec from that thread; the helper
//     moves into the container's cgroups only around the fork.
//   - With a user namespace (an <idmap> container), which a multithreaded
//     process cannot join: a C constructor (nsenter_cgo.go, built with cgo
//     only) runs before the Go runtime starts, joins the cgroups and
//     namespaces, becomes root of the user namespace, forks, and the child
//     execs the command while the parent relays its exit status.
//
// Built without cgo, the second helper is unavailable and Run says so.
package nsenter

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"virtlxc/internal/virerr"
)

// Environment variables read by the constructor in the re-executed binary.
const (
	// EnvFDs lists the namespace fds to join, comma separated.
	EnvFDs = "_VIRTLXC_NSENTER_FDS"
	// EnvCgroups lists the cgroup directories to join, newline separated.
	EnvCgroups = "_VIRTLXC_NSENTER_CGROUPS"
	// EnvCapBnd is the capability bounding set to keep, in hex.
	EnvCapBnd = "_VIRTLXC_NSENTER_CAPBND"
	// EnvSeccomp holds the seccomp programs to install, comma separated,
	// each 16 hex digits per instruction (see encodePrograms).
	EnvSeccomp = "_VIRTLXC_NSENTER_SECCOMP"
	// EnvNoNewPrivs, set to "1", sets no_new_privs.
	EnvNoNewPrivs = "_VIRTLXC_NSENTER_NNP"
	// EnvMode, set to "reexec", sends every request through the
	// constructor (tests use it to exercise that path without a user
	// namespace).
	EnvMode = "VIRTLXC_NSENTER"
)

// ErrNoCgo is returned for a user namespace when the binary was built
// without cgo.
var ErrNoCgo = errors.New("joining a user namespace needs the cgo helper, but this virtlxc was built with CGO_ENABLED=0; rebuild it with CGO_ENABLED=1")

// Request describes a command to run inside a container.
type Request struct {
	// Namespaces are namespace fds in libvirt's order; Run does not
	// close them.
	Namespaces []*os.File
	// Cgroups are the cgroup directories to join (see CgroupDirs).
	Cgroups []string
	// CapBnd, if not nil, is the capability bounding set to keep.
	CapBnd *uint64
	// Seccomp installs virtlxc's default seccomp filters (as on the
	// container's init) on the command.
	Seccomp bool
	// NoNewPrivs sets no_new_privs on the command (as on the init).
	NoNewPrivs bool
	// Argv is the command; Argv[0] is executed as is, without a PATH
	// search.
	Argv []string
	// Env is the command's environment; nil means the current one.
	Env []string

	Stdin, Stdout, Stderr *os.File

	// filters are the decoded programs inside the pure-Go helper.
	filters [][]unix.SockFilter
}

// Result is how the command (or the helper process standing for it)
// ended.
type Result struct {
	Pid    int
	Status syscall.WaitStatus
}

// SetupError is a failure before the command could be started.
type SetupError struct {
	Msg string
	Err error
}

// Error returns libvirt-style text: what failed, then why.
func (e *SetupError) Error() string {
	if e.Err == nil {
		return e.Msg
	}
	return e.Msg + ": " + virerr.Strerror(e.Err)
}

// Unwrap returns the cause.
func (e *SetupError) Unwrap() error { return e.Err }

// Run runs the command and waits for it.
func Run(req Request) (Result, error) {
	if len(req.Argv) == 0 {
		return Result{}, &SetupError{Msg: "No command to run"}
	}
	if len(req.Namespaces) == 0 {
		return Result{}, &SetupError{Msg: "Expected at least one file descriptor"}
	}
	user, err := joinsUserNS(req.Namespaces)
	if err != nil {
		return Result{}, err
	}
	if user || os.Getenv(EnvMode) == "reexec" {
		if !Available {
			return Result{}, ErrNoCgo
		}
		return runHelper(req, EnvFDs)
	}
	return runHelper(req, EnvGoFDs)
}

// joinsUserNS reports whether one of the fds is a user namespace other
// than the caller's own.
func joinsUserNS(fds []*os.File) (bool, error) {
	own, err := os.Readlink("/proc/self/ns/user")
	if err != nil {
		return false, &SetupError{Msg: "Unable to read own user namespace", Err: err}
	}
	for _, f := range fds {
		target, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(f.Fd())))
		if err != nil {
			return false, &SetupError{Msg: "Unable to inspect namespace fd", Err: err}
		}
		if strings.HasPrefix(target, "user:") && target != own {
			return true, nil
		}
	}
	return false, nil
}

// helperEnv is the environment of the re-executed helper; fdsVar names
// the variable listing the namespace fds (EnvFDs or EnvGoFDs).
func helperEnv(req Request, nfds int, fdsVar string) []string {
	env := req.Env
	if env == nil {
		env = os.Environ()
	}
	fds := make([]string, nfds)
	for i := range fds {
		fds[i] = strconv.Itoa(3 + i)
	}
	env = append(env[:len(env):len(env)], fdsVar+"="+strings.Join(fds, ","), EnvCgroups+"="+strings.Join(req.Cgroups, "\n"))
	if req.CapBnd != nil {
		env = append(env, fmt.Sprintf("%s=%x", EnvCapBnd, *req.CapBnd))
	}
	if req.NoNewPrivs {
		env = append(env, EnvNoNewPrivs+"=1")
	}
	return env
}

// CleanEnv is the environment of a command run in a container: a standard
// PATH, container=lxc-libvirt (as init has it) and the caller's TERM when
// set; nothing else of the caller's, whose environment may hold secrets
// (tokens, agent sockets) the container must not see.
func CleanEnv(term string) []string {
	env := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "container=lxc-libvirt"}
	if term != "" {
		env = append(env, "TERM="+term)
	}
	return env
}
