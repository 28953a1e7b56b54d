package nsenter

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"virtlxc/internal/virerr"
)

// lastCap bounds the capability numbers tried when dropping.
const lastCap = 63

// runInGo is the path without a user namespace: a thread of this process
// joins the namespaces and forks the command.
func runInGo(req Request) (Result, error) {
	// Paths resolve in the container's mount namespace once joined: open
	// the cgroup files now.
	cg, err := openCgroupMoves(req.Cgroups)
	if err != nil {
		return Result{}, err
	}
	defer cg.close()
	type started struct {
		cmd *exec.Cmd
		err error
	}
	ch := make(chan started, 1)
	go func() {
		// This thread's namespaces change for good: it is never unlocked,
		// so the runtime destroys it when the goroutine returns.
		runtime.LockOSThread()
		cmd, err := startInNamespaces(req, cg)
		ch <- started{cmd, err}
	}()
	st := <-ch
	if st.err != nil {
		return Result{}, st.err
	}
	res := Result{Pid: st.cmd.Process.Pid}
	err = st.cmd.Wait()
	if ws, ok := st.cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
		res.Status = ws
		return res, nil
	}
	return res, err
}

// startInNamespaces runs on the locked thread.
func startInNamespaces(req Request, cg *cgroupMoves) (*exec.Cmd, error) {
	// The cgroups first: once in the container's cgroup namespace, moving
	// from a cgroup outside it is refused.
	if err := cg.join(); err != nil {
		return nil, err
	}
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return nil, cg.wrap(&SetupError{Msg: "Unable to unshare the filesystem context", Err: err})
	}
	for _, f := range req.Namespaces {
		if err := unix.Setns(int(f.Fd()), 0); err != nil && err != unix.EINVAL {
			return nil, cg.wrap(&SetupError{Msg: "Unable to join domain namespace", Err: err})
		}
	}
	if req.CapBnd != nil {
		if err := dropBounding(*req.CapBnd); err != nil {
			return nil, cg.wrap(err)
		}
	}
	if err := restrict(req.NoNewPrivs, req.filters); err != nil {
		return nil, cg.wrap(err)
	}
	cmd := &exec.Cmd{Path: req.Argv[0], Args: req.Argv, Env: req.Env,
		Stdin: req.Stdin, Stdout: req.Stdout, Stderr: req.Stderr}
	err := cg.wrap(cmd.Start())
	if err != nil {
		return nil, execError(err)
	}
	return cmd, nil
}

// dropBounding removes every capability outside keep from this thread's
// bounding set; the forked command inherits it.
func dropBounding(keep uint64) error {
	for c := 0; c <= lastCap; c++ {
		if keep&(1<<c) != 0 {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil {
			if err == unix.EINVAL {
				break // past the kernel's last capability
			}
			return &SetupError{Msg: "Unable to drop capability from the bounding set", Err: err}
		}
	}
	return nil
}

// ExecError is a command that could not be executed; Status is the exit
// status a shell would report (127 not found, 126 otherwise).
type ExecError struct {
	Err    error
	Status int
}

// Error describes the failed exec.
func (e *ExecError) Error() string { return "cannot execute: " + virerr.Strerror(e.Err) }

// Unwrap returns the exec error.
func (e *ExecError) Unwrap() error { return e.Err }

func execError(err error) error {
	var pe *os.PathError
	status := 126
	if errors.As(err, &pe) && errors.Is(pe.Err, syscall.ENOENT) {
		status = 127
	}
	return &ExecError{Err: err, Status: status}
}

// cgroupMoves moves this process into the container's cgroups and back
// through files opened before the namespaces were joined.
type cgroupMoves struct {
	into, back []*os.File
	names      []string
}

func openCgroupMoves(dirs []string) (*cgroupMoves, error) {
	cg := &cgroupMoves{}
	if len(dirs) == 0 {
		return cg, nil
	}
	orig, err := CgroupDirs("self")
	if err != nil {
		return nil, err
	}
	open := func(dir string) (*os.File, error) {
		return os.OpenFile(filepath.Join(dir, "cgroup.procs"), os.O_WRONLY, 0)
	}
	for _, d := range dirs {
		f, err := open(d)
		if err != nil {
			cg.close()
			return nil, &SetupError{Msg: "Unable to join domain cgroup " + d, Err: err}
		}
		cg.into, cg.names = append(cg.into, f), append(cg.names, d)
	}
	for _, d := range orig {
		if f, err := open(d); err == nil {
			cg.back = append(cg.back, f)
		}
	}
	return cg, nil
}

// join moves the process into the container's cgroups.
func (cg *cgroupMoves) join() error {
	pid := []byte(strconv.Itoa(os.Getpid()))
	for i, f := range cg.into {
		if _, err := f.Write(pid); err != nil {
			cg.restore()
			return &SetupError{Msg: "Unable to join domain cgroup " + cg.names[i], Err: err}
		}
	}
	return nil
}

// restore moves the process back where it was.
func (cg *cgroupMoves) restore() {
	pid := []byte(strconv.Itoa(os.Getpid()))
	for _, f := range cg.back {
		f.Write(pid)
	}
}

// wrap restores after the command started and passes its error on.
func (cg *cgroupMoves) wrap(err error) error {
	cg.restore()
	return err
}

func (cg *cgroupMoves) close() {
	for _, f := range append(cg.into, cg.back...) {
		f.Close()
	}
}
