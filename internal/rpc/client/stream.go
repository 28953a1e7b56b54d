package client

import (
	"context"
	"errors"
	"io"
	"sync"

	"virtlxc/internal/rpc/wire"
)

// ErrStreamClosed is returned by a stream after Close or Abort.
var ErrStreamClosed = errors.New("rpc stream closed")

// Stream is the data stream of one call (virDomainOpenConsole), both ways:
// Read returns the server's data and io.EOF at the server's end of stream
// (an empty CONTINUE packet), or the server's error; Write sends data;
// Close finishes the stream (a STREAM packet of status OK) and waits for
// the server's confirmation; Abort does the same with status ERROR.
// Incoming data is buffered without bound, so keep reading.
type Stream struct {
	c                  *Client
	prog, proc, serial uint32

	wmu      sync.Mutex
	mu       sync.Mutex
	queue    [][]byte
	rerr     error
	rdone    chan struct{}
	readable chan struct{}
	ending   bool       // Close or Abort sent
	confirm  chan error // the server's answer to Close or Abort
}

// OpenStream makes a call that opens a stream (DOMAIN_OPEN_CONSOLE) and
// returns the stream once the reply arrived; ret receives the reply's ret.
func (c *Client) OpenStream(prog, proc uint32, args, ret any) (*Stream, error) {
	st := &Stream{c: c, prog: prog, proc: proc,
		rdone: make(chan struct{}), readable: make(chan struct{}, 1), confirm: make(chan error, 1)}
	p, err := c.roundTrip(context.Background(), prog, proc, wire.Call, args, nil, st)
	if err != nil {
		return nil, err
	}
	closeFiles(p.FDs)
	if err := decodeRet(p, ret); err != nil {
		st.Abort()
		return nil, err
	}
	return st, nil
}

// end records the end of the server's side once.
func (s *Stream) end(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rerr == nil {
		s.rerr = err
		close(s.rdone)
	}
}

func (s *Stream) fromServer(p *wire.Packet) {
	switch p.Status {
	case wire.Continue:
		if len(p.Payload) == 0 {
			s.end(io.EOF)
			return
		}
		s.mu.Lock()
		if s.rerr == nil {
			s.queue = append(s.queue, p.Payload)
		}
		s.mu.Unlock()
		select {
		case s.readable <- struct{}{}:
		default:
		}
	case wire.OK:
		s.answer(nil)
		s.end(io.EOF)
	default:
		err := wire.DecodeError(p.Payload)
		s.answer(err)
		s.end(err)
	}
}

// answer passes the server's confirmation to a waiting Close or Abort.
func (s *Stream) answer(err error) {
	s.mu.Lock()
	ending := s.ending
	s.mu.Unlock()
	if ending {
		select {
		case s.confirm <- err:
		default:
		}
	}
}

// Read returns data the server sent; see Stream.
func (s *Stream) Read(p []byte) (int, error) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			n := copy(p, s.queue[0])
			if n == len(s.queue[0]) {
				s.queue = s.queue[1:]
			} else {
				s.queue[0] = s.queue[0][n:]
			}
			s.mu.Unlock()
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

// Write sends p as STREAM packets of at most wire.MaxStreamChunk bytes.
func (s *Stream) Write(p []byte) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	n := 0
	for n < len(p) {
		s.mu.Lock()
		ending, rerr := s.ending, s.rerr
		s.mu.Unlock()
		if ending {
			return n, ErrStreamClosed
		}
		if rerr != nil && rerr != io.EOF {
			return n, rerr
		}
		chunk := p[n:min(len(p), n+wire.MaxStreamChunk)]
		if err := s.sendPacket(wire.Continue, chunk); err != nil {
			return n, err
		}
		n += len(chunk)
	}
	return n, nil
}

func (s *Stream) sendPacket(status wire.Status, payload []byte) error {
	h := wire.Header{Program: s.prog, Version: wire.ProtocolVersion, Procedure: s.proc,
		Type: wire.Stream, Serial: s.serial, Status: status}
	return s.c.send(h, 0, rawPayload(payload), nil)
}

// Close finishes the stream and waits for the server's confirmation. After
// a server error it returns that error without sending anything.
func (s *Stream) Close() error { return s.terminate(wire.OK) }

// Abort aborts the stream and waits for the server's confirmation.
func (s *Stream) Abort() error { return s.terminate(wire.Error) }

func (s *Stream) terminate(status wire.Status) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	if s.ending {
		s.mu.Unlock()
		return nil
	}
	s.ending = true
	rerr := s.rerr
	s.mu.Unlock()
	defer s.c.forget(s.serial, s, false)
	defer s.end(ErrStreamClosed)
	if rerr != nil && rerr != io.EOF {
		return rerr
	}
	if err := s.sendPacket(status, nil); err != nil {
		return err
	}
	select {
	case err := <-s.confirm:
		return err
	case <-s.c.closed:
		return s.c.Err()
	}
}
