package console

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

const (
	// readChunk is the read size on the master; a pty hands out at most a
	// few KiB per read anyway.
	readChunk = 4096
	// pumpChunk is the largest write to a client.
	pumpChunk = 16 * 1024
	// feedChunk is the read size on a client (keyboard input).
	feedChunk = 1024
)

// readLoop reads the master until it hangs up or is closed, appending
// everything to the backlog and the log writer (holding back while an
// attached client has a full backlog to take, see roomToRead).
func (r *Relay) readLoop() {
	defer r.wg.Done()
	defer close(r.done)
	buf := make([]byte, readChunk)
	var stopErr error
	for {
		n, err := r.master.Read(buf[:r.roomToRead(len(buf))])
		if n > 0 {
			r.mu.Lock()
			r.backlog.write(buf[:n])
			a := r.cur
			r.mu.Unlock()
			if a != nil {
				a.signal()
			}
			r.writeLog(buf[:n])
		}
		if err != nil {
			stopErr = r.readStopped(err)
			break
		}
	}
	r.mu.Lock()
	r.stopped = true
	r.err = stopErr
	a := r.cur
	r.mu.Unlock()
	if a != nil {
		a.signal()
	}
}

// roomToRead returns how much the read loop may read next: up to max, or,
// while a client is attached, no more than the backlog has room for —
// waiting until the client has taken some (or left, or the relay closes).
func (r *Relay) roomToRead(max int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.cur != nil && !r.closed && r.backlog.size() >= r.backlog.limit {
		r.room.Wait()
	}
	if r.cur == nil || r.closed {
		return max
	}
	return min(max, r.backlog.limit-r.backlog.size())
}

// readStopped logs why reading the master ended and returns the error to
// report from Err: nil for a hangup or Close.
func (r *Relay) readStopped(err error) error {
	switch {
	case errors.Is(err, syscall.EIO), errors.Is(err, io.EOF):
		r.logger.Debug("console hung up")
		return nil
	case errors.Is(err, os.ErrClosed):
		return nil
	case errors.Is(err, os.ErrDeadlineExceeded) && r.handingOff():
		return nil
	}
	err = fmt.Errorf("read console master %s: %w", r.master.Name(), err)
	r.logger.Warn("console relay stopped", "err", err)
	return err
}

// writeLog copies console output to the log writer, giving up on the first
// error.
func (r *Relay) writeLog(p []byte) {
	if r.logW == nil {
		return
	}
	if _, err := r.logW.Write(p); err != nil {
		r.logger.Warn("console log write failed; console logging disabled", "err", err)
		r.logW = nil
	}
}

// writeLoop writes client input to the master, one chunk at a time, so that
// a container that does not read its console stalls only this goroutine and
// never a client's attachment.
func (r *Relay) writeLoop() {
	defer r.wg.Done()
	for {
		select {
		case c := <-r.input:
			_, err := r.master.Write(c.data)
			c.ack <- struct{}{}
			if errors.Is(err, os.ErrClosed) {
				return
			}
			if err != nil {
				r.logger.Debug("write console input", "err", err)
			}
		case <-r.closing:
			return
		}
	}
}

// pump feeds the backlog to the attached client a, starting at offset pos.
// Bytes are consumed from the backlog only once written to a client that is
// still attached, so a forced-out client loses nothing for its successor.
func (r *Relay) pump(a *attachment, pos uint64) {
	defer r.wg.Done()
	defer a.wg.Done()
	defer r.end(a)
	buf := make([]byte, pumpChunk)
	for {
		r.mu.Lock()
		if r.cur != a {
			r.mu.Unlock()
			return
		}
		n, start, skipped := r.backlog.readAt(pos, buf)
		stopped := r.stopped
		r.mu.Unlock()
		if skipped > 0 {
			r.logger.Debug("console client too slow: output dropped", "bytes", skipped)
		}
		pos = start
		if n > 0 {
			if _, err := a.client.Write(buf[:n]); err != nil {
				r.logger.Debug("write to console client", "err", err)
				return
			}
			pos += uint64(n)
			r.mu.Lock()
			if r.cur == a {
				r.backlog.discard(pos)
				r.room.Broadcast()
			}
			r.mu.Unlock()
			continue
		}
		if stopped {
			return // everything delivered; closing the client tells it so
		}
		select {
		case <-a.notify:
		case <-a.quit:
			return
		}
	}
}

// feed copies what the client a sends to the master, through writeLoop.
func (r *Relay) feed(a *attachment) {
	defer r.wg.Done()
	defer a.wg.Done()
	defer r.end(a)
	buf := make([]byte, feedChunk)
	for {
		n, err := a.client.Read(buf)
		if n > 0 {
			select {
			case r.input <- inputChunk{data: buf[:n], ack: a.ack}:
			case <-a.quit:
				return
			case <-r.closing:
				return
			}
			// buf is reused only once the writer is done with it; if the
			// attachment ends first, buf is simply abandoned.
			select {
			case <-a.ack:
			case <-a.quit:
				return
			case <-r.closing:
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				r.logger.Debug("read from console client", "err", err)
			}
			return
		}
	}
}

// handingOff reports whether Handoff stopped the read loop.
func (r *Relay) handingOff() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.handoff
}
