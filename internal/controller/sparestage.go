package controller

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"

	"virtlxc/internal/cgroups"
	"virtlxc/internal/containerinit"
	"virtlxc/internal/initproto"
	"virtlxc/internal/spec"
)

// spareStage is the init stage a spare controller started while it waited
// (nil when there is none, or once a start took it): exec'd, its runtime
// booted, alone in a new pid namespace, blocked on its sync socket. A
// claim sends it what a fresh stage gets at its exec; it makes its other
// namespaces itself. Only the spare's own goroutine and the start that
// follows touch it.
var spareStage *initProc

// spareGroup is the cgroup a spare controller made while it waited (nil
// when none, or once a start took it): cgroups.Manager.CreateSpare.
var spareGroup *cgroups.Group

// startSpareGroup makes spareGroup under the default partition and the
// daemon's scope. Failure (or a pure v2 host) only means starts create
// their group.
func startSpareGroup(scope string) {
	layout, err := hostLayout()
	if err != nil {
		return
	}
	mgr, err := cgroups.NewManager(layout, cgroups.Naming{Scope: scope}, nil)
	if err != nil {
		return
	}
	spareGroup, _ = mgr.CreateSpare(os.Getpid())
}

// startSpareStage starts spareStage. The stage inherits nothing but its
// sync socket and /dev/null on 0–2: the caller has marked every other
// descriptor close-on-exec. On a hybrid host it starts inside spareGroup's
// unified directory, which is already the one of the group this controller
// will have (cgroups.Layout.UnifiedRel), so that no start has to move it
// there; without that directory on a host that has one (a pure v2 host,
// where its name needs the domain's), none is started: a fresh stage
// starts inside its group. Failure only means starts exec a fresh stage.
func startSpareStage() {
	layout, err := hostLayout()
	if err != nil {
		return
	}
	v2dir, cgfd := "", -1
	if spareGroup != nil {
		v2dir, _ = spareGroup.V2Dir()
	}
	if layout.V2 != nil && v2dir == "" {
		return
	}
	if v2dir != "" {
		if cgfd, err = unix.Open(v2dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
			return
		}
		defer unix.Close(cgfd)
	}
	parent, child, err := initproto.Pair()
	if err != nil {
		return
	}
	defer child.Close()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		parent.Close()
		return
	}
	defer devnull.Close()
	path, err := stageBinary()
	if err != nil {
		parent.Close()
		return
	}
	cmd := exec.Command(path, containerinit.Arg, initproto.SpareArg)
	cmd.Env = stageEnv
	cmd.ExtraFiles = []*os.File{child} // initproto.SpareSyncFD
	for i := 0; i < initproto.SparePlaceholders; i++ {
		cmd.ExtraFiles = append(cmd.ExtraFiles, devnull)
	}
	pidfd := -1
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  unix.CLONE_NEWPID,
		Pdeathsig:   syscall.SIGKILL,
		PidFD:       &pidfd,
		UseCgroupFD: cgfd >= 0,
		CgroupFD:    cgfd,
	}
	if err := cmd.Start(); err != nil {
		parent.Close()
		return
	}
	spareStage = &initProc{cmd: cmd, pid: cmd.Process.Pid, sync: parent, pidfd: pidfd, v2dir: v2dir}
}

// takeSpareStage hands out spareStage if it can become c's init stage
// with npass passed descriptors and nshare namespaces to join, in the
// group whose unified directory is v2dir: not with a user namespace (made
// at clone time only), nor with more descriptors than it holds places
// for, nor when it was started in another unified directory (the domain
// has its own partition). One that cannot is ended.
func takeSpareStage(c *spec.Container, npass, nshare int, v2dir string) *initProc {
	p := spareStage
	spareStage = nil
	if p == nil {
		return nil
	}
	if c.NewUser || cloneFlags(c)&^uintptr(unix.CLONE_NEWPID|initproto.SpareUnshareable) != 0 ||
		!initproto.SpareFits(npass, nshare) || p.v2dir != v2dir {
		p.discard()
		return nil
	}
	return p
}

// discard kills an unclaimed or failed stage and reaps it.
func (p *initProc) discard() {
	_ = p.signal(unix.SIGKILL)
	_ = p.cmd.Wait()
	p.sync.Close()
	if p.pidfd >= 0 {
		unix.Close(p.pidfd)
	}
}

// claim turns spare stage p (reniced when the spare was launched; threads
// made since inherit that) into c's init stage: the Spec message with the
// log, the spec pipe, the passed descriptors and the namespaces to join. With a network namespace it waits until the stage
// has made it: the controller creates the container ends in it next.
func (p *initProc) claim(c *spec.Container, data []byte, passFDs, shared []*os.File, logFile *os.File) error {
	specR, err := specPipe(data)
	if err != nil {
		return err
	}
	fds := []int{int(logFile.Fd()), int(specR.Fd())}
	for _, f := range append(append([]*os.File{}, passFDs...), shared...) {
		fds = append(fds, int(f.Fd()))
	}
	flags := cloneFlags(c) &^ unix.CLONE_NEWPID
	err = initproto.Send(p.sync, initproto.Spec, fmt.Sprintf("%d %#x", len(passFDs), flags), fds...)
	specR.Close()
	if err != nil {
		return err
	}
	if flags&unix.CLONE_NEWNET == 0 {
		return nil
	}
	kind, text, got, err := initproto.Recv(p.sync)
	for _, fd := range got {
		unix.Close(fd)
	}
	switch {
	case err != nil:
		return err
	case kind == initproto.Error:
		return fmt.Errorf("%s", text)
	case kind != initproto.Unshared:
		return fmt.Errorf("unexpected %q from the init stage", kind)
	}
	return nil
}
