package driver

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/cgroups"
	"virtlxc/internal/controller"
	"virtlxc/internal/paths"
)

// spareGOMAXPROCS boots spare controllers with one P: a controller's work
// is one start, then waiting; measured (A/B, alternated) against the
// default two: start 4.68-4.84 -> 4.50-4.51 ms (fewer threads competing
// with the init stage and the daemon for the two CPUs), idle PSS per
// container 2.14 -> 1.83 MiB, RSS 3.43 -> 3.13 MiB.
const spareGOMAXPROCS = "GOMAXPROCS=1"

// sparePool keeps sparesKept controllers booted ahead of need (controller.SpareArg):
// a start hands it its command line and descriptors instead of exec'ing a
// new one, which saves the exec, the Go runtime's start and the package
// initialisation (≈ 1.5 ms) on the start's path. A new spare is started in
// the background after each use. The spare ends by itself when the
// daemon's end of its socket closes (Close, or the daemon's death).
type sparePool struct {
	binary string
	env    []string
	layout paths.Layout // the daemon's, for the spare's meminfo mount
	scope  string       // the daemon's cgroup scope, for the spare's init stage
	log    *slog.Logger

	mu     sync.Mutex
	cur    []*spareProc // oldest first
	closed bool
}

// sparesKept is how many spares a pool keeps: with two, a start that comes
// right after another (a loop, a burst) finds one that has finished
// booting, while the one started for the previous start still boots.
const sparesKept = 2

// spareProc is one booted, unclaimed controller.
type spareProc struct {
	proc *childProcess
	sock *os.File // the daemon's end
}

// newSparePool starts the first spare of binary, run with env, for a
// daemon with layout and cgroup scope.
func newSparePool(binary string, env []string, layout paths.Layout, scope string, log *slog.Logger) *sparePool {
	p := &sparePool{binary: binary, env: env, layout: layout, scope: scope, log: log}
	p.refill()
	return p
}

// refill starts spares until sparesKept are there, unless the pool is
// closed.
func (p *sparePool) refill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.closed && len(p.cur) < sparesKept {
		sp, err := p.start()
		if err != nil {
			p.log.Warn("cannot start a spare controller", "err", err)
			return
		}
		p.cur = append(p.cur, sp)
	}
}

// start execs a spare: /dev/null on 0–2 and on the placeholders, the
// socket after them.
func (p *sparePool) start() (*spareProc, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("socketpair: %w", err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "spare"), os.NewFile(uintptr(fds[1]), "spare-peer")
	defer theirs.Close()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		mine.Close()
		return nil, err
	}
	defer devnull.Close()
	extra := make([]*os.File, 0, controller.SparePlaceholders+1)
	for i := 0; i < controller.SparePlaceholders; i++ {
		extra = append(extra, devnull)
	}
	extra = append(extra, theirs)
	cmd := &exec.Cmd{
		Path:        p.binary,
		Args:        p.args(),
		Env:         p.env,
		Stdin:       devnull,
		Stdout:      devnull,
		Stderr:      devnull,
		ExtraFiles:  extra,
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
		Dir:         "/", // not the daemon's working directory (see daemon.Main)
	}
	if err := cmd.Start(); err != nil {
		mine.Close()
		return nil, err
	}
	// Low priority from its first instructions on (the spare lowers the
	// threads it made before this lands, and restores 0 when claimed).
	_ = unix.Setpriority(unix.PRIO_PROCESS, cmd.Process.Pid, controller.SpareNice)
	return &spareProc{proc: watchChild(cmd), sock: mine}, nil
}

// take hands out the oldest live spare (the one most likely booted);
// nil when there is none.
func (p *sparePool) take() *spareProc {
	for {
		p.mu.Lock()
		if len(p.cur) == 0 {
			p.mu.Unlock()
			return nil
		}
		sp := p.cur[0]
		p.cur = p.cur[1:]
		p.mu.Unlock()
		select {
		case <-sp.proc.done:
			sp.sock.Close()
		default:
			return sp
		}
	}
}

// launch turns a spare into spec's controller; ok is false (and the spare
// gone) when that failed and the caller must exec one. The next spare is
// started by refill once the start is over (RefillSpare): booted at once,
// it would take CPU from the very start that used this one.
func (p *sparePool) launch(spec LaunchSpec) (Process, bool) {
	if len(spec.ExtraFiles) > controller.SparePlaceholders {
		return nil, false // more descriptors than the spare holds places for
	}
	sp := p.take()
	if sp == nil {
		return nil, false
	}
	msg, err := json.Marshal(controller.Launch{Args: spec.Args, Env: spec.Env})
	if err != nil {
		p.discard(sp)
		return nil, false
	}
	fds := []int{int(spec.Log.Fd())}
	for _, f := range spec.ExtraFiles {
		fds = append(fds, int(f.Fd()))
	}
	// A spare claimed right after it was started (a tight loop of starts)
	// may still be booting, at nice 19, and its init stage waits at 19:
	// both finish at normal priority.
	controller.ClaimNice(sp.proc.cmd.Process.Pid)
	err = unix.Sendmsg(int(sp.sock.Fd()), msg, unix.UnixRights(fds...), nil, 0)
	sp.sock.Close() // the spare has what it needs, or will exit
	if err != nil {
		p.log.Warn("cannot hand a start to the spare controller", "err", err)
		p.discard(sp)
		return nil, false
	}
	return sp.proc, true
}

// args is a spare's command line.
func (p *sparePool) args() []string {
	args := []string{p.binary, controller.SpareArg}
	if p.scope != "" {
		args = append(args, "--cgroup-scope", p.scope)
	}
	if p.layout.Root != "" {
		args = append(args, "--root", p.layout.Root)
	}
	return args
}

// discard ends a spare that will not be used. Killed, it cannot remove
// the cgroup it made (where its init stage, which dies with it, was
// started): that is done here. (Its meminfo filesystem, mounted detached,
// goes with it.)
func (p *sparePool) discard(sp *spareProc) {
	sp.sock.Close()
	_ = sp.proc.Signal(syscall.SIGKILL)
	<-sp.proc.done
	pid := sp.proc.cmd.Process.Pid
	// The killed stage may not be gone yet: Destroy kills what is left
	// and waits for the directories to empty.
	go func() {
		layout, err := cgroups.Detect()
		if err != nil {
			return
		}
		m, err := cgroups.NewManager(layout, cgroups.Naming{Scope: p.scope}, p.log)
		if err != nil {
			return
		}
		g, err := m.Open(cgroups.SpareName(pid))
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := g.Destroy(ctx); err != nil {
			p.log.Warn("cannot remove a killed spare controller's cgroup", "err", err)
		}
	}()
}

// Close ends the pool: the spares leave once their sockets close.
func (p *sparePool) Close() {
	p.mu.Lock()
	p.closed = true
	spares := p.cur
	p.cur = nil
	p.mu.Unlock()
	for _, sp := range spares {
		sp.sock.Close()
	}
	deadline := time.After(spareExitWait)
	for _, sp := range spares {
		select {
		case <-sp.proc.done:
		case <-deadline:
			p.discard(sp) // it should have left on its socket's EOF
		}
	}
}

// spareExitWait bounds how long Close waits for the spare to leave.
const spareExitWait = 2 * time.Second
