package server

import (
	"errors"
	"io"
	"sync"
	"time"

	"virtlxc/internal/rpc/wire"
)

// Stream errors.
var (
	// ErrStreamClosed is returned by a stream closed locally, discarded
	// because its call failed, or whose connection went away.
	ErrStreamClosed = errors.New("rpc stream closed")
	// ErrStreamAborted is returned by Read after the client aborted the
	// stream (STREAM packet with status ERROR).
	ErrStreamAborted = errors.New("rpc stream aborted by the client")
	// ErrStreamFinished is returned by Write after the client finished the
	// stream (STREAM packet with status OK).
	ErrStreamFinished = errors.New("rpc stream finished by the client")
)

// streamQueueMax bounds the client data waiting for the handler to Read.
const streamQueueMax = 4 << 20

type streamKey struct{ prog, proc, serial uint32 }

// Stream is the data stream of one call (spec §3.4), an
// io.ReadWriteCloser for the handler:
//
//   - Read returns the bytes of the client's STREAM packets (status
//     CONTINUE), then io.EOF once the client finished (status OK), or
//     ErrStreamAborted if it aborted (status ERROR). Either is confirmed to
//     the client with an empty STREAM packet of status OK, as libvirtd does.
//   - Write sends STREAM packets of status CONTINUE, in chunks of at most
//     wire.MaxStreamChunk, each after the previous one was written (flow
//     control). Writing nothing sends nothing: an empty packet means EOF.
//   - Close ends the server's side: an empty CONTINUE packet, which clients
//     read as end of stream (libvirtd's behaviour on pty hangup). The client
//     then finishes, and gets the final OK confirmation.
//   - Abort ends it with an error: a STREAM packet of status ERROR.
//
// One goroutine may Read while another Writes.
type Stream struct {
	conn  *Conn
	key   streamKey
	ready chan struct{} // closed once the reply is queued or the stream discarded
	wmu   sync.Mutex    // orders outgoing stream packets

	mu           sync.Mutex
	attached     bool
	discarded    bool
	localEOF     bool  // Close or Abort called
	remoteDone   bool  // the client finished or aborted, or went away
	pendingAbort error // Abort before the reply went out
	queue        [][]byte
	queued       int
	rerr         error
	rdone        chan struct{} // closed when rerr is set
	readable     chan struct{} // poked when data arrives
	writable     chan struct{} // poked when the queue shrinks
}

func newStream(c *Conn, h wire.Header) *Stream {
	return &Stream{
		conn:     c,
		key:      streamKey{h.Program, h.Procedure, h.Serial},
		ready:    make(chan struct{}),
		rdone:    make(chan struct{}),
		readable: make(chan struct{}, 1),
		writable: make(chan struct{}, 1),
	}
}

func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// setErrLocked records the end of the input side once.
func (s *Stream) setErrLocked(err error) {
	if s.rerr == nil {
		s.rerr = err
		close(s.rdone)
	}
}

// Read reads client data; see Stream.
func (s *Stream) Read(p []byte) (int, error) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			n := copy(p, s.queue[0])
			if n == len(s.queue[0]) {
				s.queue[0] = nil
				s.queue = s.queue[1:]
			} else {
				s.queue[0] = s.queue[0][n:]
			}
			s.queued -= n
			s.mu.Unlock()
			poke(s.writable)
			return n, nil
		}
		if s.rerr != nil {
			err := s.rerr
			s.mu.Unlock()
			return 0, err
		}
		s.mu.Unlock()
		select {
		case <-s.readable:
		case <-s.rdone:
		}
	}
}

// Write sends p to the client; see Stream.
func (s *Stream) Write(p []byte) (int, error) {
	select {
	case <-s.ready:
	case <-s.conn.closed:
		return 0, ErrStreamClosed
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	n := 0
	for n < len(p) {
		if err := s.writeErr(); err != nil {
			return n, err
		}
		chunk := p[n:min(len(p), n+wire.MaxStreamChunk)]
		if err := s.send(wire.Continue, chunk, true); err != nil {
			return n, err
		}
		n += len(chunk)
	}
	return n, nil
}

func (s *Stream) writeErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.discarded || s.localEOF:
		return ErrStreamClosed
	case s.remoteDone && s.rerr == ErrStreamAborted:
		return ErrStreamAborted
	case s.remoteDone && s.rerr == io.EOF:
		return ErrStreamFinished
	case s.remoteDone:
		return ErrStreamClosed
	}
	return nil
}

// send queues one STREAM packet; with wait it returns once written.
func (s *Stream) send(status wire.Status, payload []byte, wait bool) error {
	h := wire.Header{Program: s.key.prog, Version: wire.ProtocolVersion, Procedure: s.key.proc,
		Type: wire.Stream, Serial: s.key.serial, Status: status}
	f := outFrame{frame: frameWithPayload(h, payload), what: "stream " + status.String()}
	var sent chan error
	if wait {
		sent = make(chan error, 1)
		f.sent = sent
	}
	if err := s.conn.enqueue(f); err != nil {
		return ErrStreamClosed
	}
	if !wait {
		return nil
	}
	select {
	case err := <-sent:
		if err != nil {
			return ErrStreamClosed
		}
		return nil
	case <-s.conn.closed:
		return ErrStreamClosed
	}
}

// Close ends the server's side of the stream with an empty CONTINUE packet
// (EOF for the client) and discards unread client data. It never blocks on
// the call's reply: closed before the handler returns, the EOF follows the
// reply.
func (s *Stream) Close() error {
	s.mu.Lock()
	if s.localEOF {
		s.mu.Unlock()
		return nil
	}
	s.localEOF = true
	s.dropInputLocked()
	send := s.attached && !s.remoteDone && !s.discarded
	s.mu.Unlock()
	if !send {
		return nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.send(wire.Continue, nil, false)
}

// Abort ends the stream with err, which the client receives as a
// remote_error in a STREAM packet of status ERROR.
func (s *Stream) Abort(err error) error {
	s.mu.Lock()
	if s.localEOF || s.remoteDone || s.discarded {
		s.mu.Unlock()
		return nil
	}
	s.localEOF = true
	s.dropInputLocked()
	if !s.attached {
		s.pendingAbort = err
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	return s.sendAbort(err)
}

func (s *Stream) sendAbort(err error) error {
	s.conn.detachStream(s)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	h := wire.Header{Program: s.key.prog, Version: wire.ProtocolVersion, Procedure: s.key.proc,
		Type: wire.Stream, Serial: s.key.serial, Status: wire.Error}
	return s.conn.enqueue(outFrame{frame: frameWithPayload(h, wire.EncodeError(err)), what: "stream error"})
}

func (s *Stream) dropInputLocked() {
	s.queue, s.queued = nil, 0
	s.setErrLocked(ErrStreamClosed)
	poke(s.writable)
}

// fromClient takes one STREAM packet of the client (reader goroutine).
func (s *Stream) fromClient(p *wire.Packet) {
	switch p.Status {
	case wire.Continue:
		if len(p.Payload) > 0 {
			s.push(p.Payload)
		}
	case wire.OK:
		s.endFromClient(io.EOF)
	default:
		s.endFromClient(ErrStreamAborted)
	}
}

// push queues client data, waiting while the queue is full; a handler that
// stalls for Options.StreamStall gets its client dropped.
func (s *Stream) push(b []byte) {
	var timer *time.Timer
	for {
		s.mu.Lock()
		if s.localEOF || s.remoteDone || s.discarded {
			s.mu.Unlock()
			return
		}
		if s.queued < streamQueueMax {
			s.queue = append(s.queue, b)
			s.queued += len(b)
			s.mu.Unlock()
			poke(s.readable)
			return
		}
		s.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(s.conn.srv.opts.StreamStall)
			defer timer.Stop()
		}
		select {
		case <-s.writable:
		case <-s.conn.closed:
			return
		case <-timer.C:
			s.conn.log.Warn("rpc client dropped: stream input not consumed", "serial", s.key.serial)
			s.conn.Close()
			return
		}
	}
}

// endFromClient handles the client's finish (io.EOF) or abort: Read drains
// what is queued, then returns err; the client gets the OK confirmation.
func (s *Stream) endFromClient(err error) {
	s.mu.Lock()
	if s.remoteDone {
		s.mu.Unlock()
		return
	}
	s.remoteDone = true
	s.setErrLocked(err)
	s.mu.Unlock()
	s.conn.detachStream(s)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.send(wire.OK, nil, false)
}

// discard drops a stream whose call failed: nothing is ever sent.
func (s *Stream) discard() {
	s.mu.Lock()
	s.discarded = true
	s.setErrLocked(ErrStreamClosed)
	s.mu.Unlock()
	close(s.ready)
}

// connClosed ends the stream because its connection went away.
func (s *Stream) connClosed() {
	s.mu.Lock()
	s.remoteDone = true
	s.setErrLocked(ErrStreamClosed)
	s.mu.Unlock()
}

// markAttached is called once the call's reply is queued: writes may flow,
// and an EOF or abort requested meanwhile is sent now.
func (s *Stream) markAttached() {
	s.mu.Lock()
	s.attached = true
	abort, eof := s.pendingAbort, s.localEOF
	if s.remoteDone { // the client already finished: nothing more to say
		abort, eof = nil, false
	}
	s.mu.Unlock()
	close(s.ready)
	switch {
	case abort != nil:
		s.sendAbort(abort)
	case eof:
		s.wmu.Lock()
		s.send(wire.Continue, nil, false)
		s.wmu.Unlock()
	}
}

// routeTo starts routing the client's data for st to it; false if the
// connection is already gone.
func (c *Conn) routeTo(st *Stream) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hooksDone {
		return false
	}
	c.streams[st.key] = st
	return true
}

// detachStream stops routing data to st.
func (c *Conn) detachStream(st *Stream) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.streams[st.key] == st {
		delete(c.streams, st.key)
	}
}
