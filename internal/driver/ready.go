package driver

import (
	"fmt"
	"os"
	"slices"
	"strconv"
)

// withReadyPipe gives a virtlxc controller a pipe to announce that its
// container runs (--ready-fd): the start then connects to the monitor at
// once instead of at the next poll. It returns the read end; the write end
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

// readySignal returns a channel closed once r has a byte or EOF (the
// controller is ready or gone), closing r then; nil when r is nil. A
// channel never closed would block nothing: the start also polls.
func readySignal(r *os.File) <-chan struct{} {
	if r == nil {
		return nil
	}
	ch := make(chan struct{})
	go func() {
		var b [1]byte
		_, _ = r.Read(b[:])
		r.Close()
		close(ch)
	}()
	return ch
}
