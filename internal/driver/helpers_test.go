package driver

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/paths"
	"virtlxc/internal/virerr"
)

// testEnv is a driver on a fake launcher under a temporary root.
type testEnv struct {
	t      *testing.T
	root   string
	layout paths.Layout
	fl     *fakeLauncher
	cg     *fakeCgroups
	d      *Driver
	sub    *Subscription
	audit  *auditCapture
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	root := t.TempDir()
	e := &testEnv{t: t, root: root, layout: paths.New(root, ""), fl: newFakeLauncher(), cg: &fakeCgroups{}, audit: &auditCapture{}}
	e.open()
	return e
}

// open starts a driver on the environment (again).
func (e *testEnv) open() {
	e.t.Helper()
	d, err := New(Options{
		Layout: e.layout, ControllerPath: "/fake/virtlxc-controller", CgroupScope: "test",
		Log:      slog.New(slog.NewTextHandler(e.t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
		Launcher: e.fl, Cgroups: e.cg, Audit: e.audit,
	})
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	d.jobWait = 200 * time.Millisecond
	d.startTimeout = 2 * time.Second
	e.d = d
	e.sub = d.Subscribe()
	e.t.Cleanup(func() { d.Close() })
}

// close stops the driver as a daemon exit would.
func (e *testEnv) close() {
	e.t.Helper()
	if err := e.d.Close(); err != nil {
		e.t.Fatal(err)
	}
}

// domXML is a minimal definition of name with the given uuid ("" for
// none).
func domXML(name, uuid string) string {
	u := ""
	if uuid != "" {
		u = "<uuid>" + uuid + "</uuid>"
	}
	return fmt.Sprintf(`<domain type='lxc'><name>%s</name>%s<memory>131072</memory>
<os><type>exe</type><init>/bin/sh</init></os><devices><console type='pty'/></devices></domain>`, name, u)
}

func (e *testEnv) define(name, uuid string) Ref {
	e.t.Helper()
	ref, err := e.d.DefineXML([]byte(domXML(name, uuid)), 0)
	if err != nil {
		e.t.Fatalf("DefineXML %s: %v", name, err)
	}
	e.expect(EventDefined, DetailDefinedAdded, name)
	return ref
}

func (e *testEnv) start(ref Ref) Ref {
	e.t.Helper()
	r, err := e.d.Start(ref, 0, nil, 0)
	if err != nil {
		e.t.Fatalf("Start %s: %v", ref.Name, err)
	}
	e.expect(EventStarted, DetailStartedBooted, ref.Name)
	return r
}

// expect waits for the next event and checks it.
func (e *testEnv) expect(t EventType, detail int, name string) Event {
	e.t.Helper()
	select {
	case ev := <-e.sub.C:
		if ev.Kind != EventLifecycle || ev.Type != t || ev.Detail != detail || ev.Domain.Name != name {
			e.t.Fatalf("event %+v, want lifecycle type %d detail %d for %s", ev, t, detail, name)
		}
		return ev
	case <-time.After(5 * time.Second):
		e.t.Fatalf("no event (want type %d detail %d for %s)", t, detail, name)
	}
	return Event{}
}

// expectReboot waits for a reboot event of name.
func (e *testEnv) expectReboot(name string) Event {
	e.t.Helper()
	select {
	case ev := <-e.sub.C:
		if ev.Kind != EventReboot || ev.Domain.Name != name {
			e.t.Fatalf("event %+v, want reboot of %s", ev, name)
		}
		return ev
	case <-time.After(5 * time.Second):
		e.t.Fatalf("no reboot event for %s", name)
	}
	return Event{}
}

// noEvent fails if an event arrives soon.
func (e *testEnv) noEvent() {
	e.t.Helper()
	select {
	case ev := <-e.sub.C:
		e.t.Fatalf("unexpected event %+v", ev)
	case <-time.After(50 * time.Millisecond):
	}
}

// state returns name's state and reason.
func (e *testEnv) state(ref Ref) (State, int) {
	e.t.Helper()
	s, r, err := e.d.GetState(ref, 0)
	if err != nil {
		e.t.Fatalf("GetState %s: %v", ref.Name, err)
	}
	return s, r
}

func (e *testEnv) wantState(ref Ref, s State, reason int) {
	e.t.Helper()
	gs, gr := e.state(ref)
	if gs != s || gr != reason {
		e.t.Fatalf("%s is %s (%s), want %s (%s)", ref.Name, gs, ReasonString(gs, gr), s, ReasonString(s, reason))
	}
}

// wantErr checks err's libvirt code and full message.
func wantErr(t *testing.T, err error, code virerr.Code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", msg)
	}
	ve, ok := err.(*virerr.Error)
	if !ok {
		t.Fatalf("error %T %q is not a *virerr.Error", err, err)
	}
	if ve.Code != code || ve.Message != msg {
		t.Fatalf("error code %d %q, want code %d %q", ve.Code, ve.Message, code, msg)
	}
}

// names lists the refs' names.
func names(refs []Ref) string {
	var s []string
	for _, r := range refs {
		s = append(s, r.Name)
	}
	return strings.Join(s, ",")
}
