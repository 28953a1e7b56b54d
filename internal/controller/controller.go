// Package controller is the per-container supervisor (libvirt's libvirt_lxc):
// it creates the container's cgroup, starts the init stage in new
// namespaces, holds the console pty masters, serves the monitor socket the
// daemon talks to, and tears everything down when init exits.
package controller

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"virtlxc/internal/cgmem"
	"virtlxc/internal/cgroups"
	"virtlxc/internal/console"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/keeper"
	"virtlxc/internal/memtrim"
	"virtlxc/internal/monitor"
	"virtlxc/internal/netdev"
	"virtlxc/internal/paths"
	"virtlxc/internal/plan"
	"virtlxc/internal/procfs"
	"virtlxc/internal/spec"
)

// Options configure one controller run.
type Options struct {
	Name       string
	ConfigFile string // the domain XML to run
	// Validated says ConfigFile is virtlxcd's own live definition (see
	// domainxml.ParseLive): read without Parse's checks.
	Validated bool
	Root      string // --root: relocate every libvirt path under it
	// CgroupScope keeps this daemon's groups apart from others' (empty for
	// the system daemon).
	CgroupScope string
	// PassFDs become init's descriptors 3, 4, … (socket activation).
	PassFDs []*os.File
	// Log is where the controller logs (the container log file).
	Log *slog.Logger
	// LogFile receives the init stage's error output.
	LogFile *os.File
	// Watcher, when set, is a watch stream the daemon opened with the
	// launch (--ready-fd on a socket): it gets the init event once init
	// runs, then the events a monitor watch gets, as a reaper watch.
	Watcher net.Conn
	// Ready, when set, is called once init runs and the monitor listens,
	// with the init event (init's host pid, the host ends of its
	// interfaces).
	Ready func(ev monitor.Event)
	// Stopped, when set, is called once the container is torn down,
	// before its exit event goes out: the daemon may start the domain
	// again as soon as it has the event.
	Stopped func()
}

// Controller is one running container.
type Controller struct {
	opts     Options
	layout   paths.Layout
	dom      *domainxml.Domain
	group    *cgroups.Group
	init     *initProc
	relays   []*console.Relay
	log      *slog.Logger
	exited   chan struct{} // closed when init has exited
	status   monitor.Event // init's exit, valid once exited is closed
	mu       sync.Mutex
	watches  keeper.Watches
	listener net.Listener
	served   chan struct{} // closed when serve returns
	// busy counts monitor connections being answered; lastRequest is when
	// one last came or went (UnixNano): the keeper waits for quiet.
	busy          atomic.Int32
	lastRequest   atomic.Int64
	noKeeper      bool            // this host never gets the keeper (main goroutine only)
	pressure      keeper.HostLoad // the host's CPU load, sampled by keepOnTimer
	keepReqs      chan net.Conn   // keep requests, for the main thread
	staging       string
	meminfo       *procfs.Server
	memReader     atomic.Pointer[cgmem.Reader] // the memory figures, once the group exists
	bursts        *memtrim.AfterBursts         // told of every meminfo rendering
	devMu         sync.Mutex                   // held while the device policy changes
	devices       cgroups.DevicePolicy         // the device policy in force
	loops         []*os.File                   // loop devices of image filesystems
	reqs          sync.WaitGroup               // monitor requests being answered
	peers         []*os.File                   // slave ends kept open so consoles survive init reopening them
	hostEnds      []string                     // host ends of the container's veth pairs
	netDevs       *netdev.Moved                // host devices lent to the container
	spareV2       string                       // a spare's unified cgroup directory left to remove
	mntNS         *os.File                     // the container's mount namespace, held until its exit is told
	outOfGroup    atomic.Bool                  // the controller left the container's groups
	threadInGroup atomic.Bool                  // only its main thread is in them (AddSelf)
	leaveMu       sync.Mutex                   // held while leaving them
}

// Run starts the container and supervises it until init exits; it returns
// the exit event. A start failure returns an error after undoing every step.
func Run(ctx context.Context, opts Options) (monitor.Event, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.LogFile == nil {
		opts.LogFile = os.Stderr
	}
	c := &Controller{opts: opts, log: opts.Log, layout: paths.New(opts.Root, ""), exited: make(chan struct{}),
		bursts: memtrim.NewAfterBursts(burstQuiet), keepReqs: make(chan net.Conn, 1)}
	if err := c.start(); err != nil {
		return monitor.Event{}, err
	}
	return c.supervise(ctx), nil
}

// load reads the domain's definition (c.dom) and makes the manager of its
// cgroups.
func (c *Controller) load() (*cgroups.Manager, error) {
	data, err := os.ReadFile(c.opts.ConfigFile)
	if err != nil {
		return nil, fmt.Errorf("reading domain config: %w", err)
	}
	if c.opts.Validated {
		c.dom, err = domainxml.ParseLive(data)
	} else {
		c.dom, err = domainxml.Parse(data, domainxml.Options{Live: true, Label: c.opts.ConfigFile})
	}
	if err != nil {
		return nil, err
	}
	if c.dom.Name != c.opts.Name {
		return nil, fmt.Errorf("config %s defines domain '%s', not '%s'", c.opts.ConfigFile, c.dom.Name, c.opts.Name)
	}
	layout, err := hostLayout()
	if err != nil {
		return nil, err
	}
	partition := ""
	if c.dom.Resource != nil {
		partition = c.dom.Resource.Partition
	}
	return cgroups.NewManager(layout, cgroups.Naming{Partition: partition, Scope: c.opts.CgroupScope}, c.log)
}

// start performs every setup step, undoing the earlier ones on failure.
func (c *Controller) start() (err error) {
	// Last of all on failure: whatever a spare prepared and was not taken.
	undo := []func(){c.discardSpare}
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()
	mgr, err := c.load()
	if err != nil {
		return err
	}
	sp, err := plan.Build(c.dom, len(c.opts.PassFDs), hostInfo(mgr.Layout()))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.layout.StateDir, 0o700); err != nil {
		return fmt.Errorf("creating state dir: %w", err)
	}
	sp.Staging = c.layout.RootMount(c.dom.Name)
	if err := os.Mkdir(sp.Staging, 0o700); err != nil && !os.IsExist(err) {
		return fmt.Errorf("creating %s: %w", sp.Staging, err)
	}
	undo = append(undo, func() { _ = os.Remove(sp.Staging) })
	if sp.NewUser {
		// The init stage runs as the mapped root from its first
		// instruction: it must be able to reach its staging directory.
		if err := os.Chmod(c.layout.StateDir, 0o711); err != nil {
			return fmt.Errorf("opening the state dir to the mapped root: %w", err)
		}
		if err := os.Chown(sp.Staging, sp.IDMapRootUID, sp.IDMapRootGID); err != nil {
			return fmt.Errorf("handing %s to the mapped root: %w", sp.Staging, err)
		}
	}
	c.staging = sp.Staging
	// Everything the init stage's spec and mount namespace need is settled
	// first; the stage then starts (its runtime boots while the controller
	// builds the cgroup and device policy) and waits for "go".
	undo = append(undo, c.closeLoops)
	diskDevs, diskRules, err := c.diskDevices(c.dom)
	if err != nil {
		return err
	}
	devs, devRules, err := hostdevs(c.dom)
	if err != nil {
		return err
	}
	staged := append(append([]spec.Device{}, diskDevs...), devs...)
	unstage, err := c.stageNodes(sp, staged)
	if err != nil {
		return err
	}
	undo = append(undo, unstage)
	sp.Devices = append(sp.Devices, staged...)
	blockRules, err := c.prepareBlockMounts(sp)
	if err != nil {
		return err
	}
	waitSpare()
	if err := c.planMeminfo(sp); err != nil {
		return fmt.Errorf("serving /proc/meminfo: %w", err)
	}
	if sp.MemInfo != "" {
		undo = append(undo, func() { _ = os.Remove(sp.MemInfo) })
	}
	undo = append(undo, c.stopMeminfo)
	shared, err := c.openSharedNamespaces(sp.Share)
	if err != nil {
		return err
	}
	defer func() {
		for _, f := range shared {
			f.Close()
		}
	}()
	// The group is made first: the init stage starts inside it (unified
	// hierarchy) and moves its thread into it (v1), so that no process
	// moves during the start (see internal/cgroups/join.go).
	policy := devicePolicy(sp)
	policy.Extra = append(append(append(policy.Extra, diskRules...), blockRules...), devRules...)
	c.devices = policy
	v2dir, err := c.createGroup(mgr, sp, policy)
	undo = append(undo, func() {
		if spareStage != nil {
			spareStage.discard() // out of the group before it goes
		}
		if c.group != nil {
			_ = c.group.Leave(os.Getpid())
			_ = c.group.Destroy(context.Background())
		}
	})
	if err != nil {
		return err
	}
	c.serveStats()
	if !sp.NewUser {
		if sp.NewCgroup {
			sp.CgroupJoin, err = c.group.SplitPayload()
			bindCgroupRoots(sp.Cgroups, sp.CgroupJoin)
		} else {
			sp.CgroupJoin = c.group.V1Dirs()
		}
		if err != nil {
			return fmt.Errorf("preparing the container's cgroup: %w", err)
		}
	}
	uids, gids := idMaps(c.dom)
	c.init, err = startInit(sp, uids, gids, c.opts.PassFDs, shared, c.opts.LogFile, v2dir)
	if err != nil {
		return err
	}
	c.discardSpare() // the spare's leftovers, if any
	undo = append(undo, func() {
		_ = c.init.signal(unix.SIGKILL)
		_ = c.init.cmd.Wait()
		c.init.sync.Close()
	})
	if sp.NewUser {
		// The mapped root could not move itself: the controller moves
		// the init stage, and keeps its own threads out of the
		// container's pids limit.
		if err := c.group.AddPid(c.init.pid); err != nil {
			return fmt.Errorf("placing init in its cgroup: %w", err)
		}
		if limits(c.dom).PidsMax > 0 {
			if err := c.group.ConfinePids(c.init.pid); err != nil {
				return fmt.Errorf("placing init under its pids limit: %w", err)
			}
		}
	}
	// The container ends go straight into init's network namespace; init
	// configures them once released.
	if c.hostEnds, err = netdev.SetupHost(sp.Interfaces, c.init.pid, netdev.AutoPrefix(c.opts.Root)); err != nil {
		return fmt.Errorf("setting up network interfaces: %w", err)
	}
	undo = append(undo, c.removeHostEnds)
	if c.netDevs, err = netdev.MoveIn(sp.NetDevs, c.init.pid); err != nil {
		return fmt.Errorf("moving host network devices: %w", err)
	}
	undo = append(undo, c.returnNetDevs)
	rootTree := c.idmappedRoot(sp, c.init.pid)
	memTree := -1
	if c.meminfo != nil {
		memTree = c.meminfo.TakeFile()
	}
	err = c.init.release(rootTree, memTree)
	for _, fd := range []int{rootTree, memTree} {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
	if err != nil {
		return err
	}
	// The monitor socket is made, and the controller joins its
	// container's group (as libvirt's does: virsh lxc-enter-namespace
	// joins the group of the domain id's pid), while the init stage
	// builds the root; the socket is served once init runs.
	if err := c.listen(); err != nil {
		return err
	}
	undo = append(undo, c.stopListening)
	threadOnly, err := c.group.AddSelf()
	if err != nil {
		return fmt.Errorf("placing the controller in the container's cgroup: %w", err)
	}
	c.threadInGroup.Store(threadOnly)
	masters, err := c.init.awaitExec(sp.Consoles)
	if err != nil {
		return err
	}
	c.init.sync.Close()
	// The staged device nodes go at once: a controller killed from here
	// on must not leave them behind (the container's binds keep them).
	unstage()
	for _, m := range masters {
		peer, err := console.OpenPeer(m, "", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC)
		if err != nil {
			m.Close()
			return fmt.Errorf("console peer: %w", err)
		}
		c.peers = append(c.peers, peer)
		r, err := console.NewRelay(m, console.RelayOptions{Log: c.opts.LogFile, Logger: c.log})
		if err != nil {
			return fmt.Errorf("console relay: %w", err)
		}
		c.relays = append(c.relays, r)
	}
	undo = append(undo, c.closeRelays)
	c.served = make(chan struct{})
	go c.serve(c.listener, c.served)
	go c.reap()
	if c.opts.Ready != nil {
		c.opts.Ready(c.initEvent())
	}
	if w := c.opts.Watcher; w != nil {
		// The daemon's watch, connected since the launch: the init event
		// on it, written now, is the start's confirmation.
		ws := c.watches.Add(w, true, c.initEvent())
		go c.watches.Stream(ws)
	}
	c.watches.Broadcast(c.initEvent())
	settleMemory()
	// Only the teardown needs it: after the daemon is told.
	c.holdMountNS()
	return nil
}

func (c *Controller) closeRelays() {
	for _, r := range c.relays {
		r.Close()
	}
	for _, p := range c.peers {
		p.Close()
	}
	c.relays, c.peers = nil, nil
}

// reap waits for init and records how it ended: killed by SIGHUP means
// reboot (libvirt's rule), anything else is a shutdown.
func (c *Controller) reap() {
	ev, err := keeper.Reap(c.init.pidfd)
	if err != nil {
		c.log.Error("reaping init", "err", err)
		ev = monitor.Event{Kind: monitor.EventExit, Status: monitor.ExitError}
	}
	c.status = ev
	close(c.exited)
}

// initEvent is the event announcing the running init.
func (c *Controller) initEvent() monitor.Event {
	return monitor.Event{Kind: monitor.EventInit, InitPID: c.init.pid, HostIfaces: c.hostEnds}
}

// discardSpare ends what a spare prepared and this start did not take (a
// failed start, or one that made its own): the init stage, the group (or
// what is left of it: its unified directory, once the stage is gone), the
// meminfo filesystem.
func (c *Controller) discardSpare() {
	waitSpare()
	if spareStage != nil {
		spareStage.discard()
		spareStage = nil
	}
	if spareGroup != nil {
		_ = spareGroup.Destroy(context.Background())
		spareGroup = nil
	}
	if c.spareV2 != "" {
		_ = unix.Rmdir(c.spareV2)
	}
	if spareMeminfo != nil {
		discardMeminfo(spareMeminfo)
		spareMeminfo = nil
	}
}
