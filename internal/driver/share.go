package driver

import (
	"fmt"
	"os"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/virerr"
)

// checkSharedNamespaces is what libvirt's daemon does with <lxc:namespace>
// before it launches the controller (virLXCProcessSetupNamespaces): each
// namespace to share must open, and its errors are the start's own (not
// the controller's log). The controller opens them again to join them.
func (d *Driver) checkSharedNamespaces(def *domainxml.Domain) error {
	ns := def.LXCNamespace
	if ns == nil {
		return nil
	}
	for _, e := range []struct {
		kind, proc string // libvirt's name of the share, /proc/PID/ns/<proc>
		m          *domainxml.NamespaceMap
	}{{"sharenet", "net", ns.ShareNet}, {"shareipc", "ipc", ns.ShareIPC}, {"shareuts", "uts", ns.ShareUTS}} {
		if e.m == nil {
			continue
		}
		var path string
		switch e.m.Type {
		case "netns":
			f, err := os.Open("/run/netns/" + e.m.Value)
			if err != nil {
				return virerr.New(virerr.ErrSystemError, virerr.FromLXC, "failed to open netns %s: %s", e.m.Value, virerr.Strerror(err))
			}
			f.Close()
			continue
		case "name":
			pid, err := d.initPIDByName(e.m.Value)
			if err != nil {
				return err
			}
			path = fmt.Sprintf("/proc/%d/ns/%s", pid, e.proc)
		default: // "pid" (the parse refuses other types)
			path = fmt.Sprintf("/proc/%s/ns/%s", e.m.Value, e.proc)
		}
		f, err := os.Open(path)
		if err != nil {
			return virerr.New(virerr.ErrSystemError, virerr.FromLXC, "failed to open ns %s: %s", e.kind, virerr.Strerror(err))
		}
		f.Close()
	}
	return nil
}

// initPIDByName is the init pid of running domain name, as
// virLXCProcessSetupNamespaceName finds it.
func (d *Driver) initPIDByName(name string) (int, error) {
	d.mu.RLock()
	dom := d.byName[name]
	d.mu.RUnlock()
	if dom == nil {
		return 0, errNoDomainName(name)
	}
	dom.mu.Lock()
	pid := dom.initPID
	if !dom.active() {
		pid = 0
	}
	dom.mu.Unlock()
	if pid == 0 {
		return 0, virerr.New(virerr.ErrOperationInvalid, virerr.FromLXC, "Init pid is not yet available")
	}
	return pid, nil
}
