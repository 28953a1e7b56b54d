package controller

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/monitor"
	"virtlxc/internal/netdev"
)

// supervise waits for init's exit or a stop signal to the controller, then
// tears the container down and reports the exit to watchers.
func (c *Controller) supervise(ctx context.Context) monitor.Event {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGINT)
	defer signal.Stop(sigs)
	// Once the container has settled, the keeper takes over (keep).
	after, keeperBin := keepAfter()
	var keepTimer <-chan time.Time
	if after > 0 {
		keepTimer = time.After(after)
	}
wait:
	for {
		select {
		case <-c.exited:
			break wait
		case <-ctx.Done():
			c.destroy()
			break wait
		case <-sigs:
			c.destroy()
			break wait
		case <-keepTimer:
			keepTimer = nil
			if d := c.keepOnTimer(after, keeperBin); d > 0 {
				keepTimer = time.After(d)
			}
		case conn := <-c.keepReqs:
			c.keepOnRequest(conn, keeperBin)
		}
	}
	<-c.exited
	if c.watches.Reaped() {
		// This thread leaves the groups, and removes them once empty,
		// while another tears the rest down (neither waits for the
		// other's wake-ups and cgroup writes). The daemon removes what
		// is left (it kills a task found there).
		torn := make(chan struct{})
		go func() {
			defer close(torn)
			c.teardown(false)
		}()
		if c.status.Left = c.leaveForExit(); c.status.Left {
			c.group.RemoveEmpty()
		}
		<-torn
	} else {
		c.teardown(true)
		c.status.Left = c.leaveForExit()
	}
	if c.opts.Stopped != nil {
		c.opts.Stopped()
	}
	c.watches.Exit(c.status)
	c.watches.Flush(5 * time.Second)
	c.releaseMountNS()
	// Let a destroy or shutdown request in flight send its reply.
	done := make(chan struct{})
	go func() { c.reqs.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	return c.status
}

// killGrace is how long destroy lets the kernel take init's pid namespace
// down before it goes through the groups process by process.
const killGrace = 500 * time.Millisecond

// destroy kills every process of the container and waits until init is
// reaped. init goes first: its death takes its whole pid namespace with
// it. A suspended container's groups are thawed at once (frozen tasks die
// only then); a group the kernel cannot empty in killGrace (the container
// froze part of itself) is killed process by process. Processes of the
// groups outside the namespace die when the groups are removed
// (Group.Destroy, by teardown or by the daemon).
func (c *Controller) destroy() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = c.init.signal(unix.SIGKILL)
	if c.outOfGroup.Load() {
		if _, err := c.group.StartKill(); err != nil {
			c.log.Warn("killing the container's processes", "err", err)
		}
	}
	select {
	case <-c.exited:
		return
	case <-time.After(killGrace):
		c.log.Info("init outlived its SIGKILL; killing through the cgroups", "after", killGrace)
	}
	c.leaveGroup()
	if err := c.group.Kill(ctx); err != nil {
		c.log.Warn("killing the container's processes", "err", err)
		_ = c.init.signal(unix.SIGKILL)
	}
	<-c.exited
}

// leaveGroup moves the controller out of its container's groups (once;
// a destroy request and the teardown after init's death both want it).
func (c *Controller) leaveGroup() {
	c.leaveMu.Lock()
	defer c.leaveMu.Unlock()
	if c.outOfGroup.Load() {
		return
	}
	if err := c.group.Leave(os.Getpid()); err != nil {
		c.log.Warn("leaving the container's cgroup", "err", err)
		return
	}
	c.outOfGroup.Store(true)
}

// holdMountNS keeps a reference to the container's mount namespace: when
// init dies, taking the last one down unmounts every mount of the
// container and waits for an expedited RCU grace period (≈ 0.3–0.5 ms
// here) before its exit is reported. Held, that happens once the exit has
// been told (releaseMountNS).
func (c *Controller) holdMountNS() {
	f, err := os.Open(fmt.Sprintf("/proc/%d/ns/mnt", c.init.pid))
	if err != nil {
		c.log.Debug("holding the container's mount namespace", "err", err)
		return
	}
	// init may have exited and been reaped meanwhile, and its pid taken:
	// still there now, it was init's namespace that opened.
	if c.init.pidfd >= 0 && unix.PidfdSendSignal(c.init.pidfd, 0, nil, 0) != nil {
		f.Close()
		return
	}
	c.mntNS = f
}

// releaseMountNS drops holdMountNS's reference.
func (c *Controller) releaseMountNS() {
	if c.mntNS != nil {
		c.mntNS.Close()
		c.mntNS = nil
	}
}

// leaveForExit takes the controller out of its container's groups before
// the exit event, so that the daemon can remove them at once, and reports
// whether it is out. Only its main thread is there normally (AddSelf),
// which leaves by itself; a controller that went in whole leaves whole.
func (c *Controller) leaveForExit() bool {
	c.leaveMu.Lock()
	if !c.outOfGroup.Load() && c.threadInGroup.Load() {
		if ok, err := c.group.LeaveSelf(); err != nil {
			c.log.Warn("leaving the container's cgroup", "err", err)
		} else if ok {
			c.outOfGroup.Store(true)
		}
	}
	c.leaveMu.Unlock()
	if !c.outOfGroup.Load() {
		c.leaveGroup()
	}
	return c.outOfGroup.Load()
}

// teardown removes what start created: consoles, cgroup (removeGroups:
// nobody else will), monitor socket.
func (c *Controller) teardown(removeGroups bool) {
	c.drainConsoles()
	c.closeRelays()
	c.stopMeminfo()
	c.closeLoops()
	if removeGroups {
		// Nobody else will remove the groups. A daemon that watches
		// this controller as its reaper removes them once it has
		// exited (it waits for that exit anyway), which spares the
		// controller moving its threads out of every hierarchy first.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c.leaveGroup()
		if err := c.group.Destroy(ctx); err != nil {
			c.log.Warn("removing the container's cgroup", "err", err)
		}
	}
	c.returnNetDevs()
	c.removeHostEnds()
	c.stopListening()
	_ = os.Remove(c.staging)
}

// returnNetDevs moves the <hostdev> network devices back to the host.
func (c *Controller) returnNetDevs() {
	if err := c.netDevs.Return(); err != nil {
		c.log.Warn("returning host network devices", "err", err)
	}
	c.netDevs = nil
}

// removeHostEnds deletes the host ends of the container's veth pairs.
func (c *Controller) removeHostEnds() {
	if err := netdev.RemoveHost(c.hostEnds); err != nil {
		c.log.Warn("removing network interfaces", "err", err)
	}
	c.hostEnds = nil
}

// drainConsoles lets each relay read what init wrote before it died: with
// the controller's own slave descriptors closed, the master reports hang-up
// once the container's last descriptor is gone and the output is read.
func (c *Controller) drainConsoles() {
	for _, p := range c.peers {
		p.Close()
	}
	c.peers = nil
	deadline := time.After(2 * time.Second)
	for _, r := range c.relays {
		select {
		case <-r.Done():
		case <-deadline:
			return
		}
	}
}
