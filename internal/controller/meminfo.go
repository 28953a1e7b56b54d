package controller

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"virtlxc/internal/procfs"
)

// serveMeminfo serves the FUSE filesystem init mounted over /proc/meminfo
// (fd is its /dev/fuse descriptor, received from init).
func (c *Controller) serveMeminfo(fd int) error {
	srv, err := procfs.Mount("/dev/fd/"+strconv.Itoa(fd), c.memStats, c.log)
	if err != nil {
		return err
	}
	c.meminfo = srv
	return nil
}

// memStats feeds the meminfo file from the container's memory cgroup.
func (c *Controller) memStats() (procfs.MemStats, error) {
	st, err := c.group.Stats()
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

// stopMeminfo ends the meminfo server: the kernel drops the filesystem once
// the container's mount namespace, which holds its last mount, is gone.
func (c *Controller) stopMeminfo() {
	if c.meminfo == nil {
		return
	}
	_ = c.meminfo.Unmount()
	c.meminfo = nil
}

// fuseAvailable reports whether this machine can serve FUSE files.
func fuseAvailable() bool {
	_, err := os.Stat("/dev/fuse")
	return err == nil && unix.Access("/dev/fuse", unix.R_OK|unix.W_OK) == nil
}
