package driver

import (
	"syscall"
	"time"

	"virtlxc/internal/audit"
	"virtlxc/internal/cgroups"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/monitor"
)

// exitWait bounds how long exit handling waits for a controller that
// closed its monitor to be gone.
const exitWait = 5 * time.Second

// watch follows one controller's events until its monitor closes, then
// handles the stop (spec §3.6): it notes init's pid and exit status, and
// on EOF shuts the domain off, cleans up and restarts it if init asked
// for a reboot.
func (d *Driver) watch(dom *domain, r *run) {
	defer d.wg.Done()
	if ns := holdMountNS(dom, r); ns != nil {
		defer ns.Close() // once the stop is handled
	}
	for {
		ev, err := r.watcher.Next()
		if err != nil {
			d.log.Debug("monitor closed", "domain", dom.name, "err", err)
			break
		}
		d.log.Debug("monitor event", "domain", dom.name, "event", ev.Kind, "status", ev.Status, "init_pid", ev.InitPID)
		dom.mu.Lock()
		switch ev.Kind {
		case monitor.EventInit:
			if dom.run == r && ev.InitPID > 0 && dom.initPID != ev.InitPID {
				dom.initPID = ev.InitPID
				d.saveStatusLogged(dom)
			}
		case monitor.EventExit:
			r.gotExit, r.exitStatus, r.groupLeft = true, ev.Status, ev.Left
		}
		dom.mu.Unlock()
		if ev.Kind == monitor.EventExit {
			break // the last event: the stop is handled without waiting for the close
		}
	}
	_ = r.watcher.Close()
	if d.isClosing() {
		return
	}
	// Init's exit was reported, and the controller has torn the
	// container down (interfaces, devices, run files) and left its
	// cgroup: the cgroup goes and the domain is off now, while the
	// controller process exits (r.done closes once it has).
	dom.mu.Lock()
	early := r.gotExit && r.groupLeft && r.exitStatus != monitor.ExitReboot && dom.run == r
	partition := partitionOf(dom.liveDef)
	dom.mu.Unlock()
	var st stopped
	if early {
		d.removeGroup(dom, r, partition)
		st = d.markStopped(dom, r)
	}
	select {
	case <-r.proc.Done():
	case <-d.closing:
		return
	case <-time.After(exitWait):
		d.log.Warn("controller closed its monitor but did not exit; killing it", "domain", dom.name, "pid", r.proc.Pid())
		_ = r.proc.Signal(syscall.SIGKILL)
	}
	if early {
		if st.ok {
			close(r.done)
		}
		return
	}
	d.handleStop(dom, r)
}

// stopped is what markStopped decided.
type stopped struct {
	ok     bool // this call shut the domain off (not handled before)
	reboot bool
	detail int
}

// handleStop shuts dom off after its controller r ended: reason
// destroyed when a destroy was asked for, else shutdown; the STOPPED
// event's detail is SHUTDOWN, DESTROYED, or FAILED when the controller
// died without reporting init's exit (or reported an error). A reboot
// exit starts the domain again instead. In libvirt's order the cgroup
// goes first, with whatever the controller left in it (normally nothing:
// a killed controller leaves its own), then the state and the event. A
// transient domain that stays off is gone from the registry by the time
// r.done is closed.
func (d *Driver) handleStop(dom *domain, r *run) {
	dom.mu.Lock()
	mine := dom.run == r && !r.handled
	partition := partitionOf(dom.liveDef)
	dom.mu.Unlock()
	if !mine {
		return
	}
	d.removeGroup(dom, r, partition)
	st := d.markStopped(dom, r)
	if !st.ok {
		return
	}
	close(r.done)
	if st.reboot {
		d.restart(dom, st.detail)
	}
}

// markStopped is handleStop's first half: the domain is shut off (state,
// run files, audit, STOPPED event; unregistered if transient) unless a
// reboot restarts it.
func (d *Driver) markStopped(dom *domain, r *run) stopped {
	d.mu.Lock()
	defer d.mu.Unlock()
	dom.mu.Lock()
	defer dom.mu.Unlock()
	if dom.run != r || r.handled {
		return stopped{}
	}
	st := stopped{ok: true}
	reason, detail := ShutoffShutdown, DetailStoppedShutdown
	// A controller exits 0 only after its init ran and exited, so a
	// missing exit event (the controller may quit before its watch
	// connection has sent it) still means a shutdown.
	if (!r.gotExit && r.proc.ExitCode() != 0) || r.exitStatus == monitor.ExitError {
		detail = DetailStoppedFailed
	}
	if r.destroying {
		reason, detail = ShutoffDestroyed, DetailStoppedDestroyed
	}
	st.reboot = r.gotExit && r.exitStatus == monitor.ExitReboot && !r.destroying
	st.detail = detail
	d.cleanupLocked(dom, reason)
	switch {
	case r.destroying:
		d.auditStop(dom, audit.ReasonDestroyed)
	case st.reboot:
		d.auditStop(dom, audit.ReasonReboot)
	default:
		d.auditStop(dom, audit.ReasonShutdown)
	}
	if !st.reboot {
		d.emit(dom.ref(), EventStopped, detail)
		if !dom.persistent() {
			d.unregister(dom)
		}
	}
	r.handled = true
	return st
}

// removeGroup removes r's cgroup: whatever the controller left there
// goes (normally nothing).
func (d *Driver) removeGroup(dom *domain, r *run, partition string) {
	if err := d.cg.Remove(cgroups.MachineName(r.proc.Pid(), dom.name), partition); err != nil {
		d.log.Warn("cannot remove the cgroup of a stopped domain", "domain", dom.name, "err", err)
	}
}

// cleanupLocked is libvirt's virLXCProcessCleanup for the driver's side:
// the live files go, the domain is shut off with reason, and the live
// definition is dropped (a transient domain keeps it as its only one).
// Callers hold dom.mu.
func (d *Driver) cleanupLocked(dom *domain, reason int) {
	d.releasePorts(dom.liveDef)
	d.removeRunFiles(dom.name)
	dom.setState(StateShutoff, reason)
	dom.id = -1
	dom.initPID = 0
	dom.run = nil
	dom.autodestroy, dom.autodestroyID = false, 0
	if dom.persistent() {
		dom.liveDef = nil
	} else if dom.liveDef != nil {
		dom.liveDef.ID = nil
	}
}

// restart starts a domain again after its init asked for a reboot, as
// libvirt does: from the config when there is one, without autodestroy,
// with a REBOOT event on success and the STOPPED event on failure.
func (d *Driver) restart(dom *domain, detail int) {
	fail := func(err error) {
		d.log.Error("cannot restart domain after reboot", "domain", dom.name, "err", err)
		dom.mu.Lock()
		ref := dom.ref()
		dom.mu.Unlock()
		d.emit(ref, EventStopped, detail)
		d.removeIfGone(dom)
	}
	if err := dom.beginJob(d.jobWait); err != nil {
		fail(err)
		return
	}
	defer dom.endJob()
	dom.mu.Lock()
	if dom.removed || dom.active() || d.isClosing() {
		dom.mu.Unlock()
		return
	}
	def := domainxml.Clone(dom.current())
	dom.mu.Unlock()
	if _, err := d.startDomain(dom, def, startOpts{reboot: true}); err != nil {
		fail(err)
	}
}

// forceStop handles the stop of r itself when its controller does not
// end on request: it kills the controller and the cgroup, then runs the
// stop handling the watcher would have run.
func (d *Driver) forceStop(dom *domain, r *run) {
	d.log.Warn("controller did not stop in time; killing it", "domain", dom.name, "pid", r.proc.Pid())
	_ = r.proc.Signal(syscall.SIGKILL)
	select {
	case <-r.proc.Done():
	case <-time.After(exitWait):
	}
	if r.watcher != nil {
		_ = r.watcher.Close()
	}
	d.handleStop(dom, r)
}
