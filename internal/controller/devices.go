package controller

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"virtlxc/internal/cgroups"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/monitor"
	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

// hostdevs resolves <hostdev mode='capabilities'> storage and misc devices
// into nodes for the container's /dev (same path as on the host, mode 0700)
// and device cgroup rules (spec §1.4 step 9, §2.12.2).
func hostdevs(d *domainxml.Domain) ([]spec.Device, []*cgroups.DeviceRule, error) {
	if d.Devices == nil {
		return nil, nil, nil
	}
	var devs []spec.Device
	var rules []*cgroups.DeviceRule
	for _, h := range d.Devices.Hostdevs {
		var path string
		var typ byte
		switch {
		case h.CapsStorage != nil:
			if h.CapsStorage.Source == nil || h.CapsStorage.Source.Block == "" {
				return nil, nil, virerr.New(virerr.ErrXMLError, virerr.FromLXC, "Missing storage host block path")
			}
			path, typ = h.CapsStorage.Source.Block, 'b'
		case h.CapsMisc != nil:
			if h.CapsMisc.Source == nil || h.CapsMisc.Source.Char == "" {
				return nil, nil, virerr.New(virerr.ErrXMLError, virerr.FromLXC, "Missing character host path")
			}
			path, typ = h.CapsMisc.Source.Char, 'c'
		case h.CapsNet != nil:
			continue // moved into the network namespace by the networking code
		case h.SubsysUSB != nil:
			return nil, nil, virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "USB host devices are not supported yet")
		default:
			return nil, nil, virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "Unsupported hostdev type %s", domainxml.HostdevType(h))
		}
		var st unix.Stat_t
		if err := unix.Stat(path, &st); err != nil {
			return nil, nil, virerr.New(virerr.ErrSystemError, virerr.FromLXC, "Unable to access %s: %s", path, virerr.Strerror(err))
		}
		kind := st.Mode & unix.S_IFMT
		if typ == 'b' && kind != unix.S_IFBLK {
			return nil, nil, virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "Storage source %s must be a block device", path)
		}
		if typ == 'c' && kind != unix.S_IFCHR {
			return nil, nil, virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "Storage source %s must be a character device", path)
		}
		major, minor := unix.Major(st.Rdev), unix.Minor(st.Rdev)
		devs = append(devs, spec.Device{Path: path, Type: typ, Major: major, Minor: minor, Mode: 0o700})
		r, err := cgroups.HostdevRule(typ, int64(major), int64(minor), "rwm")
		if err != nil {
			return nil, nil, err
		}
		rules = append(rules, r)
	}
	return devs, rules, nil
}

// diskDevices resolves each <disk> into its node /dev/<target> in the
// container, mode 0700 with the source's type and numbers, and a device
// cgroup rule (spec §1.4 steps 3 and 8): a file disk is attached to a
// loop device first (c.loops keeps it); the source must then be a block
// or character device.
func (c *Controller) diskDevices(d *domainxml.Domain) ([]spec.Device, []*cgroups.DeviceRule, error) {
	if d.Devices == nil {
		return nil, nil, nil
	}
	var devs []spec.Device
	var rules []*cgroups.DeviceRule
	for _, disk := range d.Devices.Disks {
		readonly := disk.ReadOnly != nil
		// virLXCControllerSetupLoopDevices, then virLXCControllerSetupDisk.
		var src string
		s := disk.Source
		switch {
		case s != nil && s.File != nil && s.File.File != "":
			loop, err := attachLoop(s.File.File, readonly)
			if err != nil {
				return nil, nil, err
			}
			c.loops = append(c.loops, loop)
			src = loop.Name()
		case s == nil || s.Block == nil:
			return nil, nil, virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "Can't setup disk for non-block device")
		case s.Block.Dev == "":
			return nil, nil, virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "Can't setup disk without media")
		default:
			src = s.Block.Dev
		}
		var st unix.Stat_t
		if err := unix.Stat(src, &st); err != nil {
			return nil, nil, virerr.New(virerr.ErrSystemError, virerr.FromLXC, "Unable to access %s: %s", src, virerr.Strerror(err))
		}
		typ := byte('b')
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFBLK:
		case unix.S_IFCHR:
			typ = 'c'
		default:
			return nil, nil, virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "Disk source %s must be a character/block device", src)
		}
		major, minor := unix.Major(st.Rdev), unix.Minor(st.Rdev)
		devs = append(devs, spec.Device{Path: "/dev/" + disk.Target.Dev, Type: typ, Major: major, Minor: minor, Mode: 0o700, Source: src})
		perms := "rwm"
		if readonly {
			perms = "rm"
		}
		r, err := cgroups.HostdevRule(typ, int64(major), int64(minor), perms)
		if err != nil {
			return nil, nil, err
		}
		rules = append(rules, r)
	}
	return devs, rules, nil
}

// changeDevice adds a device to the running container's device policy, or
// takes one out (a disk or host device attached or detached live): the
// policy the controller applied at start is kept, so that a v2 group,
// whose policy is one program, gets it whole again.
func (c *Controller) changeDevice(ch *monitor.DeviceChange) error {
	if ch == nil || len(ch.Type) != 1 {
		return errors.New("device request without a device")
	}
	rule, err := cgroups.HostdevRule(ch.Type[0], int64(ch.Major), int64(ch.Minor), ch.Perms)
	if err != nil {
		return err
	}
	rule.Allow = ch.Allow
	c.devMu.Lock()
	defer c.devMu.Unlock()
	if c.group == nil {
		return errors.New("the container has no cgroup")
	}
	policy := c.devices
	extra := make([]*cgroups.DeviceRule, 0, len(policy.Extra)+1)
	for _, r := range policy.Extra {
		if r.Type != rule.Type || r.Major != rule.Major || r.Minor != rule.Minor {
			extra = append(extra, r)
		}
	}
	if ch.Allow {
		extra = append(extra, rule)
	}
	policy.Extra = extra
	if err := c.group.ChangeDevice(cgroups.DeviceRules(policy), rule); err != nil {
		return fmt.Errorf("changing the device policy: %w", err)
	}
	c.devices = policy
	return nil
}
