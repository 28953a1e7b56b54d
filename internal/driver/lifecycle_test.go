package driver

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/monitor"
	"virtlxc/internal/virerr"
)

func TestStartShutdown(t *testing.T) {
	e := newEnv(t)
	ref := e.start(e.define("web", uuid1))
	if ref.ID <= 0 {
		t.Fatalf("id %d", ref.ID)
	}
	e.wantState(ref, StateRunning, RunningBooted)
	if got, _ := e.d.LookupByID(ref.ID); got != ref {
		t.Fatalf("LookupByID = %+v", got)
	}
	// The controller's command line.
	spec := e.fl.launches[0]
	want := "--name web --config " + e.layout.StateDir + "/web.config --validated --root " + e.root + " --cgroup-scope test --ready-fd 3"
	if got := strings.Join(spec.Args, " "); got != want || spec.Binary != "/fake/virtlxc-controller" {
		t.Fatalf("launched %s %s\nwant %s", spec.Binary, got, want)
	}
	// The log preamble.
	logData, _ := os.ReadFile(e.layout.LogFile("web"))
	if !strings.Contains(string(logData), ": starting up\nPATH=") {
		t.Fatalf("log:\n%s", logData)
	}
	// The status file.
	data, err := os.ReadFile(e.layout.StatusFile("web"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := parseStatus(data)
	if err != nil {
		t.Fatal(err)
	}
	c := e.fl.ctrl("web")
	if st.state != StateRunning || st.reason != RunningBooted || st.pid != ref.ID || st.initPID != c.initPID {
		t.Fatalf("status %+v", st)
	}
	if !strings.Contains(string(data), "<domstatus state='running' reason='booted' pid='"+strconv.Itoa(ref.ID)+"'>\n  <init pid='") {
		t.Fatalf("status file:\n%s", data)
	}
	// The live XML.
	x, _ := e.d.GetXML(ref, 0)
	for _, s := range []string{
		"<domain type='lxc' id='" + strconv.Itoa(ref.ID) + "'>",
		"<resource>\n    <partition>/machine</partition>\n  </resource>",
		"<filesystem type='mount'>\n      <source dir='/'/>\n      <target dir='/'/>\n    </filesystem>",
		"<console type='pty' tty='/dev/pts/0'>\n      <source path='/dev/pts/0'/>\n      <target type='lxc' port='0'/>\n      <alias name='console0'/>",
	} {
		if !strings.Contains(x, s) {
			t.Fatalf("live XML lacks %q:\n%s", s, x)
		}
	}
	// libvirt's quirk: the config shows the partition after a start.
	inactive, _ := e.d.GetXML(ref, XMLInactive)
	if !strings.Contains(inactive, "<partition>/machine</partition>") || strings.Contains(inactive, "id=") ||
		strings.Contains(inactive, "<filesystem") {
		t.Fatalf("inactive XML:\n%s", inactive)
	}

	_, err = e.d.Start(ref, 0, nil, 0)
	wantErr(t, err, virerr.ErrOperationInvalid, "Requested operation is not valid: Domain is already running")

	if err := e.d.Shutdown(ref, ShutdownSignal); err != nil {
		t.Fatal(err)
	}
	e.expect(EventStopped, DetailStoppedShutdown, "web")
	e.wantState(ref, StateShutoff, ShutoffShutdown)
	for _, p := range []string{e.layout.StatusFile("web"), e.layout.PidFile("web"), e.layout.MonitorSocket("web"), e.d.controllerConfig("web")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left behind", p)
		}
	}
	if got, _ := e.d.LookupByName("web"); got.ID != -1 {
		t.Fatalf("id after stop %d", got.ID)
	}
	if last := e.fl.calls[len(e.fl.calls)-1]; last.Op != monitor.OpShutdown || last.Mode != "signal" {
		t.Fatalf("monitor call %+v", last)
	}
	err = e.d.Shutdown(ref, 0)
	wantErr(t, err, virerr.ErrOperationInvalid, "Requested operation is not valid: domain is not running")
}

func TestShutdownModes(t *testing.T) {
	e := newEnv(t)
	ref := e.start(e.define("web", uuid1))
	e.fl.ignore[monitor.OpShutdown] = true
	e.fl.ignore[monitor.OpReboot] = true
	for flags, mode := range map[uint32]string{0: "", ShutdownInitctl: "initctl", ShutdownSignal: "signal",
		ShutdownInitctl | ShutdownSignal: "initctl,signal"} {
		if err := e.d.Shutdown(ref, flags); err != nil {
			t.Fatal(err)
		}
		if last := e.fl.calls[len(e.fl.calls)-1]; last.Mode != mode {
			t.Fatalf("flags %d: mode %q, want %q", flags, last.Mode, mode)
		}
	}
	err := e.d.Shutdown(ref, ShutdownACPI)
	wantErr(t, err, virerr.ErrInvalidArg, "unsupported flags (0x1) in function lxcDomainShutdownFlags")
	err = e.d.Reboot(ref, ShutdownParavirt)
	wantErr(t, err, virerr.ErrInvalidArg, "unsupported flags (0x10) in function lxcDomainReboot")
	err = e.d.Destroy(ref, 1)
	wantErr(t, err, virerr.ErrInvalidArg, "unsupported flags (0x1) in function lxcDomainDestroyFlags")
	_, err = e.d.Start(ref, StartPaused, nil, 0)
	wantErr(t, err, virerr.ErrInvalidArg, "unsupported flags (0x1) in function lxcDomainCreateWithFiles")
	_, err = e.d.GetXML(ref, XMLUpdateCPU)
	wantErr(t, err, virerr.ErrInvalidArg, "unsupported flags (0x4) in function lxcDomainGetXMLDesc")
	e.noEvent()
}

func TestDestroy(t *testing.T) {
	e := newEnv(t)
	ref := e.define("web", uuid1)
	err := e.d.Destroy(ref, 0)
	wantErr(t, err, virerr.ErrOperationInvalid, "Requested operation is not valid: domain is not running")
	ref = e.start(ref)
	if err := e.d.Destroy(ref, 0); err != nil {
		t.Fatal(err)
	}
	// Destroy returns with the domain off and the event sent.
	e.wantState(ref, StateShutoff, ShutoffDestroyed)
	e.expect(EventStopped, DetailStoppedDestroyed, "web")
	e.noEvent()
}

func TestDestroyUnresponsiveController(t *testing.T) {
	e := newEnv(t)
	ref := e.start(e.define("web", uuid1))
	e.fl.ignore[monitor.OpDestroy] = true
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- e.d.Destroy(ref, 0) }()
	// The fake ignores the request; the driver kills it after destroyWait,
	// too long for a test, so kill it as the timeout would.
	time.Sleep(20 * time.Millisecond)
	e.fl.ctrl("web").exit("", false)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	e.wantState(ref, StateShutoff, ShutoffDestroyed)
	e.expect(EventStopped, DetailStoppedDestroyed, "web")
	if time.Since(start) > 5*time.Second {
		t.Fatal("destroy too slow")
	}
}

func TestTransientDisappears(t *testing.T) {
	e := newEnv(t)
	ref, err := e.d.CreateXML([]byte(domXML("t1", uuid2)), 0, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.expect(EventStarted, DetailStartedBooted, "t1")
	if p, _ := e.d.IsPersistent(ref); p {
		t.Fatal("transient domain is persistent")
	}
	inactive, _ := e.d.GetXML(ref, XMLInactive)
	if strings.Contains(inactive, "id=") || strings.Contains(inactive, "tty=") || !strings.Contains(inactive, "<alias name='console0'/>") {
		t.Fatalf("inactive XML of a running transient domain:\n%s", inactive)
	}
	if err := e.d.Shutdown(ref, ShutdownSignal); err != nil {
		t.Fatal(err)
	}
	e.expect(EventStopped, DetailStoppedShutdown, "t1")
	waitGone(t, e.d, "t1")
	refs, _ := e.d.ListAll(0)
	if len(refs) != 0 {
		t.Fatalf("domains left: %s", names(refs))
	}
}

// waitGone waits until name is no longer registered.
func waitGone(t *testing.T, d *Driver, name string) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if _, err := d.LookupByName(name); err != nil {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("%s still registered", name)
}

func TestControllerCrash(t *testing.T) {
	e := newEnv(t)
	ref := e.start(e.define("web", uuid1))
	e.fl.ctrl("web").exit("", false)
	// No exit event: the STOPPED detail is FAILED, the reason shutdown
	// (libvirt's quirk).
	e.expect(EventStopped, DetailStoppedFailed, "web")
	e.wantState(ref, StateShutoff, ShutoffShutdown)
	if len(e.cg.removed) == 0 {
		t.Fatal("leftover cgroup not removed")
	}
}

func TestReboot(t *testing.T) {
	e := newEnv(t)
	ref := e.start(e.define("web", uuid1))
	if err := e.d.Reboot(ref, ShutdownSignal); err != nil {
		t.Fatal(err)
	}
	ev := e.expectReboot("web")
	if ev.Domain.ID == ref.ID || ev.Domain.ID <= 0 {
		t.Fatalf("id after reboot %d (before %d)", ev.Domain.ID, ref.ID)
	}
	e.noEvent()
	e.wantState(ref, StateRunning, RunningBooted)
	if got, _ := e.d.LookupByName("web"); got.ID != ev.Domain.ID {
		t.Fatalf("id %d, event said %d", got.ID, ev.Domain.ID)
	}
}

func TestSuspendResume(t *testing.T) {
	e := newEnv(t)
	ref := e.define("web", uuid1)
	wantErr(t, e.d.Suspend(ref), virerr.ErrOperationInvalid, "Requested operation is not valid: domain is not running")
	ref = e.start(ref)
	wantErr(t, e.d.Resume(ref), virerr.ErrOperationInvalid, "Requested operation is not valid: domain is already running")
	if err := e.d.Suspend(ref); err != nil {
		t.Fatal(err)
	}
	e.expect(EventSuspended, DetailSuspendedPaused, "web")
	e.wantState(ref, StatePaused, PausedUser)
	if err := e.d.Suspend(ref); err != nil { // again: no-op
		t.Fatal(err)
	}
	e.noEvent()
	data, _ := os.ReadFile(e.layout.StatusFile("web"))
	if !strings.Contains(string(data), "state='paused' reason='user'") {
		t.Fatalf("status file:\n%s", data)
	}
	if err := e.d.Resume(ref); err != nil {
		t.Fatal(err)
	}
	e.expect(EventResumed, DetailResumedUnpaused, "web")
	e.wantState(ref, StateRunning, RunningUnpaused)
}

func TestStartFailure(t *testing.T) {
	e := newEnv(t)
	ref := e.define("bad", uuid1)
	e.fl.failures["bad"] = "time=2026-11-28T20:40:50Z level=INFO msg=starting\n" +
		"Failure in libvirt_lxc startup: cannot find init path '/no/such/init' relative to container root\n" +
		"Failure in libvirt_lxc startup: cannot find init path '/no/such/init' relative to container root\n"
	_, err := e.d.Start(ref, 0, nil, 0)
	wantErr(t, err, virerr.ErrInternalError, "internal error: Timed out while reading log output: "+
		"Failure in libvirt_lxc startup: cannot find init path '/no/such/init' relative to container root\n")
	e.wantState(ref, StateShutoff, ShutoffFailed)
	e.noEvent()
	for _, p := range []string{e.layout.StatusFile("bad"), e.d.controllerConfig("bad")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left behind", p)
		}
	}
	// A transient domain that fails to start is not kept.
	e.fl.failures["t1"] = "boom\n"
	_, err = e.d.CreateXML([]byte(domXML("t1", uuid2)), 0, nil, 0)
	wantErr(t, err, virerr.ErrInternalError, "internal error: Timed out while reading log output: boom\n")
	if _, err := e.d.LookupByName("t1"); err == nil {
		t.Fatal("failed transient domain kept")
	}
}

func TestStartBadEmulator(t *testing.T) {
	e := newEnv(t)
	x := strings.Replace(domXML("emu", uuid1), "<devices>", "<devices><emulator>/no/such/emulator</emulator>", 1)
	_, err := e.d.CreateXML([]byte(x), 0, nil, 0)
	wantErr(t, err, virerr.ErrInternalError, "internal error: Timed out while reading log output: "+
		"libvirt:  error : cannot execute binary /no/such/emulator: No such file or directory\n")
	// libvirt's own controller paths mean ours.
	for _, emu := range libvirtEmulators {
		x := strings.Replace(domXML("emu", uuid1), "<devices>", "<devices><emulator>"+emu+"</emulator>", 1)
		ref, err := e.d.CreateXML([]byte(x), 0, nil, 0)
		if err != nil {
			t.Fatalf("%s: %v", emu, err)
		}
		e.expect(EventStarted, DetailStartedBooted, "emu")
		if err := e.d.Destroy(ref, 0); err != nil {
			t.Fatal(err)
		}
		e.expect(EventStopped, DetailStoppedDestroyed, "emu")
		waitGone(t, e.d, "emu")
	}
}

func TestStartNeedsConsole(t *testing.T) {
	e := newEnv(t)
	x := strings.Replace(domXML("nc", uuid1), "<console type='pty'/>", "", 1)
	_, err := e.d.CreateXML([]byte(x), 0, nil, 0)
	wantErr(t, err, virerr.ErrConfigUnsupported, "unsupported configuration: At least one PTY console is required")
}

// A label model this host has no driver for is refused at start, as
// libvirt's security manager does; model none (or none given) runs.
func TestStartRefusesUnavailableSecurityModel(t *testing.T) {
	e := newEnv(t)
	for _, model := range []string{"selinux", "apparmor", "dac"} {
		x := strings.Replace(domXML("sl", uuid1), "</os>", "</os><seclabel type='dynamic' model='"+model+"'/>", 1)
		_, err := e.d.CreateXML([]byte(x), 0, nil, 0)
		wantErr(t, err, virerr.ErrConfigUnsupported, "unsupported configuration: Unable to find security driver for model "+model)
	}
	for _, l := range []string{"<seclabel type='none'/>", "<seclabel type='dynamic' model='none'/>"} {
		x := strings.Replace(domXML("sl", uuid1), "</os>", "</os>"+l, 1)
		ref, err := e.d.CreateXML([]byte(x), 0, nil, 0)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		e.expect(EventStarted, DetailStartedBooted, "sl")
		if err := e.d.Destroy(ref, 0); err != nil {
			t.Fatal(err)
		}
		e.expect(EventStopped, DetailStoppedDestroyed, "sl")
	}
}

func TestPassFDsAndAutodestroy(t *testing.T) {
	e := newEnv(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	ref, err := e.d.Start(e.define("web", uuid1), StartAutodestroy, []*os.File{r, w}, 7)
	if err != nil {
		t.Fatal(err)
	}
	e.expect(EventStarted, DetailStartedBooted, "web")
	spec := e.fl.launches[0]
	if got := strings.Join(spec.Args, " "); !strings.HasSuffix(got, "--passfd 3 --passfd 4 --ready-fd 5") || len(spec.ExtraFiles) != 3 ||
		spec.ExtraFiles[0] != r || spec.ExtraFiles[1] != w {
		t.Fatalf("args %s, %d files", got, len(spec.ExtraFiles))
	}
	e.d.ConnectionClosed(8)
	e.wantState(ref, StateRunning, RunningBooted)
	e.d.ConnectionClosed(7)
	e.wantState(ref, StateShutoff, ShutoffDestroyed)
	e.expect(EventStopped, DetailStoppedDestroyed, "web")
}

func TestJobTimeout(t *testing.T) {
	e := newEnv(t)
	ref := e.start(e.define("web", uuid1))
	dom, _ := e.d.find(ref)
	if err := dom.beginJob(time.Second); err != nil {
		t.Fatal(err)
	}
	err := e.d.Destroy(ref, 0)
	wantErr(t, err, virerr.ErrOperationTimeout, "Timed out during operation: cannot acquire state change lock")
	dom.endJob()
	if err := e.d.Destroy(ref, 0); err != nil {
		t.Fatal(err)
	}
}

func TestInitExitsAtOnce(t *testing.T) {
	e := newEnv(t)
	e.fl.quick["true"] = true
	// Reference 72-create-true: created, then stopped, then gone.
	ref, err := e.d.CreateXML([]byte(domXML("true", uuid2)), 0, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ref.ID <= 0 {
		t.Fatalf("id %d", ref.ID)
	}
	e.expect(EventStarted, DetailStartedBooted, "true")
	e.expect(EventStopped, DetailStoppedShutdown, "true")
	if _, err := e.d.LookupByName("true"); err == nil {
		t.Fatal("transient domain kept")
	}
	// A persistent one stays, shut off.
	pref := e.define("true", uuid2)
	if _, err := e.d.Start(pref, 0, nil, 0); err != nil {
		t.Fatal(err)
	}
	e.expect(EventStarted, DetailStartedBooted, "true")
	e.expect(EventStopped, DetailStoppedShutdown, "true")
	e.wantState(pref, StateShutoff, ShutoffShutdown)
}

func TestExitEventLost(t *testing.T) {
	e := newEnv(t)
	ref := e.start(e.define("web", uuid1))
	// The controller exits 0 (init ran and exited) but its exit event never
	// arrived: still a shutdown.
	e.fl.ctrl("web").exitWith("", false, 0)
	e.expect(EventStopped, DetailStoppedShutdown, "web")
	e.wantState(ref, StateShutoff, ShutoffShutdown)
}
