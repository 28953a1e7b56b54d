package driver

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"

	"virtlxc/internal/monitor"
)

// withReadyPipe gives a virtlxc controller a pipe to announce that its
// container runs (--ready-fd): it writes its init event there (a monitor
// line), so the start need not wait for a monitor round trip before it
// goes on, and is not left to polling. It returns the read end; the write end
// is in spec.ExtraFiles and is closed in the daemon by closeReadyWriter
// after the launch. Another emulator gets no pipe and is only polled.
func (d *Driver) withReadyPipe(spec *LaunchSpec) (*os.File, error) {
	if spec.Binary != d.controller {
		return nil, nil
	}
	r, w, err := os.Pipe() // close-on-exec: no other child inherits it
	if err != nil {
		return nil, fmt.Errorf("create the ready pipe: %w", err)
	}
	spec.Args = append(spec.Args, "--ready-fd", strconv.Itoa(3+len(spec.ExtraFiles)))
	spec.ExtraFiles = append(slices.Clip(spec.ExtraFiles), w)
	return r, nil
}

// closeReadyWriter closes the daemon's copy of the pipe's write end, the
// last of spec.ExtraFiles, so that the read end sees EOF when the
// controller exits without a word.
func closeReadyWriter(spec LaunchSpec, r *os.File) {
	if r != nil {
		spec.ExtraFiles[len(spec.ExtraFiles)-1].Close()
	}
}

// readySignal returns a channel that delivers the init event the
// controller wrote to r, or nil when r reached EOF or held something else
// (the controller is gone, or wrote the bare byte of an older protocol);
// r is closed then. It returns nil when r is nil: a channel never
// delivering would block nothing, the start also polls.
func readySignal(r *os.File) <-chan *monitor.Event {
	if r == nil {
		return nil
	}
	ch := make(chan *monitor.Event, 1)
	go func() {
		defer r.Close()
		var ev monitor.Event
		if err := monitor.ReadLine(bufio.NewReader(r), &ev); err != nil || ev.Kind != monitor.EventInit {
			ch <- nil
			return
		}
		ch <- &ev
	}()
	return ch
}
