package controller

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/monitor"
	"virtlxc/internal/virerr"
)

// openSharedNamespaces opens the namespaces <lxc:namespace> asks to join, in
// the order of spec.Container.Share (net, ipc, uts), as libvirt resolves
// them (spec §2.10): another running domain of this driver by name, a host
// process by pid, or a named network namespace under /run/netns.
func (c *Controller) openSharedNamespaces(share []string) ([]*os.File, error) {
	ns := c.dom.LXCNamespace
	var files []*os.File
	fail := func(err error) ([]*os.File, error) {
		for _, f := range files {
			f.Close()
		}
		return nil, err
	}
	for _, kind := range share {
		var m *domainxml.NamespaceMap
		switch kind {
		case "net":
			m = ns.ShareNet
		case "ipc":
			m = ns.ShareIPC
		case "uts":
			m = ns.ShareUTS
		}
		path, err := c.namespacePath(kind, m)
		if err != nil {
			return fail(err)
		}
		f, err := os.Open(path)
		if err != nil {
			if m.Type == "netns" {
				return fail(virerr.New(virerr.ErrSystemError, virerr.FromLXC, "failed to open netns %s: %s", m.Value, virerr.Strerror(err)))
			}
			return fail(virerr.New(virerr.ErrSystemError, virerr.FromLXC, "failed to open ns %s: %s", path, virerr.Strerror(err)))
		}
		files = append(files, f)
	}
	return files, nil
}

func (c *Controller) namespacePath(kind string, m *domainxml.NamespaceMap) (string, error) {
	switch m.Type {
	case "netns":
		return "/run/netns/" + m.Value, nil
	case "pid":
		pid, err := strconv.Atoi(m.Value)
		if err != nil || pid <= 0 {
			return "", virerr.New(virerr.ErrInvalidArg, virerr.FromLXC, "invalid pid '%s' for %s namespace", m.Value, kind)
		}
		return fmt.Sprintf("/proc/%d/ns/%s", pid, kind), nil
	case "name":
		pid, err := c.initPIDOf(m.Value)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("/proc/%d/ns/%s", pid, kind), nil
	}
	return "", virerr.New(virerr.ErrInternalError, virerr.FromLXC, "Unknown LXC namespace source '%s'", m.Type)
}

// initPIDOf asks another running container's controller for its init pid.
func (c *Controller) initPIDOf(name string) (int, error) {
	conn, err := monitor.Dial(c.layout.MonitorSocket(name), monitor.Request{Op: monitor.OpWatch}, 2*time.Second)
	if err != nil {
		return 0, virerr.New(virerr.ErrInvalidArg, virerr.FromLXC, "No domain with matching name '%s'", name)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	var ev monitor.Event
	if err := monitor.ReadLine(conn, &ev); err != nil || ev.Kind != monitor.EventInit || ev.InitPID == 0 {
		return 0, virerr.New(virerr.ErrInternalError, virerr.FromLXC, "Init pid is not yet available")
	}
	return ev.InitPID, nil
}
