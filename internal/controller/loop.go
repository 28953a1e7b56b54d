package controller

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"virtlxc/internal/cgroups"
	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

// attachLoop attaches an image file to a free loop device with autoclear:
// the device frees itself once the controller's descriptor and the
// container's mount are gone, so a crash cannot leak it.
func attachLoop(file string, readonly bool) (*os.File, error) {
	flag := os.O_RDWR
	if readonly {
		flag = os.O_RDONLY
	}
	backing, err := os.OpenFile(file, flag, 0)
	if err != nil {
		return nil, virerr.New(virerr.ErrSystemError, virerr.FromLXC, "Unable to open %s: %s", file, virerr.Strerror(err))
	}
	defer backing.Close()
	ctl, err := os.OpenFile("/dev/loop-control", os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("opening /dev/loop-control: %w", err)
	}
	defer ctl.Close()
	for try := 0; try < 20; try++ {
		n, err := unix.IoctlRetInt(int(ctl.Fd()), unix.LOOP_CTL_GET_FREE)
		if err != nil {
			return nil, virerr.Sys(err, "Unable to get free loop device")
		}
		loop, err := os.OpenFile(fmt.Sprintf("/dev/loop%d", n), flag, 0)
		if err != nil {
			return nil, virerr.Sys(err, "Unable to open loop device %d", n)
		}
		cfg := unix.LoopConfig{Fd: uint32(backing.Fd())}
		cfg.Info.Flags = unix.LO_FLAGS_AUTOCLEAR
		if readonly {
			cfg.Info.Flags |= unix.LO_FLAGS_READ_ONLY
		}
		err = unix.IoctlLoopConfigure(int(loop.Fd()), &cfg)
		if errors.Is(err, unix.EBUSY) {
			loop.Close() // another process took it first
			continue
		}
		if err != nil {
			loop.Close()
			return nil, virerr.Sys(err, "Unable to attach %s to loop device", file)
		}
		return loop, nil
	}
	return nil, fmt.Errorf("Unable to get free loop device: every one was taken")
}

// prepareBlockMounts turns image files into loop devices and collects the
// device cgroup rules of every block filesystem (spec §2.5, §2.12.2).
func (c *Controller) prepareBlockMounts(sp *spec.Container) ([]*cgroups.DeviceRule, error) {
	var rules []*cgroups.DeviceRule
	prep := func(kind *spec.MountKind, src *string, ro bool) error {
		if *kind == spec.MountFile {
			loop, err := attachLoop(*src, ro)
			if err != nil {
				return err
			}
			c.loops = append(c.loops, loop)
			*kind, *src = spec.MountBlock, loop.Name()
		}
		if *kind != spec.MountBlock {
			return nil
		}
		var st unix.Stat_t
		if err := unix.Stat(*src, &st); err != nil {
			// The device cgroup's stat (virCgroupAllowDevicePath) is
			// where libvirt finds it missing.
			return virerr.Sys(err, "Path '%s' is not accessible", *src)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFBLK {
			return virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "Storage source %s must be a block device", *src)
		}
		rules = append(rules, cgroups.BlockFilesystemRule(int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev)), ro))
		return nil
	}
	if err := prep(&sp.Root.Kind, &sp.Root.Source, sp.Root.ReadOnly); err != nil {
		return nil, err
	}
	for i := range sp.Mounts {
		m := &sp.Mounts[i]
		if err := prep(&m.Kind, &m.Source, m.ReadOnly); err != nil {
			return nil, err
		}
	}
	return rules, nil
}

// closeLoops drops the controller's loop descriptors (autoclear frees the
// devices once the container's mounts are gone too).
func (c *Controller) closeLoops() {
	for _, l := range c.loops {
		l.Close()
	}
	c.loops = nil
}
