package driver

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"

	"golang.org/x/sys/unix"

	"virtlxc/internal/monitor"
)

// withReadyPipe gives a virtlxc controller a socket (--ready-fd) that is
// both its readiness signal and the daemon's watch on it: once init runs
// the controller writes the init event there (a monitor line), then the
// events a monitor watch gets, and treats the daemon as the reaper of its
// cgroups. The start thus needs no monitor connection of its own and is
// not left to polling. It returns the daemon's end; the other end is in
// spec.ExtraFiles and is closed in the daemon by closeReadyWriter after
// the launch. Another emulator gets nothing and is only polled.
func (d *Driver) withReadyPipe(spec *LaunchSpec) (*os.File, error) {
	if spec.Binary != d.controller {
		return nil, nil
	}
	// Close-on-exec: no other child inherits either end.
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("create the ready socket: %w", err)
	}
	spec.Args = append(spec.Args, "--ready-fd", strconv.Itoa(3+len(spec.ExtraFiles)))
	spec.ExtraFiles = append(slices.Clip(spec.ExtraFiles), os.NewFile(uintptr(fds[1]), "ready-peer"))
	return os.NewFile(uintptr(fds[0]), "ready"), nil
}

// closeReadyWriter closes the daemon's copy of the controller's end, the
// last of spec.ExtraFiles, so that the daemon's end sees EOF when the
// controller exits without a word.
func closeReadyWriter(spec LaunchSpec, r *os.File) {
	if r != nil {
		spec.ExtraFiles[len(spec.ExtraFiles)-1].Close()
	}
}

// readyMsg is what the ready socket told: init's event and the watch that
// goes on on it.
type readyMsg struct {
	ev monitor.Event
	w  Watcher
}

// readySignal returns a channel that delivers the init event the
// controller wrote to r with the watcher reading the rest of r, or nil
// when r reached EOF or held something else (the controller is gone);
// r is closed then. It returns nil when r is nil: a channel never
// delivering would block nothing, the start also polls.
func readySignal(r *os.File) <-chan *readyMsg {
	if r == nil {
		return nil
	}
	ch := make(chan *readyMsg, 1)
	go func() {
		conn, err := net.FileConn(r)
		r.Close()
		if err != nil {
			ch <- nil
			return
		}
		br := bufio.NewReader(conn)
		var ev monitor.Event
		if err := monitor.ReadLine(br, &ev); err != nil || ev.Kind != monitor.EventInit {
			conn.Close()
			ch <- nil
			return
		}
		ch <- &readyMsg{ev: ev, w: &connWatcher{c: conn, r: br}}
	}()
	return ch
}
