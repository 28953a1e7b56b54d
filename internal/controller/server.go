package controller

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/cgroups"
	"virtlxc/internal/console"
	"virtlxc/internal/monitor"
	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

// devicePolicy is the device ACL input for a planned container.
func devicePolicy(sp *spec.Container) cgroups.DevicePolicy {
	return cgroups.DevicePolicy{Mknod: sp.CapStates["mknod"] == "on"}
}

// listen opens the monitor socket (0600) the daemon connects to; serve
// starts answering it. In between, connections wait in the backlog.
func (c *Controller) listen() error {
	path := c.layout.MonitorSocket(c.dom.Name)
	_ = os.Remove(path)
	old := unix.Umask(0o077)
	l, err := net.Listen("unix", path)
	unix.Umask(old)
	if err != nil {
		return fmt.Errorf("creating monitor socket %s: %w", path, err)
	}
	c.mu.Lock()
	c.listener = l
	c.mu.Unlock()
	return nil
}

func (c *Controller) stopListening() {
	c.mu.Lock()
	l := c.listener
	c.listener = nil
	c.mu.Unlock()
	if l != nil {
		l.Close()
		_ = os.Remove(c.layout.MonitorSocket(c.dom.Name))
	}
}

// serve answers the monitor socket listen opened.
func (c *Controller) serve(l net.Listener) {
	for {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		go c.handle(conn)
	}
}

func (c *Controller) handle(conn net.Conn) {
	var req monitor.Request
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if err := monitor.ReadLine(conn, &req); err != nil {
		conn.Close()
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	switch req.Op {
	case monitor.OpWatch:
		c.watch(conn, req.Reaper)
	case monitor.OpConsole:
		c.attachConsole(conn, req)
	default:
		c.reqs.Add(1)
		defer c.reqs.Done()
		err := c.do(req)
		rep := monitor.Reply{}
		if err != nil {
			ve := virerr.As(err)
			rep.Error, rep.Code = ve.Message, int32(ve.Code)
		}
		_ = monitor.WriteLine(conn, rep)
		conn.Close()
	}
}

// do carries out a lifecycle request.
func (c *Controller) do(req monitor.Request) error {
	switch req.Op {
	case monitor.OpDestroy:
		c.destroy()
		return nil
	case monitor.OpShutdown:
		return c.stopInit(req.Mode, false)
	case monitor.OpReboot:
		return c.stopInit(req.Mode, true)
	case monitor.OpSuspend:
		// The controller steps out of the group it shares with its
		// container while it is frozen, to keep serving the daemon.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.group.Leave(os.Getpid()); err != nil {
			return err
		}
		c.outOfGroup.Store(true)
		if err := c.group.Freeze(ctx); err != nil {
			c.rejoinGroup()
			return err
		}
		return nil
	case monitor.OpDevice:
		return c.changeDevice(req.Device)
	case monitor.OpResize:
		if req.Index < 0 || req.Index >= len(c.peers) {
			return fmt.Errorf("cannot find console device '%d'", req.Index)
		}
		// The size lives on the pty; the kernel tells the container's
		// foreground process group with SIGWINCH.
		return console.SetSize(c.peers[req.Index], req.Rows, req.Cols)
	case monitor.OpResume:
		if err := c.group.Thaw(); err != nil {
			return err
		}
		return c.rejoinGroup()
	}
	return fmt.Errorf("unknown monitor operation %q", req.Op)
}

// watch streams events to one client until the container stops. A watcher
// that arrives after the exit still gets it.
func (c *Controller) watch(conn net.Conn, reaper bool) {
	c.streamWatch(conn, c.addWatch(conn, reaper))
}

// watchState is one registered watch.
type watchState struct {
	ch     chan monitor.Event // its event queue
	done   chan struct{}      // closed when the watch is over
	closed bool               // registered after the exit event went out
	failed bool               // the init event could not be written
}

// addWatch registers a watch on conn and writes it the init event; the
// caller then streams it (streamWatch).
func (c *Controller) addWatch(conn net.Conn, reaper bool) watchState {
	ws := watchState{ch: make(chan monitor.Event, 4), done: make(chan struct{})}
	c.mu.Lock()
	ws.closed = c.watchesClosed
	if !ws.closed {
		c.watches = append(c.watches, ws.ch)
		if reaper {
			c.reapers++
		}
	}
	c.watchDone = append(c.watchDone, ws.done)
	c.mu.Unlock()
	ws.failed = monitor.WriteLine(conn, c.initEvent()) != nil
	if reaper && !ws.closed {
		// A watcher never writes: its end closing means it is gone
		// (the daemon stopped), and with it the promise to remove the
		// groups after this controller's exit.
		go func() {
			var b [1]byte
			_, _ = conn.Read(b[:])
			c.mu.Lock()
			c.reapers--
			c.mu.Unlock()
		}()
	}
	return ws
}

// streamWatch writes the watch's events until the exit event, then closes
// conn.
func (c *Controller) streamWatch(conn net.Conn, ws watchState) {
	defer func() {
		conn.Close()
		close(ws.done)
	}()
	if ws.failed {
		return
	}
	if ws.closed {
		_ = monitor.WriteLine(conn, c.status)
		return
	}
	for ev := range ws.ch {
		if err := monitor.WriteLine(conn, ev); err != nil {
			return
		}
	}
}

func (c *Controller) broadcast(ev monitor.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.watches {
		select {
		case ch <- ev:
		default: // a stuck watcher never blocks the controller
		}
	}
}

// reaped reports whether a watcher that removes the cgroups after the
// controller's exit (the daemon) follows this controller.
func (c *Controller) reaped() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reapers > 0
}

func (c *Controller) closeWatches() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.watches {
		close(ch)
	}
	c.watches = nil
	c.watchesClosed = true
}

// flushWatches waits (boundedly) until every watcher has written the exit
// event and closed its connection, so the daemon never misses an exit.
func (c *Controller) flushWatches(timeout time.Duration) {
	c.mu.Lock()
	dones := c.watchDone
	c.mu.Unlock()
	deadline := time.After(timeout)
	for _, d := range dones {
		select {
		case <-d:
		case <-deadline:
			return
		}
	}
}

// attachConsole connects a client to a console relay.
func (c *Controller) attachConsole(conn net.Conn, req monitor.Request) {
	if req.Index < 0 || req.Index >= len(c.relays) {
		_ = monitor.WriteLine(conn, monitor.Reply{Error: fmt.Sprintf("cannot find console device '%d'", req.Index)})
		conn.Close()
		return
	}
	r := c.relays[req.Index]
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

// rejoinGroup puts the controller back into its container's groups.
func (c *Controller) rejoinGroup() error {
	if err := c.group.AddPid(os.Getpid()); err != nil {
		return err
	}
	c.threadInGroup.Store(false)
	c.outOfGroup.Store(false)
	return nil
}
