package nsenter

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"virtlxc/internal/sigdefault"
)

// EnvGoFDs lists the namespace fds for the pure-Go helper (see goHelper);
// the C constructor reads EnvFDs instead, so each request reaches exactly
// one of them.
const EnvGoFDs = "_VIRTLXC_NSENTER_GO_FDS"

// A binary importing nsenter and started as the pure-Go helper does
// nothing else: it joins, runs the command and exits with its status.
func init() {
	if os.Getenv(EnvGoFDs) == "" {
		return
	}
	os.Exit(goHelper())
}

// runHelper runs the command through a helper process executed from a
// sealed memfd copy of this binary (see sealedExe); fdsVar selects the
// C constructor (EnvFDs) or the pure-Go helper (EnvGoFDs). The helper's
// exit status is the command's.
func runHelper(req Request, fdsVar string) (Result, error) {
	filters, err := seccompEnv(req)
	if err != nil {
		return Result{}, err
	}
	exe, err := sealedExe()
	if err != nil {
		return Result{}, &SetupError{Msg: "Unable to copy the namespace helper", Err: err}
	}
	defer exe.Close()
	cmd := &exec.Cmd{
		Path:       "/proc/self/fd/" + strconv.Itoa(int(exe.Fd())),
		Args:       append([]string{"virtlxc-nsenter"}, req.Argv...),
		Env:        append(helperEnv(req, len(req.Namespaces), fdsVar), filters...),
		ExtraFiles: req.Namespaces,
		Stdin:      req.Stdin, Stdout: req.Stdout, Stderr: req.Stderr,
	}
	if err := cmd.Start(); err != nil {
		return Result{}, &SetupError{Msg: "Unable to start the namespace helper", Err: err}
	}
	exe.Close()
	res := Result{Pid: cmd.Process.Pid}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
		res.Status = ws
		return res, nil
	}
	return res, err
}

// goHelper is the pure-Go helper's main: it takes its request from the
// environment runHelper set, runs it with runInGo and returns the exit
// status to leave with (after trying to die of the command's signal).
// Errors are reported as the C constructor reports them, status 125.
func goHelper() int {
	take := func(name string) string {
		v := os.Getenv(name)
		os.Unsetenv(name)
		return v
	}
	fds, cgroups, capbnd := take(EnvGoFDs), take(EnvCgroups), take(EnvCapBnd)
	filters, nnp := take(EnvSeccomp), take(EnvNoNewPrivs) == "1"
	req := Request{Argv: os.Args[1:], Env: os.Environ(), Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, NoNewPrivs: nnp}
	if filters != "" {
		progs, err := decodePrograms(filters)
		if err != nil {
			return helperFail(err)
		}
		req.filters = progs
	}
	for _, s := range strings.Split(fds, ",") {
		n, err := strconv.Atoi(s)
		if err != nil {
			return helperFail(fmt.Errorf("bad descriptor list %q", fds))
		}
		req.Namespaces = append(req.Namespaces, os.NewFile(uintptr(n), "ns"))
	}
	if cgroups != "" {
		req.Cgroups = strings.Split(cgroups, "\n")
	}
	if capbnd != "" {
		keep, err := strconv.ParseUint(capbnd, 16, 64)
		if err != nil {
			return helperFail(fmt.Errorf("bad bounding set %q", capbnd))
		}
		req.CapBnd = &keep
	}
	// The command starts with every signal's default action (libvirt's
	// virFork); ^C and ^\ are for it, the helper waits for it. (Its
	// blocked set is the one this process started with: exec.Cmd's
	// child takes the runtime's initial mask, not this thread's.)
	if err := sigdefault.Restore(); err != nil {
		return helperFail(err)
	}
	signal.Notify(make(chan os.Signal, 1), syscall.SIGINT, syscall.SIGQUIT)
	res, err := runInGo(req)
	for _, f := range req.Namespaces {
		f.Close()
	}
	var ee *ExecError
	if errors.As(err, &ee) {
		return ee.Status
	}
	if err != nil {
		return helperFail(err)
	}
	if res.Status.Signaled() {
		sig := res.Status.Signal()
		signal.Reset(sig)
		_ = syscall.Kill(os.Getpid(), sig)
		time.Sleep(100 * time.Millisecond)
		return 128 + int(sig)
	}
	return res.Status.ExitStatus()
}

func helperFail(err error) int {
	fmt.Fprintf(os.Stderr, "error: %v\n", err)
	return 125
}
