package driver

import (
	"io"
	"os"
	"syscall"

	"virtlxc/internal/monitor"
)

// LaunchSpec is everything needed to start one controller process.
type LaunchSpec struct {
	// Name is the domain name.
	Name string
	// Binary is the controller executable.
	Binary string
	// Args are the arguments after the program name.
	Args []string
	// Env is the complete environment.
	Env []string
	// ExtraFiles become the controller's descriptors 3, 4, ... in order.
	ExtraFiles []*os.File
	// Log receives the controller's stdout and stderr.
	Log *os.File
}

// Process is a controller process, started by this driver or found again
// after a daemon restart.
type Process interface {
	// Pid is the controller's pid (the domain id).
	Pid() int
	// Done is closed once the process has exited.
	Done() <-chan struct{}
	// ExitCode is the exit status once Done is closed, -1 when unknown
	// (killed by a signal, or not this process's child).
	ExitCode() int
	// Signal sends sig to the process; a process that is gone is not an
	// error.
	Signal(sig syscall.Signal) error
}

// Watcher is an open monitor watch stream of one controller.
type Watcher interface {
	// Next returns the next event; io.EOF (or another error) once the
	// controller has closed the stream or Close was called.
	Next() (monitor.Event, error)
	// Close ends the stream.
	Close() error
}

// Launcher starts controllers and talks to them through their monitor
// sockets. The real one execs virtlxc-controller; tests use a fake.
type Launcher interface {
	// Launch starts a controller detached from the daemon (own session,
	// no parent-death signal) and returns at once.
	Launch(spec LaunchSpec) (Process, error)
	// Attach finds the running controller with pid after a daemon
	// restart.
	Attach(pid int) (Process, error)
	// Watch opens a watch stream on the monitor socket; it fails at once
	// when nothing listens there yet.
	Watch(socket string) (Watcher, error)
	// Call sends a single-reply request (shutdown, reboot, destroy,
	// suspend, resume) and waits for the reply.
	Call(socket string, req monitor.Request) (monitor.Reply, error)
	// Console attaches to console index and returns the raw byte stream.
	Console(socket string, index int) (io.ReadWriteCloser, error)
}
