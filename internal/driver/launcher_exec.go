package driver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/monitor"
)

// Timeouts of the monitor conversations.
const (
	dialTimeout = 2 * time.Second
	callTimeout = 30 * time.Second
)

// execLauncher is the real Launcher; spares, when set, holds a booted
// controller that a start uses instead of exec'ing one.
type execLauncher struct{ spares *sparePool }

// Launch execs the controller in its own session with stdin on /dev/null
// and stdout/stderr on the log, and reaps it when it exits; with a spare
// controller at hand it hands the spare the same command line and
// descriptors instead.
func (l execLauncher) Launch(spec LaunchSpec) (Process, error) {
	if l.spares != nil && spec.Binary == l.spares.binary {
		if p, ok := l.spares.launch(spec); ok {
			return p, nil
		}
	}
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return nil, err
	}
	defer devnull.Close()
	cmd := &exec.Cmd{
		Path:        spec.Binary,
		Args:        append([]string{spec.Binary}, spec.Args...),
		Env:         spec.Env,
		Stdin:       devnull,
		Stdout:      spec.Log,
		Stderr:      spec.Log,
		ExtraFiles:  spec.ExtraFiles,
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
		Dir:         "/", // not the daemon's working directory (see daemon.Main)
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return watchChild(cmd), nil
}

// watchChild returns cmd, just started, as a Process. Its exit is awaited
// on a pidfd through the runtime poller, then reaped: cmd.Wait alone
// would block a thread in waitid for the controller's whole life, one
// daemon thread per running container.
func watchChild(cmd *exec.Cmd) *childProcess {
	p := &childProcess{cmd: cmd, done: make(chan struct{})}
	go func() {
		if fd, err := unix.PidfdOpen(cmd.Process.Pid, unix.PIDFD_NONBLOCK); err == nil {
			f := os.NewFile(uintptr(fd), fmt.Sprintf("pidfd:%d", cmd.Process.Pid))
			awaitPidfd(f, fd)
			f.Close()
		}
		_ = cmd.Wait() // at once: the process has exited
		close(p.done)
	}()
	return p
}

// RefillSpare boots the next spare controller, if the launcher keeps spares
// and is short of them (the driver calls it when a start is over).
func (l execLauncher) RefillSpare() {
	if l.spares != nil {
		l.spares.refill()
	}
}

// Close ends the spare controller, if any.
func (l execLauncher) Close() error {
	if l.spares != nil {
		l.spares.Close()
	}
	return nil
}

// childProcess is a controller this process started (and reaps).
type childProcess struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// Pid implements Process.
func (p *childProcess) Pid() int { return p.cmd.Process.Pid }

// Done implements Process.
func (p *childProcess) Done() <-chan struct{} { return p.done }

// ExitCode implements Process.
func (p *childProcess) ExitCode() int {
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	default:
		return -1
	}
}

// Signal implements Process.
func (p *childProcess) Signal(sig syscall.Signal) error {
	err := p.cmd.Process.Signal(sig)
	if errors.Is(err, os.ErrProcessDone) {
		return nil
	}
	return err
}

// Attach opens a pidfd for pid and watches it for the process's exit
// through the runtime poller.
func (execLauncher) Attach(pid int) (Process, error) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("pidfd_open %d: %w", pid, err)
	}
	f := os.NewFile(uintptr(fd), fmt.Sprintf("pidfd:%d", pid))
	p := &attachedProcess{pid: pid, pidfd: f, fd: fd, done: make(chan struct{})}
	go p.wait()
	return p, nil
}

// attachedProcess is a controller started by an earlier daemon.
type attachedProcess struct {
	pid  int
	done chan struct{}

	mu    sync.Mutex
	pidfd *os.File // nil once the process has exited
	fd    int      // pidfd's descriptor, valid while pidfd is set
}

// Pid implements Process.
func (p *attachedProcess) Pid() int { return p.pid }

// Done implements Process.
func (p *attachedProcess) Done() <-chan struct{} { return p.done }

// ExitCode implements Process; a process that is not our child has none.
func (p *attachedProcess) ExitCode() int { return -1 }

// Signal implements Process through the pidfd.
func (p *attachedProcess) Signal(sig syscall.Signal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pidfd == nil {
		return nil
	}
	err := unix.PidfdSendSignal(p.fd, sig, nil, 0)
	if errors.Is(err, unix.ESRCH) {
		return nil
	}
	return err
}

// wait blocks until the pidfd is readable, which it becomes when the
// process exits.
func (p *attachedProcess) wait() {
	awaitPidfd(p.pidfd, p.fd)
	p.mu.Lock()
	p.pidfd.Close()
	p.pidfd = nil
	p.mu.Unlock()
	close(p.done)
}

// awaitPidfd returns once pidfd f (descriptor fd) is readable, which it
// becomes when its process exits: through the runtime poller, or, where
// the poller cannot take it, in poll(2) on this goroutine's thread.
func awaitPidfd(f *os.File, fd int) {
	exited := func(fd uintptr, timeout int) bool {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, timeout)
		return (err != nil && !errors.Is(err, unix.EINTR)) || n > 0
	}
	rc, err := f.SyscallConn()
	if err == nil {
		err = rc.Read(func(fd uintptr) bool { return exited(fd, 0) })
	}
	if err != nil {
		for !exited(uintptr(fd), -1) {
		}
	}
}

// Watch connects and asks for the event stream.
func (execLauncher) Watch(socket string) (Watcher, error) {
	// The daemon removes a stopped controller's cgroups (handleStop).
	c, err := monitor.Dial(socket, monitor.Request{Op: monitor.OpWatch, Reaper: true}, dialTimeout)
	if err != nil {
		return nil, err
	}
	return &connWatcher{c: c, r: bufio.NewReader(c)}, nil
}

// connWatcher reads JSON events from a watch connection.
type connWatcher struct {
	c net.Conn
	r *bufio.Reader
}

// Next implements Watcher.
func (w *connWatcher) Next() (monitor.Event, error) {
	var ev monitor.Event
	err := monitor.ReadLine(w.r, &ev)
	return ev, err
}

// Close implements Watcher.
func (w *connWatcher) Close() error { return w.c.Close() }

// Call sends req and reads the single reply, bounded by callTimeout.
func (execLauncher) Call(socket string, req monitor.Request) (monitor.Reply, error) {
	c, err := monitor.Dial(socket, req, dialTimeout)
	if err != nil {
		return monitor.Reply{}, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(callTimeout))
	var rep monitor.Reply
	if err := monitor.ReadLine(c, &rep); err != nil {
		return monitor.Reply{}, fmt.Errorf("reading controller reply: %w", err)
	}
	return rep, nil
}

// Console attaches to a console relay; after the OK line the connection
// carries the console's bytes both ways.
func (execLauncher) Console(socket string, index int) (io.ReadWriteCloser, error) {
	c, err := monitor.Dial(socket, monitor.Request{Op: monitor.OpConsole, Index: index}, dialTimeout)
	if err != nil {
		return nil, err
	}
	_ = c.SetReadDeadline(time.Now().Add(callTimeout))
	var rep monitor.Reply
	if err := monitor.ReadLine(c, &rep); err != nil {
		c.Close()
		return nil, fmt.Errorf("reading controller reply: %w", err)
	}
	_ = c.SetReadDeadline(time.Time{})
	if rep.Error != "" {
		c.Close()
		return nil, &monitorError{rep}
	}
	return c, nil
}

// monitorError is a failure the controller reported in a Reply.
type monitorError struct{ rep monitor.Reply }

// Error returns the controller's message.
func (e *monitorError) Error() string { return e.rep.Error }
