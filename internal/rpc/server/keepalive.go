package server

import (
	"time"

	"virtlxc/internal/rpc/wire"
)

// handleKeepalive answers a client's PING with PONG. A PONG needs nothing:
// receiving any packet already reset the keepalive state.
func (c *Conn) handleKeepalive(h wire.Header) {
	if h.Procedure != wire.KeepalivePing {
		return
	}
	if err := c.sendKeepalive(wire.KeepalivePong); err != nil {
		c.log.Debug("rpc: keepalive pong not sent", "err", err)
	}
}

func (c *Conn) sendKeepalive(proc uint32) error {
	h := wire.Header{Program: wire.ProgramKeepalive, Version: wire.ProtocolVersion,
		Procedure: proc, Type: wire.Message, Status: wire.OK}
	what := "keepalive ping"
	if proc == wire.KeepalivePong {
		what = "keepalive pong"
	}
	return c.enqueue(outFrame{frame: frameWithPayload(h, nil), what: what})
}

// StartKeepAlive makes the server ping this client after each
// Options.KeepAliveInterval of silence and close the connection after
// Options.KeepAliveCount unanswered pings. Call it when the client asks
// CONNECT_SUPPORTS_FEATURE(VIR_DRV_FEATURE_PROGRAM_KEEPALIVE), as libvirtd
// does; clients that never ask (go-libvirt) must never be pinged. Calling
// it again does nothing.
func (c *Conn) StartKeepAlive() {
	c.keepalive.Do(func() { go c.keepaliveLoop() })
}

func (c *Conn) keepaliveLoop() {
	interval := c.srv.opts.KeepAliveInterval
	count := int32(c.srv.opts.KeepAliveCount)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-c.closed:
			return
		case now := <-t.C:
			idle := now.Sub(time.Unix(0, c.lastRecv.Load()))
			if idle < interval {
				continue
			}
			if c.pingsSent.Load() >= count {
				c.log.Warn("rpc client dropped: keepalive timeout", "silent", idle.Round(time.Second))
				c.Close()
				return
			}
			c.pingsSent.Add(1)
			if err := c.sendKeepalive(wire.KeepalivePing); err != nil {
				return
			}
		}
	}
}
