package keeper

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"

	"virtlxc/internal/console"
	"virtlxc/internal/monitor"
	"virtlxc/internal/virerr"
)

// AttachConsole connects a monitor client (a console request, req) to
// relays[req.Index]: an OK line, then the console both ways; or an error
// line, as libvirt words it, and the connection closed.
func AttachConsole(conn net.Conn, relays []*console.Relay, req monitor.Request) {
	if req.Index < 0 || req.Index >= len(relays) {
		_ = monitor.WriteLine(conn, monitor.Reply{Error: fmt.Sprintf("cannot find console device '%d'", req.Index)})
		conn.Close()
		return
	}
	r := relays[req.Index]
	w := &greetFirst{Conn: conn}
	var err error
	if req.Force {
		_, err = r.AttachForce(w)
	} else {
		_, err = r.Attach(w)
	}
	if err != nil {
		msg := "Active console session exists for this domain"
		if !errors.Is(err, console.ErrBusy) {
			msg = err.Error()
		}
		_ = monitor.WriteLine(conn, monitor.Reply{Error: msg})
		conn.Close()
		return
	}
	_, _ = w.Write(nil) // the OK line, if no output has carried it yet
}

// Reattach attaches a client that was attached before an exec (State's
// Console.Client) to r: its OK line went out then.
func Reattach(conn net.Conn, r *console.Relay) error {
	_, err := r.Attach(&greetFirst{Conn: conn, greeted: true})
	return err
}

// clientConn is the connection of a client AttachConsole attached.
func clientConn(c io.ReadWriteCloser) (*net.UnixConn, bool) {
	g, ok := c.(*greetFirst)
	if !ok {
		return nil, false
	}
	u, ok := g.Conn.(*net.UnixConn)
	return u, ok
}

// HandoffConsole hands relay r over (console.Relay.HandoffClient) as a
// State's Console, every descriptor inheritable; peer is the slave end
// held open.
func HandoffConsole(r *console.Relay, peer *os.File) (Console, error) {
	m, held, client, err := r.HandoffClient()
	if err != nil {
		return Console{}, err
	}
	c := Console{Master: -1, Peer: -1, Client: -1, Backlog: held}
	if client != nil {
		if u, ok := clientConn(client); ok {
			if c.Client, err = Inherit(u); err != nil {
				client.Close()
				c.Client = -1
			}
		} else {
			client.Close()
		}
	}
	if c.Master, err = Inherit(m); err != nil {
		return c, err
	}
	c.Peer, err = Inherit(peer)
	return c, err
}

// greetFirst sends the monitor's OK reply line before the first console
// bytes, so a client can tell an attach failure from console output.
type greetFirst struct {
	net.Conn
	mu      sync.Mutex
	greeted bool
}

func (g *greetFirst) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.greeted {
		g.greeted = true
		if err := monitor.WriteLine(g.Conn, monitor.Reply{}); err != nil {
			return 0, err
		}
	}
	if len(p) == 0 {
		return 0, nil
	}
	return g.Conn.Write(p)
}

// Resize sets console index's size on its pty (peers are the slave ends):
// the kernel tells the container's foreground process group with SIGWINCH.
func Resize(peers []*os.File, req monitor.Request) error {
	if req.Index < 0 || req.Index >= len(peers) {
		return fmt.Errorf("cannot find console device '%d'", req.Index)
	}
	return console.SetSize(peers[req.Index], req.Rows, req.Cols)
}

// Reply answers a request with err (nil: success) and closes conn.
func Reply(conn net.Conn, err error) {
	rep := monitor.Reply{}
	if err != nil {
		ve := virerr.As(err)
		rep.Error, rep.Code = ve.Message, int32(ve.Code)
	}
	_ = monitor.WriteLine(conn, rep)
	conn.Close()
}
