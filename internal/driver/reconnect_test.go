package driver

import (
	"os"
	"testing"
)

func TestReconnect(t *testing.T) {
	e := newEnv(t)
	ref := e.start(e.define("web", uuid1))
	trans, err := e.d.CreateXML([]byte(domXML("t1", uuid2)), 0, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.expect(EventStarted, DetailStartedBooted, "t1")
	if err := e.d.Suspend(trans); err != nil {
		t.Fatal(err)
	}
	e.expect(EventSuspended, DetailSuspendedPaused, "t1")
	e.close() // the daemon dies; the controllers keep running
	if c := e.fl.ctrl("web"); c == nil {
		t.Fatal("closing the driver stopped a domain")
	}
	e.open()
	got, err := e.d.LookupByName("web")
	if err != nil || got.ID != ref.ID {
		t.Fatalf("after reconnect %+v, %v (id was %d)", got, err, ref.ID)
	}
	e.wantState(got, StateRunning, RunningUnknown)
	if p, _ := e.d.IsPersistent(got); !p {
		t.Fatal("config not attached")
	}
	gt, err := e.d.LookupByName("t1")
	if err != nil || gt.ID != trans.ID {
		t.Fatalf("transient after reconnect %+v, %v", gt, err)
	}
	e.wantState(gt, StatePaused, PausedUser)
	if p, _ := e.d.IsPersistent(gt); p {
		t.Fatal("transient domain became persistent")
	}
	e.noEvent()
	// The reconnected domains work as before.
	if err := e.d.Destroy(got, 0); err != nil {
		t.Fatal(err)
	}
	e.expect(EventStopped, DetailStoppedDestroyed, "web")
	e.fl.ctrl("t1").exit("shutdown", true)
	e.expect(EventStopped, DetailStoppedShutdown, "t1")
	waitGone(t, e.d, "t1")
}

func TestReconnectControllerGone(t *testing.T) {
	e := newEnv(t)
	ref := e.start(e.define("web", uuid1))
	if _, err := e.d.CreateXML([]byte(domXML("t1", uuid2)), 0, nil, 0); err != nil {
		t.Fatal(err)
	}
	e.close()
	// Both controllers die while no daemon runs.
	e.fl.ctrl("web").exit("", false)
	e.fl.ctrl("t1").exit("", false)
	e.cg.removed = nil
	e.open()
	e.wantState(ref, StateShutoff, ShutoffFailed)
	if _, err := e.d.LookupByName("t1"); err == nil {
		t.Fatal("gone transient domain still listed")
	}
	for _, name := range []string{"web", "t1"} {
		if _, err := os.Stat(e.layout.StatusFile(name)); !os.IsNotExist(err) {
			t.Errorf("status file of %s left", name)
		}
	}
	if len(e.cg.removed) != 2 {
		t.Fatalf("cgroups removed: %v", e.cg.removed)
	}
	e.noEvent()
}

func TestStatusRoundTrip(t *testing.T) {
	e := newEnv(t)
	ref := e.start(e.define("web", uuid1))
	data, _ := os.ReadFile(e.layout.StatusFile("web"))
	st, err := parseStatus(data)
	if err != nil {
		t.Fatal(err)
	}
	if st.pid != ref.ID || st.state != StateRunning || st.reason != RunningBooted {
		t.Fatalf("%+v", st)
	}
	if _, err := parseStatus([]byte("<domain/>")); err == nil {
		t.Fatal("a bare domain parsed as status")
	}
	if _, err := parseStatus([]byte("<domstatus state='bogus'><domain/></domstatus>")); err == nil {
		t.Fatal("bad state accepted")
	}
}

func TestJunkStatusFileIgnored(t *testing.T) {
	e := newEnv(t)
	e.define("web", uuid1)
	e.close()
	for name, data := range map[string]string{
		"junk":  "not xml",
		"other": "<domstatus state='running' reason='booted' pid='5'><init pid='6'/>" + domXML("mismatch", uuid2) + "</domstatus>",
		"nopid": "<domstatus state='running' reason='booted'><init pid='0'/>" + domXML("nopid", uuid2) + "</domstatus>",
	} {
		if err := os.WriteFile(e.layout.StatusFile(name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e.open()
	refs, _ := e.d.ListAll(0)
	if names(refs) != "web" {
		t.Fatalf("domains %q", names(refs))
	}
	if _, err := os.Stat(e.layout.StatusFile("nopid")); !os.IsNotExist(err) {
		t.Fatal("status file without a controller pid kept")
	}
}
