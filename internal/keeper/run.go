package keeper

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/cgmem"
	"virtlxc/internal/cgthread"
	"virtlxc/internal/console"
	"virtlxc/internal/memtrim"
	"virtlxc/internal/monitor"
	"virtlxc/internal/procfs"
)

// GCPercent is GOGC for a running container's controller or keeper: an
// idle one never collects (its heap stays under the first goal), a busy
// one (its container reads /proc/meminfo) levels off lower than with Go's
// default (see internal/controller/meminfo.go).
const GCPercent = 40

// BurstQuiet is how long after the last /proc/meminfo read the heap a
// burst of reads left is given back (memtrim.AfterBursts).
const BurstQuiet = 2 * time.Second

// KillGrace is how long a destroy lets the kernel take init's pid
// namespace down before the cgroups are gone through (by the controller).
const KillGrace = 500 * time.Millisecond

// keeper is the running container, as the keeper serves it.
type keeper struct {
	st       *State
	log      *slog.Logger
	logFile  *os.File
	relays   []*console.Relay
	peers    []*os.File
	meminfo  *procfs.Server
	mem      *cgmem.Reader
	bursts   *memtrim.AfterBursts // told of every meminfo rendering
	listener net.Listener
	accepted chan struct{} // closed when serve returns
	mntNS    *os.File
	watches  Watches

	exited chan struct{} // closed once init is reaped
	status monitor.Event // its exit, valid then

	mu      sync.Mutex
	pending []pendingReq  // requests for the controller
	back    chan struct{} // a pending request arrived
	conns   sync.WaitGroup
	reqs    sync.WaitGroup
}

// pendingReq is a request the controller answers.
type pendingReq struct {
	conn net.Conn
	req  monitor.Request
}

// Main is the keeper's command (virtlxc-keeper --state-fd N): it serves
// the container until init's end, or until it execs the controller back.
// It must run on the process's main thread, locked.
func Main(args []string) int {
	if len(args) != 2 || args[0] != StateFlag {
		fmt.Fprintf(os.Stderr, "usage: virtlxc-keeper %s N (a controller execs it)\n", StateFlag)
		return 2
	}
	fd, err := strconv.Atoi(args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "virtlxc-keeper: %v\n", err)
		return 2
	}
	st, err := Receive(fd)
	if err != nil {
		fmt.Fprintf(os.Stderr, "virtlxc-keeper: %v\n", err)
		return 1
	}
	// As the controller's, once its start is over: an idle keeper never
	// collects, a busy one at a lower goal, and a burst's pages go back
	// 2 s after it (see internal/controller/meminfo.go).
	debug.SetGCPercent(GCPercent)
	k := &keeper{st: st, exited: make(chan struct{}), back: make(chan struct{}, 1), accepted: make(chan struct{}),
		bursts: memtrim.NewAfterBursts(BurstQuiet)}
	k.logFile = File(st.LogFD, "log")
	k.log = slog.New(slog.NewTextHandler(k.logFile, nil)).With("domain", st.Name)
	if st.ThreadInGroup {
		if err := cgthread.Join(st.V1Dirs); err != nil {
			k.log.Warn("keeper: joining the container's cgroup", "err", err)
			st.ThreadInGroup = false
		}
	}
	if err := k.adopt(); err != nil {
		k.log.Error("keeper: taking the container over; the controller goes on", "err", err)
		k.execBack()
		return 1
	}
	go trimWhenSettled(k.log)
	// A stop signal to the controller destroys its container.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGINT)
	for {
		select {
		case <-k.exited:
			// The controller removes the cgroups when no daemon will.
			if k.watches.Reaped() {
				return k.end()
			}
		case <-k.back:
		case <-sigs:
			k.destroy()
			continue
		}
		k.execBack()
		return 1
	}
}

// trimWhenSettled drops the resident pages of the keeper's executable
// once it has settled (memtrim.Idle): they stay shared in the page cache.
func trimWhenSettled(log *slog.Logger) {
	time.Sleep(200 * time.Millisecond)
	if _, err := memtrim.Idle(); err != nil {
		log.Warn("keeper: giving memory back", "err", err)
	}
}

// adopt takes over what the state names and starts serving.
func (k *keeper) adopt() error {
	st := k.st
	k.mem = st.TakeMem()
	var err error
	if k.meminfo, err = st.TakeMeminfo(k.memStats, k.log); err != nil {
		return err
	}
	k.mntNS = os.NewFile(uintptr(st.MntNS), "mntns")
	if k.relays, k.peers, err = st.TakeConsoles(k.logFile, k.log); err != nil {
		return err
	}
	if err := st.TakeWatches(&k.watches); err != nil {
		return err
	}
	l, err := Listener(st.Listener)
	if err != nil {
		return err
	}
	st.Listener, k.listener = -1, l
	go k.reap()
	go k.serve()
	st.TakePending(func(conn net.Conn, req monitor.Request) {
		k.conns.Add(1)
		go k.answer(conn, req)
	})
	return nil
}

// memStats feeds meminfo from the container's memory cgroup.
func (k *keeper) memStats() (procfs.MemStats, error) {
	k.bursts.Work()
	var f cgmem.Figures
	err := k.mem.Read(&f)
	return MemStats(f), err
}

// MemStats are a group's figures as the meminfo file shows them.
func MemStats(f cgmem.Figures) procfs.MemStats {
	return procfs.MemStats{
		Limit: f.Limit, Usage: f.Usage, Cache: f.Stat.Cache,
		ActiveAnon: f.Stat.ActiveAnon, InactiveAnon: f.Stat.InactiveAnon,
		ActiveFile: f.Stat.ActiveFile, InactiveFile: f.Stat.InactiveFile,
		Unevictable: f.Stat.Unevictable, MemSwapLimit: f.SwapLimit, MemSwapUsage: f.SwapUsage,
	}
}

// reap waits for init's exit.
func (k *keeper) reap() {
	ev, err := Reap(k.st.PidFD)
	if err != nil {
		k.log.Error("keeper", "err", err)
		ev = monitor.Event{Kind: monitor.EventExit, Status: monitor.ExitError}
	}
	k.status = ev
	close(k.exited)
}

// serve answers the monitor socket until execBack stops it.
func (k *keeper) serve() {
	defer close(k.accepted)
	for {
		conn, err := k.listener.Accept()
		if err != nil {
			return
		}
		k.conns.Add(1)
		go k.handle(conn)
	}
}

// handle reads one request and answers it (k.conns is released once the
// connection is registered or answered).
func (k *keeper) handle(conn net.Conn) {
	req, err := monitor.ReadRequest(conn, 5*time.Second)
	if err != nil {
		conn.Close()
		k.conns.Done()
		return
	}
	k.answer(conn, req)
}

// answer serves req, or queues it for the controller.
func (k *keeper) answer(conn net.Conn, req monitor.Request) {
	switch req.Op {
	case monitor.OpWatch:
		w := k.watches.Add(conn, req.Reaper, k.st.InitEvent)
		k.conns.Done()
		k.watches.Stream(w)
	case monitor.OpConsole:
		AttachConsole(conn, k.relays, req)
		k.conns.Done()
	case monitor.OpKeep: // served by the keeper already
		Reply(conn, nil)
		k.conns.Done()
	case monitor.OpResize, monitor.OpShutdown, monitor.OpReboot, monitor.OpDestroy:
		k.reqs.Add(1)
		k.conns.Done()
		defer k.reqs.Done()
		var err error
		switch req.Op {
		case monitor.OpResize:
			err = Resize(k.peers, req)
		case monitor.OpDestroy:
			if !k.destroy() {
				k.forController(conn, req)
				return
			}
		default:
			err = StopInit(k.st.InitPID, k.signal, req.Mode, req.Op == monitor.OpReboot, k.log)
		}
		Reply(conn, err)
	default:
		k.forController(conn, req)
		k.conns.Done()
	}
}

// forController queues a request that needs the controller: the main
// thread execs it back.
func (k *keeper) forController(conn net.Conn, req monitor.Request) {
	k.mu.Lock()
	k.pending = append(k.pending, pendingReq{conn, req})
	k.mu.Unlock()
	select {
	case k.back <- struct{}{}:
	default:
	}
}

func (k *keeper) signal(sig unix.Signal) error {
	return unix.PidfdSendSignal(k.st.PidFD, sig, nil, 0)
}

// destroy kills init (its pid namespace goes with it) and reports whether
// it was reaped within KillGrace; if not, the controller goes through the
// cgroups.
func (k *keeper) destroy() bool {
	_ = k.signal(unix.SIGKILL)
	select {
	case <-k.exited:
		return true
	case <-time.After(KillGrace):
		return false
	}
}
