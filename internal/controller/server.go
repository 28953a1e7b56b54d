package controller

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/cgroups"
	"virtlxc/internal/keeper"
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
	if len(path) >= len(unix.RawSockaddrUnix{}.Path) {
		// libvirt's virNetSocketNewListenUNIX says so, rather than bind's EINVAL.
		return virerr.Sys(unix.ENAMETOOLONG, "Path %s too long for unix socket", path)
	}
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

// serve answers the monitor socket listen opened, until it is closed or
// a handoff to the keeper stops it (served is closed then).
func (c *Controller) serve(l net.Listener, served chan struct{}) {
	defer close(served)
	for {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		c.busy.Add(1)
		c.lastRequest.Store(time.Now().UnixNano())
		go c.handle(conn)
	}
}

func (c *Controller) handle(conn net.Conn) {
	req, err := monitor.ReadRequest(conn, 5*time.Second)
	if err != nil {
		conn.Close()
		c.busy.Add(-1)
		return
	}
	c.answer(conn, req)
}

// answer serves a request read from conn; c.busy drops once it is
// answered, or registered for a watch or a console.
func (c *Controller) answer(conn net.Conn, req monitor.Request) {
	defer c.lastRequest.Store(time.Now().UnixNano())
	switch req.Op {
	case monitor.OpWatch:
		w := c.watches.Add(conn, req.Reaper, c.initEvent())
		c.busy.Add(-1)
		c.watches.Stream(w)
	case monitor.OpConsole:
		keeper.AttachConsole(conn, c.relays, req)
		c.busy.Add(-1)
	case monitor.OpKeep:
		// The main thread hands over (supervise); one request at a time.
		c.busy.Add(-1)
		select {
		case c.keepReqs <- conn:
		default:
			keeper.Reply(conn, errNotNow)
		}
	default:
		c.reqs.Add(1)
		defer c.reqs.Done()
		defer c.busy.Add(-1)
		keeper.Reply(conn, c.do(req))
	}
}

// do carries out a lifecycle request.
func (c *Controller) do(req monitor.Request) error {
	switch req.Op {
	case monitor.OpDestroy:
		c.destroy()
		return nil
	case monitor.OpShutdown, monitor.OpReboot:
		return keeper.StopInit(c.init.pid, c.init.signal, req.Mode, req.Op == monitor.OpReboot, c.log)
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
		return keeper.Resize(c.peers, req)
	case monitor.OpResume:
		if err := c.group.Thaw(); err != nil {
			return err
		}
		return c.rejoinGroup()
	}
	return fmt.Errorf("unknown monitor operation %q", req.Op)
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
