package server

import (
	"errors"
	"io"
	"net"
	"time"

	"virtlxc/internal/rpc/wire"
)

// errConnClosed is returned for work queued on a closed connection.
var errConnClosed = errors.New("rpc connection closed")

// errQueueOverflow is returned when a client's send queue is full.
var errQueueOverflow = errors.New("rpc client send queue overflow")

// readLoop reads packets until the connection fails, routing each: keepalive
// inline, stream data to its stream, calls to dispatch goroutines. It then
// shuts the connection down and runs the close hooks.
func (c *Conn) readLoop() {
	defer c.runCloseHooks()
	defer c.Close()
	for {
		p, err := c.wc.ReadPacket()
		if err != nil {
			c.logReadError(err)
			return
		}
		c.lastRecv.Store(time.Now().UnixNano())
		c.pingsSent.Store(0)
		if !c.route(p) {
			return
		}
	}
}

func (c *Conn) logReadError(err error) {
	switch {
	case c.isClosed():
		c.log.Debug("rpc client connection closed")
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		c.log.Debug("rpc client disconnected")
	default:
		c.log.Warn("rpc client dropped: bad packet", "err", err)
	}
}

// route handles one packet; false means stop reading.
func (c *Conn) route(p *wire.Packet) bool {
	h := p.Header
	switch {
	case h.Program == wire.ProgramKeepalive && h.Type == wire.Message:
		closeFiles(p.FDs)
		c.handleKeepalive(h)
		return true
	case h.Type == wire.Stream:
		closeFiles(p.FDs)
		c.routeStream(p)
		return !c.isClosed()
	case h.Type == wire.Call || h.Type == wire.CallWithFDs:
		select {
		case c.sem <- struct{}{}:
		case <-c.closed:
			closeFiles(p.FDs)
			return false
		}
		go func() {
			defer func() { <-c.sem }()
			c.dispatch(p)
		}()
		return true
	default:
		// libvirt drops unexpected REPLY/MESSAGE/STREAM_HOLE packets too.
		closeFiles(p.FDs)
		c.log.Debug("rpc: ignoring unexpected packet", "header", h.String())
		return true
	}
}

// routeStream hands client stream data to the stream bound to its
// program, procedure and serial. Data for unknown streams is dropped, as
// libvirt does (it may race with the stream's closing).
func (c *Conn) routeStream(p *wire.Packet) {
	k := streamKey{p.Program, p.Procedure, p.Serial}
	c.mu.Lock()
	st := c.streams[k]
	c.mu.Unlock()
	if st == nil {
		c.log.Debug("rpc: ignoring data for unknown stream", "header", p.Header.String())
		return
	}
	st.fromClient(p)
}

// enqueue queues a packet for the writer without ever blocking. A full
// queue drops the client.
func (c *Conn) enqueue(f outFrame) error {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.qclosed || c.isClosed() {
		closeFiles(f.fds)
		return errConnClosed
	}
	select {
	case c.out <- f:
		return nil
	default:
		closeFiles(f.fds)
		c.log.Warn("rpc client dropped: send queue overflow (client not reading)",
			"queued", cap(c.out), "packet", f.what)
		c.Close()
		return errQueueOverflow
	}
}

// writeLoop writes queued packets until the connection closes. A write
// that fails or times out drops the client.
func (c *Conn) writeLoop() {
	defer c.drainQueue()
	timeout := c.srv.opts.WriteTimeout
	for {
		select {
		case <-c.closed:
			return
		case f := <-c.out:
			if timeout > 0 {
				c.wc.NetConn().SetWriteDeadline(time.Now().Add(timeout))
			}
			err := c.wc.WriteFrame(f.frame, f.fds)
			closeFiles(f.fds)
			if f.sent != nil {
				f.sent <- err
			}
			if err != nil {
				if !c.isClosed() {
					c.log.Warn("rpc client dropped: write failed", "packet", f.what, "err", err)
				}
				c.Close()
				return
			}
		}
	}
}

// drainQueue releases what is left in the queue of a closed connection and
// refuses anything queued later.
func (c *Conn) drainQueue() {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	c.qclosed = true
	for {
		select {
		case f := <-c.out:
			closeFiles(f.fds)
			if f.sent != nil {
				f.sent <- errConnClosed
			}
		default:
			return
		}
	}
}
