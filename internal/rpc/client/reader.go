package client

import (
	"fmt"

	"virtlxc/internal/rpc/wire"
	"virtlxc/internal/rpc/xdr"
)

func xdrUnmarshal(b []byte, v any) error { return xdr.Unmarshal(b, v) }

// Decode decodes the event's payload into v (for example a
// *libvirt.DomainEventCallbackLifecycleMsg).
func (e Event) Decode(v any) error { return xdr.Unmarshal(e.Payload, v) }

// readLoop routes every packet from the server until the connection ends.
func (c *Client) readLoop() {
	for {
		p, err := c.wc.ReadPacket()
		if err != nil {
			c.fail(noEOF(err))
			return
		}
		if err := c.route(p); err != nil {
			closeFiles(p.FDs)
			c.log.Warn("rpc: closing connection", "err", err)
			c.fail(err)
			return
		}
	}
}

func (c *Client) route(p *wire.Packet) error {
	switch p.Type {
	case wire.Reply, wire.ReplyWithFDs:
		return c.deliverReply(p)
	case wire.Stream:
		c.mu.Lock()
		st := c.streams[p.Serial]
		c.mu.Unlock()
		if st == nil || st.prog != p.Program || st.proc != p.Procedure {
			c.log.Debug("rpc: dropping data of an unknown stream", "header", p.Header.String())
			return nil
		}
		st.fromServer(p)
		return nil
	case wire.Message:
		if p.Program == wire.ProgramKeepalive {
			c.keepalive(p.Procedure)
			return nil
		}
		if c.onEvent != nil {
			c.onEvent(Event{Program: p.Program, Procedure: p.Procedure, Payload: p.Payload})
		}
		return nil
	}
	c.log.Debug("rpc: ignoring unexpected packet", "header", p.Header.String())
	closeFiles(p.FDs)
	return nil
}

// deliverReply matches a reply to its call on program, version and serial,
// and checks the procedure, as libvirt's client does; a reply nobody waits
// for is a protocol error.
func (c *Client) deliverReply(p *wire.Packet) error {
	c.mu.Lock()
	pc := c.pending[p.Serial]
	if pc != nil && pc.prog == p.Program && p.Version == wire.ProtocolVersion {
		delete(c.pending, p.Serial)
	} else {
		pc = nil
	}
	abandoned := c.abandoned[p.Serial]
	delete(c.abandoned, p.Serial)
	c.mu.Unlock()
	switch {
	case pc == nil && abandoned:
		closeFiles(p.FDs)
		return nil
	case pc == nil:
		return fmt.Errorf("reply with serial %d matches no call (%s)", p.Serial, p.Header)
	case pc.proc != p.Procedure:
		return fmt.Errorf("reply for proc %d to a call of proc %d", p.Procedure, pc.proc)
	}
	pc.reply <- p
	return nil
}

// keepalive answers PING with PONG and wakes Ping waiters on PONG.
func (c *Client) keepalive(proc uint32) {
	switch proc {
	case wire.KeepalivePing:
		h := wire.Header{Program: wire.ProgramKeepalive, Version: wire.ProtocolVersion, Procedure: wire.KeepalivePong, Type: wire.Message}
		// Write from another goroutine: a large call frame may be going out.
		go c.send(h, 0, nil, nil)
	case wire.KeepalivePong:
		c.mu.Lock()
		pongs := c.pongs
		c.pongs = nil
		c.mu.Unlock()
		for _, ch := range pongs {
			ch <- struct{}{}
		}
	}
}
