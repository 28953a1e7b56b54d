package driver

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"virtlxc/internal/atomicfile"
	"virtlxc/internal/cgroups"

	"golang.org/x/sys/unix"

	"virtlxc/internal/controller"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/monitor"
	"virtlxc/internal/virerr"
)

// startTimeout bounds how long a start waits for the container's init.
const startTimeout = 60 * time.Second

// startFailedPrefix begins every error of a container that did not start.
// libvirt's source says "guest failed to start: <log text>", but what real
// libvirt 9.0 prints here (anchors/reference/41-*) is this, and virtlxc
// matches what clients see.
const startFailedPrefix = "Timed out while reading log output: "

// startOpts are the per-call parts of a start.
type startOpts struct {
	files       []*os.File // become init's fds 3, 4, ...
	autodestroy bool
	conn        ConnID
	reboot      bool // a restart after a reboot: event REBOOT, not STARTED
}

// startDomain runs def as dom: it writes the controller's config, opens
// the log with libvirt's preamble, launches the controller detached,
// records the domain as running/booted with the controller's pid as id,
// writes the status file, waits for the container's init and emits
// STARTED/BOOTED (or REBOOT). On failure nothing is left behind (files,
// cgroup, process), the domain is shut off with reason failed and no
// event is sent. An init that ran and exited before the start was
// confirmed (/bin/true) counts as a start followed by a shutdown, as in
// libvirt. The caller holds the job.
//
// It audits the start as libvirt does: VIRT_MACHINE_ID once the start
// got that far, op=init when init is up, and the resource records and
// op=start (success or failure) at the end.
func (d *Driver) startDomain(dom *domain, def *domainxml.Domain, so startOpts) (Ref, error) {
	defer d.refillSpare()
	ref, err := d.startProcess(dom, def, so)
	if err != nil {
		d.auditStart(dom, def, so.reboot, 0, false)
	}
	return ref, err
}

// startProcess is startDomain without the failure's audit records.
func (d *Driver) startProcess(dom *domain, def *domainxml.Domain, so startOpts) (Ref, error) {
	if err := checkConsoles(def); err != nil {
		return Ref{}, err
	}
	if err := checkSecLabels(def); err != nil {
		return Ref{}, err
	}
	live, err := buildLiveDef(def)
	if err != nil {
		return Ref{}, err
	}
	if err := d.resolveNetworks(live); err != nil {
		return Ref{}, err
	}
	if err := d.checkSharedNamespaces(live); err != nil {
		d.releasePorts(live)
		return Ref{}, err
	}
	// Once live is the domain's, its cleanup gives the ports back.
	published := false
	defer func() {
		if !published {
			d.releasePorts(live)
		}
	}()
	d.auditMachineID(dom)
	name := dom.name
	d.removeRunFiles(name)
	cfg, err := domainxml.Format(live)
	if err != nil {
		return Ref{}, err
	}
	if err := atomicfile.Write(d.controllerConfig(name), cfg, 0o600); err != nil {
		return Ref{}, internalError(err, "cannot write the controller config of domain '%s'", name)
	}
	logPath := d.layout.LogFile(name)
	logf, pos, spec, err := d.prepareLaunch(dom, def, so)
	if err != nil {
		d.removeRunFiles(name)
		return Ref{}, err
	}
	readyR, err := d.withReadyPipe(&spec)
	if err != nil {
		logf.Close()
		d.removeRunFiles(name)
		return Ref{}, internalError(err, "cannot start domain '%s'", name)
	}
	proc, err := d.launch(spec, logf)
	logf.Close()
	closeReadyWriter(spec, readyR)
	ready := readySignal(readyR)
	if err != nil {
		d.removeRunFiles(name)
		return Ref{}, d.startFailure(logPath, pos, err)
	}
	r := &run{proc: proc, socket: d.layout.MonitorSocket(name), done: make(chan struct{})}
	dom.mu.Lock()
	if dom.persistent() {
		ensurePartition(dom.persistentDef) // libvirt's quirk: the config gains it too
	}
	live.ID = new(proc.Pid())
	dom.liveDef = live
	published = true
	dom.id = proc.Pid()
	dom.initPID = 0
	dom.setState(StateRunning, RunningBooted)
	dom.run = r
	body, err := d.saveStatusBody(dom, nil)
	dom.mu.Unlock()
	var w Watcher
	var ev monitor.Event
	if err == nil {
		w, ev, err = d.waitReady(r, ready)
	}
	initPID := ev.InitPID
	if errors.Is(err, errControllerExited) && r.proc.ExitCode() == 0 {
		d.auditStart(dom, live, so.reboot, proc.Pid(), true)
		return d.startedAndStopped(dom, r, so)
	}
	if err != nil {
		d.abortStart(dom, r, partitionOf(live))
		return Ref{}, d.startFailure(logPath, pos, err)
	}
	d.auditInit(dom, proc.Pid(), initPID)
	dom.mu.Lock()
	r.watcher = w
	dom.initPID = initPID
	if recordIfaceNames(live, ev.HostIfaces) {
		body = nil // the definition changed: rendered again
	}
	dom.autodestroy, dom.autodestroyID = so.autodestroy, so.conn
	if _, err := d.saveStatusBody(dom, body); err != nil {
		d.log.Warn("cannot save domain status", "domain", dom.name, "err", err)
	}
	ref := dom.ref()
	dom.mu.Unlock()
	d.auditStart(dom, live, so.reboot, proc.Pid(), true)
	d.emitStart(ref, so.reboot)
	d.wg.Add(1)
	go d.watch(dom, r)
	return ref, nil
}

// emitStart sends STARTED/BOOTED, or REBOOT for a restart.
func (d *Driver) emitStart(ref Ref, reboot bool) {
	if reboot {
		d.events.Emit(Event{Kind: EventReboot, Domain: ref})
		return
	}
	d.emit(ref, EventStarted, DetailStartedBooted)
}

// startedAndStopped handles a controller that exited successfully before
// the start was confirmed: its init ran and is already gone. The domain
// started (event) and stopped (reason shutdown, event); a transient one
// disappears. The returned identity is the one it had while running.
func (d *Driver) startedAndStopped(dom *domain, r *run, so startOpts) (Ref, error) {
	dom.mu.Lock()
	ref := dom.ref()
	r.gotExit, r.exitStatus = true, monitor.ExitShutdown
	dom.mu.Unlock()
	d.emitStart(ref, so.reboot)
	d.handleStop(dom, r)
	return ref, nil
}

// refillSpare has the launcher boot its next spare controller in the
// background, now that a start is over.
func (d *Driver) refillSpare() {
	if r, ok := d.launcher.(interface{ RefillSpare() }); ok {
		go r.RefillSpare()
	}
}

// controllerEnv is a controller's whole environment: the daemon's PATH.
func controllerEnv() []string {
	path := os.Getenv("PATH")
	if path == "" {
		path = "/usr/sbin:/usr/bin:/sbin:/bin"
	}
	env := []string{"PATH=" + path}
	// The keeper's quiet period, when the daemon was given one (tests,
	// benchmarks).
	if v := os.Getenv(controller.KeepAfterEnv); v != "" {
		env = append(env, controller.KeepAfterEnv+"="+v)
	}
	return env
}

// prepareLaunch opens the log, writes libvirt's preamble and builds the
// controller's command line. It returns the log, the offset after the
// preamble and the launch spec.
func (d *Driver) prepareLaunch(dom *domain, def *domainxml.Domain, so startOpts) (*os.File, int64, LaunchSpec, error) {
	binary := d.emulatorOf(def)
	args := []string{"--name", dom.name, "--config", d.controllerConfig(dom.name), "--validated"}
	if d.layout.Root != "" {
		args = append(args, "--root", d.layout.Root)
	}
	if d.scope != "" {
		args = append(args, "--cgroup-scope", d.scope)
	}
	for i := range so.files {
		args = append(args, "--passfd", strconv.Itoa(3+i))
	}
	spec := LaunchSpec{Name: dom.name, Binary: binary, Args: args, Env: controllerEnv(), ExtraFiles: so.files}
	logPath := d.layout.LogFile(dom.name)
	if err := os.MkdirAll(d.layout.LogDir, 0o700); err != nil {
		return nil, 0, spec, internalError(err, "cannot create log directory %s", d.layout.LogDir)
	}
	f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, 0, spec, virerr.Wrap(err, virerr.ErrSystemError, virerr.FromLXC, "Failed to open '%s': %s", logPath, virerr.Strerror(err))
	}
	preamble := time.Now().UTC().Format("2006-01-02 15:04:05.000+0000") + ": starting up\n" +
		strings.Join(spec.Env, " ") + " " + binary + " " + strings.Join(args, " ") + "\n"
	if _, err := f.WriteString(preamble); err != nil {
		f.Close()
		return nil, 0, spec, internalError(err, "cannot write log %s", logPath)
	}
	pos, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return nil, 0, spec, internalError(err, "cannot write log %s", logPath)
	}
	spec.Log = f
	return f, pos, spec, nil
}

// launch starts the controller. A program that cannot be executed is
// reported in the log the way libvirt's launcher does.
func (d *Driver) launch(spec LaunchSpec, logf *os.File) (Process, error) {
	if spec.Binary != d.controller {
		if err := unix.Access(spec.Binary, unix.X_OK); err != nil {
			fmt.Fprintf(logf, "libvirt:  error : cannot execute binary %s: %s\n", spec.Binary, virerr.Strerror(err))
			return nil, err
		}
	}
	d.Worked()
	proc, err := d.launcher.Launch(spec)
	if err != nil {
		fmt.Fprintf(logf, "libvirt:  error : cannot execute binary %s: %s\n", spec.Binary, virerr.Strerror(err))
		return nil, err
	}
	return proc, nil
}

// errControllerExited is a start that ended with the controller's exit.
var errControllerExited = errors.New("the controller exited before the container started")

// waitReady waits until the controller reports its init (on the ready
// socket, which then carries the watch, or its monitor answering a watch
// with the init event), the controller exits, or startTimeout passes.
//
// ready, when not nil, delivers what the ready socket told, or nil when
// it closed without an init event; only then, or without a socket, is the
// monitor polled.
func (d *Driver) waitReady(r *run, ready <-chan *readyMsg) (Watcher, monitor.Event, error) {
	deadline := time.NewTimer(d.startTimeout)
	defer deadline.Stop()
	delay := 500 * time.Microsecond
	for {
		// With a ready socket the controller tells; without one (another
		// emulator, or the socket closed silently) the monitor is polled.
		if ready == nil {
			if w, err := d.launcher.Watch(r.socket); err == nil {
				ev, err := w.Next()
				if err == nil && ev.Kind == monitor.EventInit {
					return w, ev, nil
				}
				w.Close()
			}
		}
		select {
		case <-r.proc.Done():
			return nil, monitor.Event{}, errControllerExited
		case <-deadline.C:
			return nil, monitor.Event{}, fmt.Errorf("timed out after %s waiting for the container to start", d.startTimeout)
		case msg := <-ready:
			if msg != nil {
				return msg.w, msg.ev, nil
			}
			ready = nil // EOF: the controller is gone or will not say
			continue
		case <-poll(ready, delay):
		}
		delay = min(delay*2, 2*time.Millisecond)
	}
}

// poll is the monitor's polling tick: never while a ready socket may still
// tell.
func poll(ready <-chan *readyMsg, delay time.Duration) <-chan time.Time {
	if ready != nil {
		return nil
	}
	return time.After(delay)
}

// abortStart undoes a start whose controller is running or exiting: it
// stops the controller, removes its files and cgroup and shuts the domain
// off with reason failed.
func (d *Driver) abortStart(dom *domain, r *run, partition string) {
	select {
	case <-r.proc.Done():
	default:
		_ = r.proc.Signal(syscall.SIGTERM)
		select {
		case <-r.proc.Done():
		case <-time.After(5 * time.Second):
			_ = r.proc.Signal(syscall.SIGKILL)
			select {
			case <-r.proc.Done():
			case <-time.After(5 * time.Second):
				d.log.Warn("controller did not exit", "domain", dom.name, "pid", r.proc.Pid())
			}
		}
	}
	if err := d.cg.Remove(cgroups.MachineName(r.proc.Pid(), dom.name), partition); err != nil {
		d.log.Warn("cannot remove the cgroup of a failed start", "domain", dom.name, "err", err)
	}
	dom.mu.Lock()
	d.cleanupLocked(dom, ShutoffFailed)
	r.handled = true
	close(r.done)
	dom.mu.Unlock()
}

// startFailure builds libvirt's start error from the log written since
// pos, or from cause when the log says nothing.
func (d *Driver) startFailure(logPath string, pos int64, cause error) error {
	text := readLogSince(logPath, pos)
	if text == "" {
		text = cause.Error()
	}
	return virerr.Wrap(cause, virerr.ErrInternalError, virerr.FromLXC, "%s%s", startFailedPrefix, text)
}

// readLogSince returns the log lines after pos that explain a failure,
// skipping what libvirt skips (empty lines, the command line with PATH=)
// and the controller's own structured log lines; repeated lines are kept
// once. Each line keeps its newline.
func readLogSince(path string, pos int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(pos, io.SeekStart); err != nil {
		return ""
	}
	data, err := io.ReadAll(io.LimitReader(f, 128*1024))
	if err != nil {
		return ""
	}
	var b strings.Builder
	seen := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" || strings.Contains(line, "PATH=") ||
			strings.Contains(line, "error receiving signal from container") ||
			(strings.HasPrefix(line, "time=") && strings.Contains(line, " level=")) || seen[line] {
			continue
		}
		seen[line] = true
		b.WriteString(line + "\n")
	}
	return b.String()
}
