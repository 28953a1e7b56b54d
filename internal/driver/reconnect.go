package driver

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
	"virtlxc/internal/audit"
	"virtlxc/internal/cgroups"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/monitor"
)

// reconnectWait bounds how long a reconnect waits for a controller's
// first event.
const reconnectWait = 5 * time.Second

// loadStatus finds the domains that were running when the previous daemon
// stopped (STATE/NAME.xml) and reconnects to their controllers (spec
// §1.5). A controller that is gone leaves the domain shut off (reason
// failed) with its leftovers removed.
func (d *Driver) loadStatus() {
	entries, err := os.ReadDir(d.layout.StateDir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			d.log.Error("cannot read state directory", "dir", d.layout.StateDir, "err", err)
		}
		return
	}
	for _, e := range entries {
		fname := e.Name()
		if strings.HasPrefix(fname, ".") || !strings.HasSuffix(fname, ".xml") || !e.Type().IsRegular() {
			continue
		}
		name := strings.TrimSuffix(fname, ".xml")
		if err := d.loadOneStatus(name); err != nil {
			d.log.Error("cannot load domain status", "file", filepath.Join(d.layout.StateDir, fname), "err", err)
		}
	}
}

// loadOneStatus loads STATE/name.xml and reconnects to its controller.
func (d *Driver) loadOneStatus(name string) error {
	data, err := os.ReadFile(d.layout.StatusFile(name))
	if err != nil {
		return err
	}
	st, err := parseStatus(data)
	if err != nil {
		return err
	}
	def, err := domainxml.Parse(st.domain, domainxml.Options{Live: true, Emulator: d.emulator, Logger: d.log})
	if err != nil {
		return err
	}
	if def.Name != name {
		return fmt.Errorf("status file of '%s' describes domain '%s'", name, def.Name)
	}
	if st.pid <= 0 {
		d.removeRunFiles(name)
		return fmt.Errorf("status file of '%s' has no controller pid; removed", name)
	}
	dom := newDomain(def.Name, def.UUID)
	dom.liveDef = def
	d.mu.Lock()
	if d.byName[name] != nil || d.byUUID[def.UUID] != nil {
		d.mu.Unlock()
		return fmt.Errorf("domain '%s' (uuid %s) is already loaded", name, def.UUID)
	}
	d.register(dom)
	d.mu.Unlock()
	d.reconnect(dom, st)
	return nil
}

// reconnect attaches to the controller of a domain found in a status file.
// The domain comes back running/unknown (paused/user if it was paused:
// libvirt forgets that, the freezer does not).
func (d *Driver) reconnect(dom *domain, st *status) {
	dom.mu.Lock()
	d.reclaimPorts(dom.liveDef)
	dom.mu.Unlock()
	socket := d.layout.MonitorSocket(dom.name)
	w, initPID, err := d.firstEvent(socket)
	if err != nil {
		d.log.Warn("controller is gone; domain is shut off", "domain", dom.name, "pid", st.pid, "err", err)
		if err := d.cg.Remove(cgroups.MachineName(st.pid, dom.name), partitionOf(dom.liveDef)); err != nil {
			d.log.Warn("cannot remove the cgroup of a gone controller", "domain", dom.name, "err", err)
		}
		dom.mu.Lock()
		d.cleanupLocked(dom, ShutoffFailed)
		d.auditStop(dom, audit.ReasonFailed)
		dom.mu.Unlock()
		return
	}
	proc, err := d.launcher.Attach(st.pid)
	if err != nil {
		d.log.Warn("cannot watch the controller process", "domain", dom.name, "pid", st.pid, "err", err)
		proc = lostProcess(st.pid)
	}
	r := &run{proc: proc, watcher: w, socket: socket, done: make(chan struct{})}
	dom.mu.Lock()
	dom.id = st.pid
	dom.liveDef.ID = new(st.pid)
	dom.initPID = initPID
	if dom.initPID == 0 {
		dom.initPID = st.initPID
	}
	if st.state == StatePaused {
		dom.setState(StatePaused, st.reason)
	} else {
		dom.setState(StateRunning, RunningUnknown)
	}
	dom.run = r
	d.saveStatusLogged(dom)
	dom.mu.Unlock()
	d.log.Info("reconnected to domain", "domain", dom.name, "pid", st.pid)
	d.wg.Add(1)
	go d.watch(dom, r)
}

// firstEvent opens a watch on socket and reads its first event, the init
// event, within reconnectWait.
func (d *Driver) firstEvent(socket string) (Watcher, int, error) {
	w, err := d.launcher.Watch(socket)
	if err != nil {
		return nil, 0, err
	}
	type result struct {
		ev  monitor.Event
		err error
	}
	ch := make(chan result, 1)
	go func() {
		ev, err := w.Next()
		ch <- result{ev, err}
	}()
	select {
	case res := <-ch:
		if res.err != nil {
			w.Close()
			return nil, 0, res.err
		}
		if res.ev.Kind != monitor.EventInit {
			w.Close()
			return nil, 0, fmt.Errorf("unexpected first monitor event %q", res.ev.Kind)
		}
		return w, res.ev.InitPID, nil
	case <-time.After(reconnectWait):
		w.Close()
		return nil, 0, errors.New("controller did not answer")
	}
}

// lostProcess stands for a controller whose process cannot be watched:
// it counts as already gone.
type lostProcess int

// Pid implements Process.
func (p lostProcess) Pid() int { return int(p) }

// Done implements Process: the process counts as gone.
func (p lostProcess) Done() <-chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}

// ExitCode implements Process.
func (p lostProcess) ExitCode() int { return -1 }

// Signal implements Process and does nothing.
func (p lostProcess) Signal(sig syscall.Signal) error { return nil }

// loadConfigs loads every persistent config and the autostart links. A
// config for a domain found running becomes its config; a broken file is
// logged and skipped. Running domains without a config stay transient;
// stopped ones without one are dropped.
func (d *Driver) loadConfigs() {
	d.store.LoadAll(func(name string, data []byte) error {
		def, err := domainxml.Parse(data, domainxml.Options{Emulator: d.emulator, Logger: d.log, Label: d.store.ConfigFile(name), SkipValidate: true})
		if err != nil {
			return err
		}
		if def.Name != name {
			return fmt.Errorf("Domain config filename '%s' does not match domain name '%s'", name, def.Name)
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		dom := d.byName[name]
		if dom == nil {
			if other := d.byUUID[def.UUID]; other != nil {
				return fmt.Errorf("domain '%s' has the uuid %s of domain '%s'", name, def.UUID, other.name)
			}
			dom = newDomain(def.Name, def.UUID)
			d.register(dom)
		} else if dom.uuid != def.UUID {
			return fmt.Errorf("config of '%s' has uuid %s but the running domain has %s", name, def.UUID, dom.uuid)
		}
		dom.mu.Lock()
		dom.persistentDef = def
		dom.autostart = d.store.Autostart(name)
		dom.mu.Unlock()
		return nil
	})
	for _, dom := range d.all() {
		d.removeIfGone(dom)
	}
}

// autostartAll starts the domains marked autostart, once per boot: only
// when the marker STATE/autostarted does not exist yet (it lives on the
// run tmpfs). Failures are logged and do not stop the others.
func (d *Driver) autostartAll() {
	marker := d.layout.AutostartedMarker()
	f, err := os.OpenFile(marker, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if !errors.Is(err, fs.ErrExist) {
			d.log.Error("cannot create autostart marker", "file", marker, "err", err)
		}
		return
	}
	f.Close()
	doms := d.all()
	sort.Slice(doms, func(i, j int) bool { return doms[i].name < doms[j].name })
	for _, dom := range doms {
		dom.mu.Lock()
		want := dom.autostart && !dom.active()
		ref := dom.ref()
		dom.mu.Unlock()
		if !want {
			continue
		}
		if _, err := d.Start(ref, 0, nil, 0); err != nil {
			d.log.Error(fmt.Sprintf("Failed to autostart VM '%s': %s", ref.Name, err), "domain", ref.Name)
		}
	}
}
