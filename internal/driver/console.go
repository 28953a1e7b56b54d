package driver

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"virtlxc/internal/virerr"
)

// OpenConsole attaches to a running domain's console
// (virDomainOpenConsole; no flag is supported, like libvirt's LXC
// driver). devname is a console alias ("console0", "console1", ...) or ""
// for the first console. The returned stream carries the console's bytes
// both ways; closing it detaches.
func (d *Driver) OpenConsole(ref Ref, devname string, flags uint32) (io.ReadWriteCloser, error) {
	if err := CheckFlags(flags, 0, "lxcDomainOpenConsole"); err != nil {
		return nil, err
	}
	dom, err := d.findLocked(ref)
	if err != nil {
		return nil, err
	}
	r, err := activeRun(dom)
	if err != nil {
		dom.mu.Unlock()
		return nil, err
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
		name := devname
		if name == "" {
			name = "default"
		}
		return nil, virerr.New(virerr.ErrInternalError, virerr.FromLXC, "cannot find console device '%s'", name)
	}
	stream, err := d.launcher.Console(r.socket, index)
	if err != nil {
		var me *monitorError
		if errors.As(err, &me) {
			return nil, virerr.New(virerr.ErrOperationFailed, virerr.FromLXC, "%s", me.rep.Error)
		}
		return nil, internalError(err, "cannot open console of domain '%s'", dom.name)
	}
	return stream, nil
}

// namespaceOrder is the order libvirt hands out a container's namespaces
// for lxc-enter-namespace.
var namespaceOrder = []string{"user", "ipc", "uts", "net", "pid", "mnt"}

// OpenNamespaces opens the namespaces of the container's init for
// lxc-enter-namespace (virDomainLxcOpenNamespace; no flag is supported),
// in libvirt's order user, ipc, uts, net, pid, mnt: every one that opens,
// those the container shares with the host included, as libvirt's
// virProcessGetNamespaces hands them out (a client in other namespaces
// than the host's then still joins the container's view; setns of one it
// is already in fails with EINVAL, which the joiners ignore, as libvirt's
// virProcessSetNamespaces does). The caller owns the returned files.
func (d *Driver) OpenNamespaces(ref Ref, flags uint32) ([]*os.File, error) {
	if err := CheckFlags(flags, 0, "lxcDomainLxcOpenNamespace"); err != nil {
		return nil, err
	}
	dom, err := d.findForJob(ref)
	if err != nil {
		return nil, err
	}
	defer dom.endJob()
	dom.mu.Lock()
	_, err = activeRun(dom)
	initPID := dom.initPID
	dom.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if initPID == 0 {
		return nil, virerr.New(virerr.ErrOperationInvalid, virerr.FromLXC, "Init pid is not yet available")
	}
	return openNamespaces(initPID), nil
}

// openNamespaces opens /proc/PID/ns/* in libvirt's order, skipping those
// that fail to open. In a container with a user namespace of its own, the
// namespaces it shares with the daemon (the host's network without
// <privnet/>, which libvirt cannot run with <idmap>) are left out too: a
// client that has joined the container's user namespace can no longer
// join one the host's owns (setns says EPERM, and virsh gives up).
func openNamespaces(pid int) []*os.File {
	var files []*os.File
	ownUserNS := false
	for _, ns := range namespaceOrder {
		f, err := os.Open(fmt.Sprintf("/proc/%d/ns/%s", pid, ns))
		if err != nil {
			continue
		}
		same := sameNamespace(f, "/proc/self/ns/"+ns)
		if ns == "user" {
			ownUserNS = !same
		} else if ownUserNS && same {
			f.Close()
			continue
		}
		files = append(files, f)
	}
	return files
}

// sameNamespace reports whether f is the namespace at path.
func sameNamespace(f *os.File, path string) bool {
	var a, b unix.Stat_t
	if unix.Fstat(int(f.Fd()), &a) != nil || unix.Stat(path, &b) != nil {
		return false
	}
	return a.Dev == b.Dev && a.Ino == b.Ino
}
