package controller

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"virtlxc/internal/procfs"
	"virtlxc/internal/spec"
)

// planMeminfo decides where the container-aware meminfo (FUSE) will be
// served, STATE/NAME.fuse, for the init stage to bind over /proc/meminfo;
// mountMeminfo mounts it before the stage is released. Once init runs the
// controller detaches this mount (detachMeminfo): the container's bind
// keeps the filesystem alive and the host is left with nothing to leak.
func (c *Controller) planMeminfo(sp *spec.Container) error {
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
	if sp.MemInfo == "" {
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

// memStats feeds the meminfo file from the container's memory cgroup.
func (c *Controller) memStats() (procfs.MemStats, error) {
	st, err := c.group.MemoryStats()
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
}

// fuseAvailable reports whether this machine can serve FUSE files.
func fuseAvailable() bool {
	return unix.Access("/dev/fuse", unix.R_OK|unix.W_OK) == nil
}
