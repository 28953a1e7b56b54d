package driver

import (
	"errors"

	"virtlxc/internal/monitor"
	"virtlxc/internal/virerr"
)

// ResizeConsole sets the window size of a running domain's console
// (virtlxc's own DOMAIN_CONSOLE_RESIZE; libvirt has no such call). devname
// names the console as OpenConsole does.
func (d *Driver) ResizeConsole(ref Ref, devname string, rows, cols uint16) error {
	dom, err := d.findLocked(ref)
	if err != nil {
		return err
	}
	r, err := activeRun(dom)
	if err != nil {
		dom.mu.Unlock()
		return err
	}
	index := -1
	if dom.liveDef.Devices != nil {
		for i, c := range dom.liveDef.Devices.Consoles {
			if devname == "" || (c.Alias != nil && c.Alias.Name == devname) {
				index = i
				break
			}
		}
	}
	dom.mu.Unlock()
	if index < 0 {
		return virerr.New(virerr.ErrInternalError, virerr.FromLXC, "cannot find console device '%s'", devname)
	}
	rep, err := d.launcher.Call(r.socket, monitor.Request{Op: monitor.OpResize, Index: index, Rows: rows, Cols: cols})
	if err != nil {
		var me *monitorError
		if errors.As(err, &me) {
			return virerr.New(virerr.ErrOperationFailed, virerr.FromLXC, "%s", me.rep.Error)
		}
		return internalError(err, "cannot resize the console of domain '%s'", ref.Name)
	}
	if rep.Error != "" {
		return virerr.New(virerr.ErrOperationFailed, virerr.FromLXC, "%s", rep.Error)
	}
	return nil
}
