package controller

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/keeper"
	"virtlxc/internal/monitor"
)

// KeeperBinary is the steady-state program (cmd/virtlxc-keeper) a
// controller execs in place once its container has settled; looked for
// next to the controller's own executable.
const KeeperBinary = "virtlxc-keeper"

// KeepAfterEnv names the environment variable that sets how long a
// container's monitor must be quiet before its controller execs the
// keeper: a Go duration, or "off".
const KeepAfterEnv = "VIRTLXC_KEEP_AFTER"

// defaultKeepAfter is that quiet period when KeepAfterEnv is not set.
const defaultKeepAfter = time.Second

// keepAfter is the quiet period before the keeper, or 0 for never (the
// variable says "off" or no keeper binary is installed).
func keepAfter() (time.Duration, string) {
	v := os.Getenv(KeepAfterEnv)
	if v == "off" {
		return 0, ""
	}
	self, err := os.Executable()
	if err != nil {
		return 0, ""
	}
	bin := filepath.Join(filepath.Dir(self), KeeperBinary)
	if unix.Access(bin, unix.X_OK) != nil {
		return 0, ""
	}
	d, err := time.ParseDuration(v)
	if v == "" || err != nil || d < 0 {
		d = defaultKeepAfter
	}
	return max(d, time.Millisecond), bin
}

// minPressureWindow bounds from below the first window over which a
// controller without a daemon measures the host's CPU load before a
// handoff (its quiet period otherwise).
const minPressureWindow = 100 * time.Millisecond

// busyRetry is how long such a controller waits when the host is busy
// (plus up to as much again, at random, so that waiting controllers
// spread out; each check wakes the process).
const busyRetry = 5 * time.Second

// keeperCan reports whether the keeper can ever serve this container:
// loop devices and lent host network devices stay with the controller.
func (c *Controller) keeperCan() bool {
	return len(c.loops) == 0 && c.netDevs.Len() == 0 && c.spareV2 == "" && (c.meminfo == nil || c.memReader.Load() != nil)
}

// keepable reports whether the keeper can serve this container now: it
// can (keeperCan) and nothing is under way.
func (c *Controller) keepable() bool {
	if !c.keeperCan() || c.outOfGroup.Load() || c.busy.Load() > 0 {
		return false
	}
	for _, r := range c.relays {
		if r.Attached() {
			return false
		}
	}
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}

// errNotNow answers a keep request the controller cannot act on now.
var errNotNow = errors.New(keeper.NotNow)

// keepOnTimer is a controller's own handoff, for one without a daemon (a
// daemon paces its controllers with keep requests, keepOnRequest): once
// the monitor has been quiet for after and the host's CPUs are not busy.
// It returns how long to wait before trying again, 0 for never.
func (c *Controller) keepOnTimer(after time.Duration, bin string) time.Duration {
	if c.watches.Reaped() {
		return 0
	}
	if quiet := time.Since(time.Unix(0, c.lastRequest.Load())); quiet < after {
		return after - quiet
	}
	if !c.keepable() {
		return after
	}
	if sampled := c.pressure.Sampled(); c.pressure.Busy() {
		if !sampled {
			return max(after, minPressureWindow)
		}
		return busyRetry + time.Duration(rand.Int64N(int64(busyRetry)))
	}
	c.handOff(bin, nil)
	return after
}

// keepOnRequest answers a keep request (the daemon's): the keeper takes
// the container and answers it, or the controller says why not.
func (c *Controller) keepOnRequest(conn net.Conn, bin string) {
	if bin == "" || !c.keeperCan() {
		keeper.Reply(conn, errors.New(keeper.Never))
		return
	}
	if !c.keepable() {
		keeper.Reply(conn, errNotNow)
		return
	}
	c.handOff(bin, conn)
}

// handOff execs the keeper in place, on the main thread (the one that
// started init), with conn (nil: none), a keep request the keeper then
// answers. It returns, having answered conn, when something started in
// the meantime.
func (c *Controller) handOff(bin string, conn net.Conn) {
	l, ok := c.listener.(*net.UnixListener)
	if !ok {
		return
	}
	// Requests wait in the backlog from here on; one being answered
	// puts the handoff off.
	_ = l.SetDeadline(time.Now())
	<-c.served
	_ = l.SetDeadline(time.Time{})
	if !c.keepable() || !c.mainThreadInGroup() {
		c.served = make(chan struct{})
		go c.serve(l, c.served)
		if conn != nil {
			keeper.Reply(conn, errNotNow)
		}
		return
	}
	st, err := c.state()
	if err == nil && conn != nil {
		fd, ierr := keeper.Inherit(conn.(*net.UnixConn))
		err = ierr
		st.Pending = append(st.Pending, keeper.Pending{FD: fd, Req: monitor.Request{Op: monitor.OpKeep}})
	}
	if err == nil {
		if c.threadInGroup.Load() {
			_, _ = c.group.LeaveSelf() // see keeper.State.V1Dirs
		}
		c.log.Debug("handing the container to the keeper")
		err = st.Exec(bin)
	}
	// Nothing can be taken back from here: the controller execs itself
	// with the state, as the keeper would.
	c.log.Error("handing the container to the keeper", "err", err)
	if st != nil {
		err = st.Exec(st.Controller)
	}
	c.log.Error("the container cannot go on", "err", err)
	os.Exit(1)
}

// mainThreadInGroup makes the main thread alone the controller's member of
// its container's groups (AddSelf) if the whole process is, as after a
// resume, and reports whether it is so: the keeper's runtime threads must
// be born outside (keeper.State.V1Dirs), and a controller taking the
// container back finds where it came from in /proc/self/cgroup. A pure v2
// host, where only whole processes join, never gets the keeper.
func (c *Controller) mainThreadInGroup() bool {
	if c.threadInGroup.Load() {
		return true
	}
	if c.noKeeper {
		return false
	}
	if err := c.group.Leave(os.Getpid()); err != nil {
		c.log.Warn("leaving the container's cgroup", "err", err)
		c.noKeeper = true
		return false
	}
	threadOnly, err := c.group.AddSelf()
	if err != nil {
		c.log.Warn("joining the container's cgroup", "err", err)
		if err := c.group.AddPid(os.Getpid()); err != nil {
			c.log.Warn("joining the container's cgroup", "err", err)
		}
	}
	c.threadInGroup.Store(threadOnly)
	c.noKeeper = !threadOnly
	return threadOnly
}

// state hands everything over: the relays and meminfo stop between two
// reads, every descriptor is made inheritable.
func (c *Controller) state() (*keeper.State, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	all, v1 := c.group.Homes()
	st := &keeper.State{
		Name: c.opts.Name, ConfigFile: c.opts.ConfigFile, Validated: c.opts.Validated, Root: c.opts.Root,
		CgroupScope: c.opts.CgroupScope, Controller: self, Group: c.group.Name(),
		V1Dirs: c.group.V1Dirs(), Homes: all, HomesV1: v1, ThreadInGroup: c.threadInGroup.Load(),
		InitPID: c.init.pid, PidFD: c.init.pidfd, InitEvent: c.initEvent(), MntNS: -1,
		Staging: c.staging, PidFile: c.layout.PidFile(c.opts.Name), Socket: c.layout.MonitorSocket(c.opts.Name),
	}
	if st.Devices, err = json.Marshal(c.devices); err != nil {
		return nil, err
	}
	var errs []string
	note := func(what string, err error) {
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", what, err))
		}
	}
	var e error
	st.LogFD, e = keeper.Inherit(c.opts.LogFile)
	note("log", e)
	note("pidfd", keeper.InheritFD(st.PidFD))
	st.Listener, e = keeper.Inherit(c.listener.(*net.UnixListener))
	note("monitor socket", e)
	if c.mntNS != nil {
		st.MntNS, e = keeper.Inherit(c.mntNS)
		note("mount namespace", e)
	}
	if c.meminfo != nil {
		st.FuseDir = c.layout.FuseDir(c.opts.Name)
	}
	note("consoles", st.PutConsoles(c.relays, c.peers))
	note("meminfo", st.PutMeminfo(c.meminfo))
	note("memory figures", st.PutMem(c.memReader.Load()))
	note("watches", st.PutWatches(&c.watches))
	if len(errs) > 0 {
		return st, fmt.Errorf("handing the container over: %s", strings.Join(errs, "; "))
	}
	return st, nil
}
