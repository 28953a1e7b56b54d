package driver

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/controller"
	"virtlxc/internal/keeper"
	"virtlxc/internal/monitor"
)

// defaultKeepAfter is how long the driver must have been without work
// (API calls, starts, monitor requests) before it asks its controllers to
// hand their containers to the keeper.
const defaultKeepAfter = time.Second

// minCPUWindow bounds from below the window over which the host's CPU
// load is measured (/proc/stat counts in 10 ms ticks).
const minCPUWindow = 100 * time.Millisecond

// keepRetry is how long a controller that refused a keep request for now
// (keeper.NotNow) is left alone.
const keepRetry = 5 * time.Second

// keepAfter is the quiet period, from controller.KeepAfterEnv; 0 ("off",
// or no keeper installed next to ctrl, the controller) for never.
func keepAfter(ctrl string) time.Duration {
	v := os.Getenv(controller.KeepAfterEnv)
	if v == "off" || unix.Access(filepath.Join(filepath.Dir(ctrl), controller.KeeperBinary), unix.X_OK) != nil {
		return 0
	}
	d, err := time.ParseDuration(v)
	if v == "" || err != nil || d < 0 {
		return defaultKeepAfter
	}
	return max(d, time.Millisecond)
}

// Worked records work (an API call, a start, a monitor request): the
// handoffs to the keeper wait for quiet after it (paceKeepers).
func (d *Driver) Worked() { d.lastWork.Store(time.Now().UnixNano()) }

// paceKeepers asks the running controllers, one at a time, to hand their
// containers to the keeper (monitor.OpKeep: the keeper answers once it
// serves), once the driver has had no lifecycle work for after and the
// host's CPUs had one CPU's worth idle over the last window. A wave stops
// at the next lifecycle work. Each handoff costs a few ms of CPU (an
// exec and a Go runtime's start): a thousand containers going quiet
// together would take the CPUs from a wave of starts if each controller
// went by itself, and a thousand timers polling the host's load cost as
// much again.
func (d *Driver) paceKeepers(after time.Duration) {
	defer d.wg.Done()
	var cpu keeper.HostLoad
	wait := after
	for {
		select {
		case <-d.closing:
			return
		case <-time.After(wait):
		}
		wait = after
		if quiet := time.Since(time.Unix(0, d.lastWork.Load())); quiet < after {
			wait = after - quiet
			continue
		}
		if cpu.Busy() {
			wait = max(after, minCPUWindow)
			continue
		}
		for time.Since(time.Unix(0, d.lastWork.Load())) >= after {
			r := d.nextToKeep()
			if r == nil {
				break
			}
			rep, err := d.launcher.Call(r.socket, monitor.Request{Op: monitor.OpKeep})
			switch {
			case err == nil && strings.HasSuffix(rep.Error, keeper.Never):
				r.keepRetryAt.Store(math.MaxInt64)
			case err != nil || rep.Error != "":
				d.log.Debug("a controller kept its container", "socket", r.socket, "err", err, "reply", rep.Error)
				r.keepRetryAt.Store(time.Now().Add(keepRetry).UnixNano())
			default:
				r.kept.Store(true)
			}
			select {
			case <-d.closing:
				return
			default:
			}
		}
	}
}

// nextToKeep is a running domain's controller not served by the keeper
// yet, nor left alone after a refusal; nil when there is none.
func (d *Driver) nextToKeep() *run {
	now := time.Now().UnixNano()
	for _, dom := range d.all() {
		dom.mu.Lock()
		r := dom.run
		ok := r != nil && dom.state == StateRunning && !r.gotExit && !r.destroying
		dom.mu.Unlock()
		if ok && !r.kept.Load() && r.keepRetryAt.Load() <= now {
			return r
		}
	}
	return nil
}
