package virsh

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/nsenter"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/wire"
)

func cmdEnterNamespace() *CmdDef {
	return &CmdDef{
		Name: "lxc-enter-namespace", Group: "domain",
		Help: "LXC Guest Enter Namespace",
		Desc: "Run an arbitrary command in a lxc guest namespace; use at your own risk",
		Opts: []OptDef{
			optDomainFull(),
			optBool("noseclabel", "Do not change process security label"),
			{Name: "cmd", Type: OptArgv, Required: true, Help: "command to run"},
		},
		Run: runEnterNamespace,
	}
}

// runEnterNamespace is virsh's lxc-enter-namespace: the daemon hands out
// the container's namespace fds; the command runs in the container's
// cgroups and namespaces with the bounding set of its init, and its exit
// status becomes virtlxc's.
func runEnterNamespace(s *Session, pc *ParsedCmd) error {
	dom, err := s.domainArg(pc, byAny)
	if err != nil {
		return err
	}
	argv := pc.Argv("cmd")
	c := s.conn
	files, err := c.CallFDs(wire.ProgramLXC, proto.LXCProcDomainOpenNamespace,
		&proto.LXCDomainOpenNamespaceArgs{Dom: dom}, nil, nil)
	if err != nil {
		return err
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	if !pc.Bool("noseclabel") {
		if err := c.checkSecurityLabel(dom); err != nil {
			return err
		}
	}
	req := nsenter.Request{Namespaces: files, Argv: argv, Env: nsenter.CleanEnv(os.Getenv("TERM")),
		Stdin: s.Stdin, Stdout: stdFile(s.Stdout, os.Stdout), Stderr: stdFile(s.Stderr, os.Stderr)}
	// The command gets init's cgroups, bounding set, no_new_privs and
	// seccomp filters; without them it does not run.
	cgroupsOf := strconv.Itoa(int(dom.ID))
	if pidNS := nsLink(files, "pid:"); pidNS != "" {
		st, err := nsenter.ReadInitState(int(dom.ID), pidNS)
		if err != nil {
			return enterFailure(&nsenter.SetupError{Msg: "Unable to read the state of the domain's init", Err: err})
		}
		cgroupsOf = strconv.Itoa(st.Pid)
		req.CapBnd, req.Seccomp, req.NoNewPrivs = &st.CapBnd, st.Seccomp, st.NoNewPrivs
		// And its cgroup namespace, which libvirt's fds leave out.
		if cg, err := os.Open(fmt.Sprintf("/proc/%d/ns/cgroup", st.Pid)); err == nil {
			defer cg.Close()
			req.Namespaces = append(req.Namespaces[:len(req.Namespaces):len(req.Namespaces)], cg)
		}
	}
	if req.Cgroups, err = nsenter.CgroupDirs(cgroupsOf); err != nil {
		return enterFailure(err)
	}
	// ^C and ^\ are for the command: virtlxc waits for it. (Notify, not
	// Ignore: an ignored signal would stay ignored in the command.)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGQUIT)
	res, err := nsenter.Run(req)
	// A ^C that ended the command may still be on its way to this
	// process: keep catching it a little longer.
	time.AfterFunc(2*time.Second, func() { signal.Stop(sigs) })
	if err != nil {
		return enterFailure(err)
	}
	return childStatus(res.Pid, res.Status)
}

// enterFailure reports a failure to enter: a command that could not be
// executed gets the shell's status (127, 126), setup failures 125, as
// virsh's helper child exits.
func enterFailure(err error) error {
	var ee *nsenter.ExecError
	if errors.As(err, &ee) {
		return childStatus(os.Getpid(), syscall.WaitStatus(ee.Status<<8))
	}
	return &CmdError{Lines: []string{err.Error()}, Status: 125, cause: err}
}

// childStatus turns the command's end into virsh's report: nothing for
// success, libvirt's "Child process ... unexpected ..." otherwise; the
// exit status is the command's (128+N for a signal).
func childStatus(pid int, ws syscall.WaitStatus) error {
	switch {
	case ws.Exited() && ws.ExitStatus() == 0:
		return nil
	case ws.Exited():
		return &CmdError{Lines: []string{fmt.Sprintf("internal error: Child process (%d) unexpected exit status %d", pid, ws.ExitStatus())}, Status: ws.ExitStatus()}
	case ws.Signaled():
		return &CmdError{Lines: []string{fmt.Sprintf("internal error: Child process (%d) unexpected fatal signal %d", pid, int(ws.Signal()))}, Status: 128 + int(ws.Signal())}
	}
	return &CmdError{Lines: []string{fmt.Sprintf("internal error: Child process (%d) unexpected exit status", pid)}}
}

// checkSecurityLabel fetches the node's security model and the domain's
// label as virsh does; only the "none" model (or no label) can be entered
// by virtlxc.
func (c *Conn) checkSecurityLabel(dom libvirt.Domain) error {
	var model libvirt.NodeGetSecurityModelRet
	if err := c.call(proto.ProcNodeGetSecurityModel, nil, &model); err != nil {
		return err
	}
	var label libvirt.DomainGetSecurityLabelRet
	if err := c.call(proto.ProcDomainGetSecurityLabel, &libvirt.DomainGetSecurityLabelArgs{Dom: dom}, &label); err != nil {
		return err
	}
	m := cString(model.Model)
	if m == "" || m == "none" || cString(label.Label) == "" {
		return nil
	}
	return cmdErrorf("Security model %s cannot be entered", m)
}

// nsLink returns the link text ("pid:[4026532184]") of the first fd of the
// given namespace type.
func nsLink(files []*os.File, prefix string) string {
	for _, f := range files {
		l, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(f.Fd())))
		if err == nil && len(l) > len(prefix) && l[:len(prefix)] == prefix {
			return l
		}
	}
	return ""
}

// stdFile returns w when it is a file (the command writes to it
// directly), else the process's own stream.
func stdFile(w any, def *os.File) *os.File {
	if f, ok := w.(*os.File); ok {
		return f
	}
	return def
}
