package driver

import (
	"os"
	"time"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/monitor"
	"virtlxc/internal/virerr"
)

// destroyWait bounds how long Destroy waits for the controller to stop
// before killing it.
const destroyWait = 15 * time.Second

// Start starts a defined domain (virDomainCreateWithFiles). The only flag
// is StartAutodestroy: the domain is destroyed when connection conn
// closes (see ConnectionClosed). files become init's descriptors 3, 4, ...
// in order; the caller keeps ownership of them. Event STARTED/BOOTED.
func (d *Driver) Start(ref Ref, flags uint32, files []*os.File, conn ConnID) (Ref, error) {
	if err := CheckFlags(flags, StartAutodestroy, "lxcDomainCreateWithFiles"); err != nil {
		return Ref{}, err
	}
	dom, err := d.findForJob(ref)
	if err != nil {
		return Ref{}, err
	}
	defer dom.endJob()
	dom.mu.Lock()
	if dom.active() {
		dom.mu.Unlock()
		return Ref{}, virerr.New(virerr.ErrOperationInvalid, virerr.FromLXC, "Domain is already running")
	}
	def := domainxml.Clone(dom.current())
	dom.mu.Unlock()
	so := startOpts{files: files, autodestroy: flags&StartAutodestroy != 0, conn: conn}
	return d.startDomain(dom, def, so)
}

// CreateXML starts a domain from a definition (virDomainCreateXMLWithFiles;
// flags StartAutodestroy and StartValidate). A new domain is transient and
// disappears when it stops. If an inactive persistent domain with the same
// name and UUID exists, the definition runs in its place and its config
// is kept. files are as for Start.
func (d *Driver) CreateXML(data []byte, flags uint32, files []*os.File, conn ConnID) (Ref, error) {
	if err := CheckFlags(flags, StartAutodestroy|StartValidate, "lxcDomainCreateXMLWithFiles"); err != nil {
		return Ref{}, err
	}
	def, err := d.parseDef(data, flags&StartValidate != 0)
	if err != nil {
		return Ref{}, err
	}
	dom, err := d.addLive(def)
	if err != nil {
		return Ref{}, err
	}
	defer dom.endJob()
	so := startOpts{files: files, autodestroy: flags&StartAutodestroy != 0, conn: conn}
	ref, err := d.startDomain(dom, domainxml.Clone(def), so)
	if err != nil {
		dom.mu.Lock()
		if dom.persistent() {
			dom.liveDef = nil
		}
		dom.mu.Unlock()
		d.removeIfGone(dom)
		return Ref{}, err
	}
	return ref, nil
}

// addLive registers def as the definition about to run and returns its
// domain with the job held.
func (d *Driver) addLive(def *domainxml.Domain) (*domain, error) {
	d.mu.Lock()
	dom, err := d.lookupForAdd(def, true)
	if err != nil {
		d.mu.Unlock()
		return nil, err
	}
	if dom == nil {
		dom = newDomain(def.Name, def.UUID)
		dom.liveDef = def
		dom.job <- struct{}{} // a new domain's job is free
		d.register(dom)
		d.mu.Unlock()
		return dom, nil
	}
	d.mu.Unlock()
	if err := dom.beginJob(d.jobWait); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	again, err := d.lookupForAdd(def, true)
	if err == nil && again != dom {
		err = errNoDomainUUID(def.UUID)
	}
	if err != nil {
		dom.endJob()
		return nil, err
	}
	dom.mu.Lock()
	dom.liveDef = def
	dom.mu.Unlock()
	return dom, nil
}

// activeRun returns dom's current controller, or "domain is not running".
// Callers hold dom.mu.
func activeRun(dom *domain) (*run, error) {
	if !dom.active() || dom.run == nil {
		return nil, errNotRunning()
	}
	return dom.run, nil
}

// call sends req to the controller of run r and turns a failure into a
// libvirt error.
func (d *Driver) call(r *run, req monitor.Request) error {
	d.Worked()
	r.kept.Store(false) // the controller may take the container back
	rep, err := d.launcher.Call(r.socket, req)
	if err != nil {
		return internalError(err, "cannot talk to the controller")
	}
	if rep.Error != "" {
		code := virerr.Code(rep.Code)
		if code == 0 {
			code = virerr.ErrInternalError
		}
		return virerr.Raw(code, virerr.FromLXC, rep.Error)
	}
	return nil
}

// shutdownMode is the monitor's mode string for shutdown/reboot flags.
func shutdownMode(flags uint32) string {
	switch flags & (ShutdownInitctl | ShutdownSignal) {
	case ShutdownInitctl:
		return "initctl"
	case ShutdownSignal:
		return "signal"
	case ShutdownInitctl | ShutdownSignal:
		return "initctl,signal"
	}
	return ""
}

// Shutdown asks the container's init to power off
// (virDomainShutdownFlags): flags 0 writes to its initctl FIFO and falls
// back to SIGTERM, ShutdownInitctl and ShutdownSignal pick one way. It
// returns once the request is delivered; the domain stops later.
func (d *Driver) Shutdown(ref Ref, flags uint32) error {
	if err := CheckFlags(flags, ShutdownInitctl|ShutdownSignal, "lxcDomainShutdownFlags"); err != nil {
		return err
	}
	return d.signalInit(ref, monitor.OpShutdown, flags)
}

// Reboot asks the container's init to reboot (virDomainReboot): as
// Shutdown with runlevel 6 and SIGHUP. When init exits that way the
// driver starts the domain again (event REBOOT).
func (d *Driver) Reboot(ref Ref, flags uint32) error {
	if err := CheckFlags(flags, ShutdownInitctl|ShutdownSignal, "lxcDomainReboot"); err != nil {
		return err
	}
	return d.signalInit(ref, monitor.OpReboot, flags)
}

// runningJob starts a job on ref's running domain and returns its run and
// init's pid (0 until known); the caller ends the job.
func (d *Driver) runningJob(ref Ref) (*domain, *run, int, error) {
	dom, err := d.findForJob(ref)
	if err != nil {
		return nil, nil, 0, err
	}
	dom.mu.Lock()
	r, err := activeRun(dom)
	initPID := dom.initPID
	dom.mu.Unlock()
	if err != nil {
		dom.endJob()
		return nil, nil, 0, err
	}
	return dom, r, initPID, nil
}

func (d *Driver) signalInit(ref Ref, op string, flags uint32) error {
	dom, r, initPID, err := d.runningJob(ref)
	if err != nil {
		return err
	}
	defer dom.endJob()
	if initPID == 0 {
		return virerr.New(virerr.ErrOperationInvalid, virerr.FromLXC, "Init process ID is not yet known")
	}
	return d.call(r, monitor.Request{Op: op, Mode: shutdownMode(flags)})
}

// Destroy stops a domain at once, killing every process of the container
// (virDomainDestroyFlags; no flag is supported). It returns once the
// domain is shut off (reason destroyed, event STOPPED/DESTROYED); a
// transient domain is gone by then.
func (d *Driver) Destroy(ref Ref, flags uint32) error {
	if err := CheckFlags(flags, 0, "lxcDomainDestroyFlags"); err != nil {
		return err
	}
	dom, err := d.findForJob(ref)
	if err != nil {
		return err
	}
	defer dom.endJob()
	return d.destroy(dom)
}

// destroy stops dom; the caller holds the job.
func (d *Driver) destroy(dom *domain) error {
	dom.mu.Lock()
	r, err := activeRun(dom)
	if err == nil {
		r.destroying = true
	}
	dom.mu.Unlock()
	if err != nil {
		return err
	}
	killed := d.killInit(dom, r)
	if killed {
		select {
		case <-r.done:
			return nil
		case <-time.After(directKillGrace):
			d.log.Info("init outlived the daemon's SIGKILL; asking the controller", "domain", dom.name, "after", directKillGrace)
		}
	}
	if err := d.call(r, monitor.Request{Op: monitor.OpDestroy}); err != nil {
		d.log.Warn("controller did not take the destroy request", "domain", dom.name, "err", err)
		d.forceStop(dom, r)
	}
	select {
	case <-r.done:
	case <-time.After(destroyWait):
		d.forceStop(dom, r)
	}
	return nil
}

// Suspend freezes every process of the container (virDomainSuspend):
// state paused/user, event SUSPENDED/PAUSED. A paused domain stays so.
func (d *Driver) Suspend(ref Ref) error {
	dom, err := d.findForJob(ref)
	if err != nil {
		return err
	}
	defer dom.endJob()
	dom.mu.Lock()
	r, err := activeRun(dom)
	paused := dom.state == StatePaused
	dom.mu.Unlock()
	if err != nil || paused {
		return err
	}
	if err := d.call(r, monitor.Request{Op: monitor.OpSuspend}); err != nil {
		d.log.Warn("suspend failed", "domain", dom.name, "err", err)
		return virerr.Wrap(err, virerr.ErrOperationFailed, virerr.FromLXC, "Suspend operation failed")
	}
	dom.mu.Lock()
	if dom.run == r {
		dom.setState(StatePaused, PausedUser)
		d.saveStatusLogged(dom)
		d.emit(dom.ref(), EventSuspended, DetailSuspendedPaused)
	}
	dom.mu.Unlock()
	return nil
}

// Resume thaws a paused domain (virDomainResume): state running/unpaused,
// event RESUMED/UNPAUSED. A running domain is "already running".
func (d *Driver) Resume(ref Ref) error {
	dom, err := d.findForJob(ref)
	if err != nil {
		return err
	}
	defer dom.endJob()
	dom.mu.Lock()
	r, err := activeRun(dom)
	running := dom.state == StateRunning
	dom.mu.Unlock()
	if err != nil {
		return err
	}
	if running {
		return virerr.New(virerr.ErrOperationInvalid, virerr.FromLXC, "domain is already running")
	}
	if err := d.call(r, monitor.Request{Op: monitor.OpResume}); err != nil {
		d.log.Warn("resume failed", "domain", dom.name, "err", err)
		return virerr.Wrap(err, virerr.ErrOperationFailed, virerr.FromLXC, "Resume operation failed")
	}
	dom.mu.Lock()
	if dom.run == r {
		dom.setState(StateRunning, RunningUnpaused)
		d.saveStatusLogged(dom)
		d.emit(dom.ref(), EventResumed, DetailResumedUnpaused)
	}
	dom.mu.Unlock()
	return nil
}

// ConnectionClosed destroys the domains started with StartAutodestroy on
// connection conn, as libvirt's close callback does (reason destroyed,
// event STOPPED/DESTROYED; transient ones disappear). It returns when
// they are stopped.
func (d *Driver) ConnectionClosed(conn ConnID) {
	for _, dom := range d.all() {
		dom.mu.Lock()
		mine := dom.autodestroy && dom.autodestroyID == conn
		dom.mu.Unlock()
		if !mine {
			continue
		}
		if err := dom.beginJob(d.jobWait); err != nil {
			d.log.Warn("cannot autodestroy domain", "domain", dom.name, "err", err)
			continue
		}
		dom.mu.Lock()
		still := dom.autodestroy && dom.autodestroyID == conn && dom.active()
		dom.mu.Unlock()
		if still {
			if err := d.destroy(dom); err != nil {
				d.log.Warn("cannot autodestroy domain", "domain", dom.name, "err", err)
			}
		}
		dom.endJob()
	}
}
