package console

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultBacklogSize is the backlog a Relay keeps when RelayOptions does not
// say otherwise.
const DefaultBacklogSize = 64 * 1024

// ErrBusy is returned by Relay.Attach when a client is already attached.
var ErrBusy = errors.New("console: a client is already attached")

// ErrClosed is returned by Relay.Attach after Relay.Close.
var ErrClosed = errors.New("console: relay closed")

// RelayOptions configures a Relay. The zero value is usable.
type RelayOptions struct {
	// BacklogSize bounds, in bytes, the console output kept for the next
	// client while none is attached (or while the attached one is slower
	// than the container). The oldest bytes are dropped when it is full.
	// Zero or negative means DefaultBacklogSize. The memory is allocated
	// as output arrives, so a silent console costs nothing.
	BacklogSize int

	// Log, if set, receives every byte the container writes to its
	// console, attached client or not (the <log file=...> of a console).
	// It is written from the relay's read loop, so it must not block for
	// long; on its first error it is logged and no longer written to.
	Log io.Writer

	// Logger receives the relay's diagnostics. Nil discards them.
	Logger *slog.Logger

	// Backlog is output read before this relay (by the relay another
	// process handed the master over from, Handoff): the next client gets
	// it first. It is copied.
	Backlog []byte
}

// Relay copies one console between a pty master (container side) and at most
// one client at a time. Output is read into a bounded backlog from which the
// attached client, if any, is fed. With no client the container is never
// blocked: the oldest output is dropped. With a client attached nothing is
// dropped: while the client has not taken a full backlog the relay stops
// reading the master, so the container's console writes wait for the
// client, as with libvirt's console. Bytes a client writes go to the master
// in order.
//
// A Relay stops reading when the pty hangs up — every descriptor of the slave
// has been closed, normally because the container died — and Done is closed
// then. A caller that wants the console to survive the container's init
// closing and reopening /dev/console keeps a slave descriptor of its own
// open. Close must be called in every case to release the master.
type Relay struct {
	master *os.File
	logW   io.Writer // touched only by the read loop
	logger *slog.Logger

	mu      sync.Mutex
	room    *sync.Cond // on mu: the attached client consumed backlog, or it left
	backlog ring
	cur     *attachment
	stopped bool  // the read loop has ended
	handoff bool  // stopped by Handoff: the master stays open
	err     error // why it ended, if not a hangup or Close
	closed  bool

	done      chan struct{} // closed when the read loop ends
	closing   chan struct{} // closed by Close
	input     chan inputChunk
	wg        sync.WaitGroup // every goroutine of the relay
	closeOnce sync.Once
	closeErr  error
}

// attachment is one attached client and its two goroutines.
type attachment struct {
	client  io.ReadWriteCloser
	notify  chan struct{} // capacity 1: new output or hangup
	ack     chan struct{} // capacity 1: the writer finished an input chunk
	quit    chan struct{} // closed when the attachment ends
	endOnce sync.Once
	wg      sync.WaitGroup
	// kept: the attachment ends for a handoff (HandoffClient), which
	// takes the client over: it is not closed.
	kept atomic.Bool
}

// inputChunk is client input handed to the relay's master writer.
type inputChunk struct {
	data []byte
	ack  chan struct{}
}

// NewRelay starts relaying the pty master, of which it takes ownership. The
// master must be registered with the Go poller (as returned by OpenPTY, or
// os.NewFile of a non-blocking descriptor) so that Close can interrupt I/O.
func NewRelay(master *os.File, opts RelayOptions) (*Relay, error) {
	if master == nil {
		return nil, errors.New("new console relay: nil master")
	}
	if err := master.SetReadDeadline(time.Time{}); err != nil {
		return nil, fmt.Errorf("new console relay on %s: master must be non-blocking: %w",
			master.Name(), err)
	}
	size := opts.BacklogSize
	if size <= 0 {
		size = DefaultBacklogSize
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Relay{
		master:  master,
		logW:    opts.Log,
		logger:  logger,
		backlog: newRing(size),
		done:    make(chan struct{}),
		closing: make(chan struct{}),
		input:   make(chan inputChunk),
	}
	r.backlog.write(opts.Backlog)
	r.room = sync.NewCond(&r.mu)
	r.wg.Add(2)
	go r.readLoop()
	go r.writeLoop()
	return r, nil
}

// Done returns a channel that is closed when the relay has stopped reading
// the master: the pty hung up, reading failed, or Close was called.
func (r *Relay) Done() <-chan struct{} { return r.done }

// Err reports why the relay stopped: nil while it runs and after a hangup or
// Close, otherwise the read error.
func (r *Relay) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Attach attaches client to the console. The backlog is written to the client
// first, then live output; bytes read from the client are written to the
// master. The relay owns client from now on and closes it when the attachment
// ends: when the client's Read returns EOF or an error, a Write to it fails,
// the returned detach is called, another client forces it out, the pty hangs
// up (after the remaining output is delivered) or the relay is closed.
// client.Close must interrupt a pending Read or Write.
//
// detach ends the attachment, if it is still in place, and returns once the
// attachment's goroutines have finished; it may be called more than once.
// Attach returns ErrBusy if another client is attached and ErrClosed after
// Close.
func (r *Relay) Attach(client io.ReadWriteCloser) (detach func(), err error) {
	return r.attach(client, false)
}

// AttachForce is Attach, except that a client already attached is detached
// (and closed) to make room instead of ErrBusy being returned. Output it had
// not yet received stays in the backlog for the new client.
func (r *Relay) AttachForce(client io.ReadWriteCloser) (detach func(), err error) {
	return r.attach(client, true)
}

func (r *Relay) attach(client io.ReadWriteCloser, force bool) (func(), error) {
	if client == nil {
		return nil, errors.New("attach console: nil client")
	}
	a := &attachment{
		client: client,
		notify: make(chan struct{}, 1),
		ack:    make(chan struct{}, 1),
		quit:   make(chan struct{}),
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, ErrClosed
	}
	prev := r.cur
	if prev != nil && !force {
		r.mu.Unlock()
		return nil, ErrBusy
	}
	r.cur = a
	a.wg.Add(2)
	r.wg.Add(2)
	pos, backlog, dropped := r.backlog.head, r.backlog.size(), r.backlog.dropped
	r.mu.Unlock()

	if prev != nil {
		r.logger.Debug("console client forced out")
		prev.stop(r.logger)
		prev.wg.Wait()
	}
	r.logger.Debug("console client attached", "backlog", backlog, "dropped_total", dropped)
	go r.pump(a, pos)
	go r.feed(a)
	return func() {
		r.end(a)
		a.wg.Wait()
	}, nil
}

// end detaches a if it is still the current client, and stops it.
func (r *Relay) end(a *attachment) {
	r.mu.Lock()
	if r.cur == a {
		r.cur = nil
		r.room.Broadcast()
	}
	r.mu.Unlock()
	a.stop(r.logger)
}

// stop closes the attachment's quit channel and its client, once.
func (a *attachment) stop(logger *slog.Logger) {
	a.endOnce.Do(func() {
		close(a.quit)
		if a.kept.Load() {
			return
		}
		if err := a.client.Close(); err != nil {
			logger.Debug("close console client", "err", err)
		}
		logger.Debug("console client detached")
	})
}

// signal wakes the attachment's output pump without blocking.
func (a *attachment) signal() {
	select {
	case a.notify <- struct{}{}:
	default:
	}
}

// Close stops the relay: the attached client, if any, is closed, the master
// is closed and every goroutine of the relay has returned when Close does.
// Later calls return the first call's result.
func (r *Relay) Close() error {
	r.closeOnce.Do(func() {
		r.mu.Lock()
		r.closed = true
		a := r.cur
		r.cur = nil
		r.room.Broadcast()
		r.mu.Unlock()

		close(r.closing)
		if a != nil {
			a.stop(r.logger)
		}
		if err := r.master.Close(); err != nil {
			r.closeErr = fmt.Errorf("close console master %s: %w", r.master.Name(), err)
		}
		r.wg.Wait()

		r.mu.Lock()
		r.backlog.release()
		r.mu.Unlock()
	})
	return r.closeErr
}

// Handoff stops the relay between two reads of the master and returns the
// master, still open, and the output held for the next client, so that
// another relay (another process, after an exec) goes on with them
// (RelayOptions.Backlog). It returns ErrBusy while a client is attached
// and ErrClosed after Close; on success the relay is closed, except for
// the master, which is the caller's.
func (r *Relay) Handoff() (*os.File, []byte, error) {
	r.mu.Lock()
	switch {
	case r.closed:
		r.mu.Unlock()
		return nil, nil, ErrClosed
	case r.cur != nil:
		r.mu.Unlock()
		return nil, nil, ErrBusy
	}
	r.closed = true
	r.handoff = true
	r.room.Broadcast()
	r.mu.Unlock()
	var err error
	r.closeOnce.Do(func() {
		close(r.closing)
		// A read in progress returns what it read: nothing is lost
		// between this relay and the next.
		err = r.master.SetReadDeadline(time.Now())
		r.wg.Wait()
		if err == nil {
			err = r.master.SetReadDeadline(time.Time{})
		}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("handing console %s over: %w", r.master.Name(), err)
	}
	r.mu.Lock()
	held := make([]byte, r.backlog.size())
	n, _, _ := r.backlog.readAt(r.backlog.head, held)
	r.backlog.release()
	r.mu.Unlock()
	return r.master, held[:n], nil
}

// Attached reports whether a client is attached.
func (r *Relay) Attached() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur != nil
}

// deadliner is a client whose blocked Read a deadline interrupts (a
// net.Conn).
type deadliner interface{ SetReadDeadline(time.Time) error }

// HandoffClient is Handoff for a relay that may have a client attached:
// the attachment ends without closing the client (its Read is interrupted
// by a deadline, which is then cleared), and the client is returned with
// the master and the output it has not been given, for the next relay to
// attach it again (nil when none was attached). Keyboard input read from
// the client and not yet written to the master when the attachment ends
// is lost. A client that cannot take a read deadline is detached and
// closed instead.
func (r *Relay) HandoffClient() (*os.File, []byte, io.ReadWriteCloser, error) {
	r.mu.Lock()
	a := r.cur
	d, ok := io.ReadWriteCloser(nil), false
	if a != nil {
		d = a.client
		_, ok = d.(deadliner)
		if ok {
			a.kept.Store(true)
		}
	}
	r.mu.Unlock()
	if a != nil {
		if ok {
			_ = d.(deadliner).SetReadDeadline(time.Now())
		}
		r.end(a)
		a.wg.Wait()
		if ok {
			_ = d.(deadliner).SetReadDeadline(time.Time{})
		} else {
			d = nil
		}
	}
	m, held, err := r.Handoff()
	if err != nil {
		if d != nil {
			d.Close()
		}
		return nil, nil, nil, err
	}
	return m, held, d, nil
}
