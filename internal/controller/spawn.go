package controller

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"virtlxc/internal/containerinit"
	"virtlxc/internal/initproto"
	"virtlxc/internal/spec"
)

// initProc is a started init stage, held on the sync socket until released.
type initProc struct {
	cmd   *exec.Cmd // nil for an init taken over from a keeper
	pid   int
	sync  *os.File
	pidfd int
	// v2dir is the unified cgroup directory a spare stage was started in
	// ("" none).
	v2dir string
}

// cloneFlags are the namespaces a container gets (spec §2.1).
func cloneFlags(c *spec.Container) uintptr {
	fl := uintptr(unix.CLONE_NEWNS | unix.CLONE_NEWPID)
	if c.NewIPC {
		fl |= unix.CLONE_NEWIPC
	}
	if c.NewUTS {
		fl |= unix.CLONE_NEWUTS
	}
	if c.NewNet {
		fl |= unix.CLONE_NEWNET
	}
	if c.NewUser {
		fl |= unix.CLONE_NEWUSER
	}
	return fl
}

// startInit re-executes this binary as the init stage inside new namespaces.
// The child blocks until release is called; its stderr is the container log.
// shared are the namespaces to join, in the order of c.Share.
//
// v2dir is the unified directory of the container's group ("" none, or
// the stage is placed by the caller): the stage starts inside it,
// claimed from the spare controller's or started there
// (CLONE_INTO_CGROUP), and moves its thread into its v1 groups itself
// (spec CgroupJoin).
func startInit(c *spec.Container, uidMap, gidMap []syscall.SysProcIDMap, passFDs, shared []*os.File, logFile *os.File, v2dir string) (*initProc, error) {
	// The init stage is exec'd through a descriptor of this binary: under a
	// user namespace the mapped root may not search the directory the
	// binary lives in, but a descriptor opened here needs no path walk.
	data, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encoding container spec: %w", err)
	}
	if p := takeSpareStage(c, len(passFDs), len(shared), v2dir); p != nil {
		err := p.claim(c, data, passFDs, shared, logFile)
		if err == nil {
			return p, nil
		}
		p.discard() // a fresh stage may still do
		fmt.Fprintf(logFile, "virtlxc: the spare init stage failed (%v); starting a fresh one\n", err)
	}
	stagePath, err := stageBinary()
	if err != nil {
		return nil, err
	}
	self, err := os.Open(stagePath)
	if err != nil {
		return nil, fmt.Errorf("opening the init stage's executable: %w", err)
	}
	defer self.Close()
	specR, err := specPipe(data)
	if err != nil {
		return nil, err
	}
	defer specR.Close()
	parent, child, err := initproto.Pair()
	if err != nil {
		return nil, err
	}
	defer child.Close()
	extra := append(append([]*os.File{}, passFDs...), child, specR, self)
	selfFD := 2 + len(extra)
	extra = append(extra, shared...)
	cmd := exec.Command(fmt.Sprintf("/proc/self/fd/%d", selfFD), containerinit.Arg, strconv.Itoa(len(passFDs)))
	cmd.Env = stageEnv
	cmd.Stderr = logFile
	cmd.ExtraFiles = extra
	pidfd := -1
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: cloneFlags(c),
		Pdeathsig:  syscall.SIGKILL,
		PidFD:      &pidfd,
	}
	if v2dir != "" {
		cgfd, err := unix.Open(v2dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			parent.Close()
			return nil, fmt.Errorf("opening cgroup %s: %w", v2dir, err)
		}
		defer unix.Close(cgfd)
		cmd.SysProcAttr.UseCgroupFD = true
		cmd.SysProcAttr.CgroupFD = cgfd
	}
	if c.NewUser {
		cmd.SysProcAttr.UidMappings = uidMap
		cmd.SysProcAttr.GidMappings = gidMap
		cmd.SysProcAttr.GidMappingsEnableSetgroups = true
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: 0, Gid: 0}
	}
	if err := cmd.Start(); err != nil {
		parent.Close()
		return nil, fmt.Errorf("starting the container's init stage: %w", err)
	}
	return &initProc{cmd: cmd, pid: cmd.Process.Pid, sync: parent, pidfd: pidfd}, nil
}

// specPipe returns the read end of a pipe that holds data, the init
// stage's JSON spec, and then EOF. What fits the pipe's buffer (all of any
// sane domain's) is written at once, so the stage finds it without this
// process being scheduled again; the rest by a goroutine, which ends with
// EPIPE if the stage dies without reading.
func specPipe(data []byte) (*os.File, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return nil, fmt.Errorf("spec pipe: %w", err)
	}
	r, w := os.NewFile(uintptr(p[0]), "spec"), p[1]
	if err := unix.SetNonblock(p[0], false); err != nil {
		r.Close()
		unix.Close(w)
		return nil, fmt.Errorf("spec pipe: %w", err)
	}
	n, err := unix.Write(w, data)
	if err != nil && err != unix.EAGAIN {
		r.Close()
		unix.Close(w)
		return nil, fmt.Errorf("writing the spec: %w", err)
	}
	n = max(n, 0)
	if n == len(data) {
		unix.Close(w)
		return r, nil
	}
	if err := unix.SetNonblock(w, false); err != nil {
		r.Close()
		unix.Close(w)
		return nil, fmt.Errorf("spec pipe: %w", err)
	}
	go func() {
		defer unix.Close(w)
		for rest := data[n:]; len(rest) > 0; {
			m, err := unix.Write(w, rest)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return
			}
			rest = rest[m:]
		}
	}()
	return r, nil
}

// release lets the init stage continue (cgroups and id maps are in place),
// handing it the idmapped root tree and the detached meminfo mount, each
// when >= 0.
func (p *initProc) release(rootTree, memTree int) error {
	var names []string
	var fds []int
	for _, t := range []struct {
		name string
		fd   int
	}{{initproto.TreeRoot, rootTree}, {initproto.TreeMeminfo, memTree}} {
		if t.fd >= 0 {
			names, fds = append(names, t.name), append(fds, t.fd)
		}
	}
	return initproto.Send(p.sync, initproto.Go, strings.Join(names, ","), fds...)
}

// awaitExec collects the console masters and waits until init is being
// exec'd (the Exec message, or EOF on the close-on-exec sync socket) or
// reports why it failed.
func (p *initProc) awaitExec(nconsoles int) ([]*os.File, error) {
	var masters []*os.File
	fail := func(err error) ([]*os.File, error) {
		for _, m := range masters {
			m.Close()
		}
		return nil, err
	}
	for {
		kind, text, fds, err := initproto.Recv(p.sync)
		if errors.Is(err, initproto.ErrClosed) || (err == nil && kind == initproto.Exec) {
			if len(masters) != nconsoles {
				return fail(fmt.Errorf("container init exited during setup (see the container log)"))
			}
			return masters, nil
		}
		if err != nil {
			return fail(err)
		}
		switch kind {
		case initproto.Consoles:
			for _, fd := range fds {
				// Non-blocking before os.NewFile, so the runtime poller
				// serves it and Close can interrupt a pending read.
				if err := unix.SetNonblock(fd, true); err != nil {
					unix.Close(fd)
					continue
				}
				masters = append(masters, os.NewFile(uintptr(fd), "console-master"))
			}
		case initproto.Error:
			for _, fd := range fds {
				unix.Close(fd)
			}
			return fail(errors.New(strings.TrimSpace(text)))
		default:
			for _, fd := range fds {
				unix.Close(fd)
			}
		}
	}
}

// signal sends sig to init through its pidfd (no pid reuse race).
func (p *initProc) signal(sig unix.Signal) error {
	if p.pidfd >= 0 {
		return unix.PidfdSendSignal(p.pidfd, sig, nil, 0)
	}
	return p.cmd.Process.Signal(sig)
}

// stageEnv is the init stage's environment (init gets its own at exec):
// one P, as the stage runs one thread's work, so its runtime makes fewer
// threads and touches fewer pages.
var stageEnv = []string{"GOMAXPROCS=1"}

// InitBinary is the init stage's own executable (cmd/virtlxc-init),
// looked for next to the controller's.
const InitBinary = "virtlxc-init"

// stageBinary is the executable the init stage runs: InitBinary next to
// this one, which starts faster (none of the controller's packages to
// initialise), or else this binary itself, which runs the stage too.
func stageBinary() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding own executable: %w", err)
	}
	if p := filepath.Join(filepath.Dir(self), InitBinary); unix.Access(p, unix.X_OK) == nil {
		return p, nil
	}
	return self, nil
}
