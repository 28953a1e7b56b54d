package controller

import (
	"errors"
	"fmt"
	"os"

	"virtlxc/internal/cgroups"
	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

// createGroup creates the container's cgroup (c.group) with device
// policy rules and returns the unified directory the init stage is to
// start in ("" for none, or when the controller moves it: with a user
// namespace). The spare controller's group is renamed into it when it
// fits (no user namespace, libvirt's default device policy, the default
// partition); otherwise only its unified directory, already named after
// this controller, is taken over on a hybrid host.
func (c *Controller) createGroup(mgr *cgroups.Manager, sp *spec.Container, policy cgroups.DevicePolicy) (string, error) {
	machine := cgroups.MachineName(os.Getpid(), c.dom.Name)
	v2dir := mgr.V2DirOf(machine)
	place := v2dir
	if sp.NewUser {
		place = ""
	}
	lim := limits(c.dom)
	devs, devErr := blkioDevices(c.dom)
	lim.BlkioDevices = devs
	var opts cgroups.CreateOptions
	if s := spareGroup; s != nil {
		spareGroup = nil
		if !sp.NewUser && policy.IsDefault() && devErr == nil {
			g, err := mgr.Adopt(s, machine, lim)
			if err == nil {
				c.group = g
				return place, nil
			}
			c.log.Debug("spare cgroup not taken", "err", err)
		}
		s.RemoveV1()
		if dir, _ := s.V2Dir(); dir != "" && dir == v2dir {
			opts.Adopt = dir
		} else if dir != "" {
			c.spareV2 = dir
		}
	}
	// On failure the spare's unified directory goes with the start.
	if devErr != nil {
		c.keepSpareV2(opts.Adopt)
		return "", devErr
	}
	g, err := mgr.CreateWith(machine, lim, opts)
	if err != nil {
		c.keepSpareV2(opts.Adopt)
		// A limit the kernel refused is reported as libvirt_lxc reports
		// it: "Invalid value 'V' for 'FILE': strerror", nothing before.
		if se := (*virerr.SysError)(nil); errors.As(err, &se) {
			return "", se
		}
		return "", fmt.Errorf("creating the container's cgroup: %w", err)
	}
	c.group = g
	if err := g.SetDevices(cgroups.DeviceRules(policy)); err != nil {
		return "", fmt.Errorf("setting the device policy: %w", err)
	}
	return place, nil
}

// keepSpareV2 records dir, a spare's unified directory this start did not
// take, for the teardown to remove ("" records nothing: another may be
// recorded already).
func (c *Controller) keepSpareV2(dir string) {
	if dir != "" {
		c.spareV2 = dir
	}
}
