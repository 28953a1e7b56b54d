package controller

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"virtlxc/internal/cgmem"
	"virtlxc/internal/keeper"
	"virtlxc/internal/procfs"
	"virtlxc/internal/spec"
)

// planMeminfo opens the container-aware meminfo (FUSE) the init stage
// binds over /proc/meminfo. The filesystem is mounted detached
// (procfs.Open: a spare controller's, opened while it waited, or a new
// one, with the files owned by the container's root under a user
// namespace); a detached mount of its file alone, made as it opened, goes
// to the stage with its Go message, and the stage attaches it over
// /proc/meminfo. The host never has it, so nothing is detached: a lazy
// unmount waits for an expedited RCU grace period, whose IPIs slowed
// init's exec when it ran then.
func (c *Controller) planMeminfo(sp *spec.Container) error {
	srv := spareMeminfo
	spareMeminfo = nil
	if srv != nil && sp.NewUser {
		discardMeminfo(srv) // its files are owned by host root
		srv = nil
	}
	if srv == nil && !fuseAvailable() {
		return nil
	}
	dir := c.layout.FuseDir(c.dom.Name)
	if err := os.Mkdir(dir, 0o711); err != nil && !os.IsExist(err) {
		if srv != nil {
			discardMeminfo(srv)
		}
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	sp.MemInfo = dir
	if srv == nil {
		var opts []procfs.Option
		if sp.NewUser {
			opts = append(opts, procfs.WithOwner(uint32(sp.IDMapRootUID), uint32(sp.IDMapRootGID)))
		}
		var err error
		if srv, err = procfs.Open(c.memStats, c.log, opts...); err != nil {
			_ = os.Remove(dir)
			return err
		}
	}
	c.meminfo = srv
	return nil
}

// burstQuiet is how long after the last /proc/meminfo read the heap a
// burst of reads left is given back (memtrim.AfterBursts).
const burstQuiet = keeper.BurstQuiet

// gcPercentRunning is GOGC for a running container's controller, set once
// its start is over (settleMemory). An idle controller never collects: its heap (≈ 1 MiB)
// stays under the first goal. A busy one does: serving makes garbage with
// every read of /proc/meminfo in the container (≈ 2.5 KiB with go-fuse's
// own server, measured when this was chosen; less since). With Go's default
// (100, a first goal of 4 MiB) a controller whose container runs free(1)
// a few thousand times held 6.1 MiB of anonymous memory; with 40 (a first
// goal of 1.6 MiB, above the idle heap) it levels off at 3.8 MiB, and an
// idle controller is unchanged. (25 would be 3.5 MiB, but its 1 MiB goal is
// under the idle heap: every controller would collect at once, +0.5 MiB.)
const gcPercentRunning = keeper.GCPercent

// settleMemory sets the running controller's collector (gcPercentRunning).
func settleMemory() { debug.SetGCPercent(gcPercentRunning) }

// memStats feeds the meminfo file from the container's memory cgroup.
func (c *Controller) memStats() (procfs.MemStats, error) {
	c.bursts.Work()
	if r := c.memReader.Load(); r != nil {
		var f cgmem.Figures
		err := r.Read(&f)
		return keeper.MemStats(f), err
	}
	st, err := c.group.MemoryStats()
	return keeper.MemStats(cgmem.Figures{Usage: st.MemoryUsage, Limit: st.MemoryLimit,
		SwapUsage: st.SwapUsage, SwapLimit: st.SwapLimit, Stat: st.Memory}), err
}

// stopMeminfo forgets the meminfo server (it ends with its filesystem,
// when the container's mount namespace goes) and removes the mount point.
func (c *Controller) stopMeminfo() {
	if c.meminfo != nil {
		_ = os.Remove(c.layout.FuseDir(c.dom.Name))
	}
	c.meminfo = nil
	if r := c.memReader.Swap(nil); r != nil {
		r.Close()
	}
}

// spareMeminfo is the meminfo filesystem a spare controller mounted while
// it waited (nil when none, or once a start took it): the mount (0.4 ms)
// leaves the start's path. (The spare does not look its file up to warm
// the kernel's cache: a process must never wait for its own FUSE server,
// which cannot answer once it is being killed, and then never exits.)
// Only the spare's goroutine and the start that follows touch it.
var spareMeminfo *procfs.Server

// spareStats feeds spareMeminfo: the claiming controller's memStats once
// its cgroup exists (serveStats), an error (host figures served) before.
var spareStats atomic.Pointer[func() (procfs.MemStats, error)]

// startSpareMeminfo opens spareMeminfo (procfs.Open: a detached mount,
// nothing on the host). Failure only means a start opens its own.
func startSpareMeminfo() {
	if !fuseAvailable() {
		return
	}
	srv, err := procfs.Open(func() (procfs.MemStats, error) {
		if f := spareStats.Load(); f != nil {
			return (*f)()
		}
		return procfs.MemStats{}, errors.New("no container yet")
	}, nil)
	if err != nil {
		return
	}
	spareMeminfo = srv
}

// serveStats makes a taken spareMeminfo serve this container's figures
// (call once the cgroup exists).
func (c *Controller) serveStats() {
	if r, err := c.group.OpenMemoryReader(); err == nil {
		c.memReader.Store(r)
	} else {
		c.log.Warn("meminfo: reading the figures file by file", "err", err)
	}
	f := c.memStats
	spareStats.Store(&f)
}

// discardMeminfo ends an unused meminfo filesystem.
func discardMeminfo(srv *procfs.Server) {
	srv.Close()
}

// fuseAvailable reports whether this machine can serve FUSE files.
func fuseAvailable() bool {
	return unix.Access("/dev/fuse", unix.R_OK|unix.W_OK) == nil
}
