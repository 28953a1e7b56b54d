package controller

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/cgroups"
	"virtlxc/internal/paths"
	"virtlxc/internal/procfs"
	"virtlxc/internal/spec"
)

// planMeminfo decides where the container-aware meminfo (FUSE) will be
// served, STATE/NAME.fuse, for the init stage to bind over /proc/meminfo;
// mountMeminfo mounts it before the stage is released. Once init runs the
// controller detaches this mount (detachMeminfo): the container's bind
// keeps the filesystem alive and the host is left with nothing to leak.
//
// A spare controller's filesystem, mounted while it waited, is taken
// instead when it fits (files owned by root: no user namespace).
func (c *Controller) planMeminfo(sp *spec.Container) error {
	if srv := spareMeminfo; srv != nil {
		spareMeminfo = nil
		if !sp.NewUser {
			c.meminfo, sp.MemInfo = srv, srv.Dir()
			return nil
		}
		discardMeminfo(srv)
	}
	if !fuseAvailable() {
		return nil
	}
	dir := c.layout.FuseDir(c.dom.Name)
	if err := os.Mkdir(dir, 0o711); err != nil && !os.IsExist(err) {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	sp.MemInfo = dir
	return nil
}

// mountMeminfo starts serving the meminfo file planMeminfo placed.
func (c *Controller) mountMeminfo(sp *spec.Container) error {
	if sp.MemInfo == "" || c.meminfo != nil {
		return nil
	}
	var opts []procfs.Option
	if sp.NewUser {
		opts = append(opts, procfs.WithOwner(uint32(sp.IDMapRootUID), uint32(sp.IDMapRootGID)))
	}
	srv, err := procfs.Mount(sp.MemInfo, c.memStats, c.log, opts...)
	if err != nil {
		_ = os.Remove(sp.MemInfo)
		return err
	}
	c.meminfo = srv
	return nil
}

// detachMeminfo removes the host-side meminfo mount point.
func (c *Controller) detachMeminfo() {
	if c.meminfo == nil || c.meminfoDetached {
		return
	}
	_ = c.meminfo.Unmount()
	_ = os.Remove(c.meminfo.Dir())
	c.meminfoDetached = true
}

// burstQuiet is how long after the last /proc/meminfo read the heap a
// burst of reads left is given back (memtrim.AfterBursts).
const burstQuiet = 2 * time.Second

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
const gcPercentRunning = 40

// settleMemory sets the running controller's collector (gcPercentRunning).
func settleMemory() { debug.SetGCPercent(gcPercentRunning) }

// memStats feeds the meminfo file from the container's memory cgroup.
func (c *Controller) memStats() (procfs.MemStats, error) {
	c.bursts.Work()
	var st cgroups.Stats
	var err error
	if r := c.memReader.Load(); r != nil {
		err = r.Read(&st)
	} else {
		st, err = c.group.MemoryStats()
	}
	if err != nil {
		return procfs.MemStats{}, err
	}
	return procfs.MemStats{
		Limit:        st.MemoryLimit,
		Usage:        st.MemoryUsage,
		Cache:        st.Memory.Cache,
		ActiveAnon:   st.Memory.ActiveAnon,
		InactiveAnon: st.Memory.InactiveAnon,
		ActiveFile:   st.Memory.ActiveFile,
		InactiveFile: st.Memory.InactiveFile,
		Unevictable:  st.Memory.Unevictable,
		MemSwapLimit: st.SwapLimit,
		MemSwapUsage: st.SwapUsage,
	}, nil
}

// detachMeminfoAsync detaches the host-side mount in the background: the
// lazy unmount waits for an RCU grace period (≈ 0.3–0.6 ms) that the start
// need not wait for. stopMeminfo waits for it.
func (c *Controller) detachMeminfoAsync() {
	done := make(chan struct{})
	c.meminfoDetach = done
	go func() {
		defer close(done)
		c.detachMeminfo()
	}()
}

// stopMeminfo ends the meminfo server.
func (c *Controller) stopMeminfo() {
	if c.meminfoDetach != nil {
		<-c.meminfoDetach
	}
	c.detachMeminfo()
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

// startSpareMeminfo mounts spareMeminfo at the spare's own mount point
// under the state directory of a daemon with root. Failure only means a
// start mounts its own.
func startSpareMeminfo(root string) {
	if !fuseAvailable() {
		return
	}
	dir := paths.New(root, "").SpareFuseDir(os.Getpid())
	if err := os.MkdirAll(filepath.Dir(dir), 0o711); err != nil {
		return
	}
	if err := os.Mkdir(dir, 0o711); err != nil && !os.IsExist(err) {
		return
	}
	srv, err := procfs.Mount(dir, func() (procfs.MemStats, error) {
		if f := spareStats.Load(); f != nil {
			return (*f)()
		}
		return procfs.MemStats{}, errors.New("no container yet")
	}, nil)
	if err != nil {
		_ = os.Remove(dir)
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

// discardMeminfo unmounts an unused meminfo filesystem and removes its
// mount point.
func discardMeminfo(srv *procfs.Server) {
	_ = srv.Unmount()
	_ = os.Remove(srv.Dir())
}

// fuseAvailable reports whether this machine can serve FUSE files.
func fuseAvailable() bool {
	return unix.Access("/dev/fuse", unix.R_OK|unix.W_OK) == nil
}
