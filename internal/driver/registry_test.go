package driver

import (
	"os"
	"testing"

	"virtlxc/internal/virerr"
)

func TestListAllFlags(t *testing.T) {
	e := newEnv(t)
	e.define("a-off", "")
	auto := e.define("b-auto", "")
	if err := e.d.SetAutostart(auto, true); err != nil {
		t.Fatal(err)
	}
	run := e.start(e.define("c-run", ""))
	paused := e.start(e.define("d-paused", ""))
	if err := e.d.Suspend(paused); err != nil {
		t.Fatal(err)
	}
	e.expect(EventSuspended, DetailSuspendedPaused, "d-paused")
	trans, err := e.d.CreateXML([]byte(domXML("e-trans", "")), 0, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.expect(EventStarted, DetailStartedBooted, "e-trans")

	// Active ones come first, by id (start order here), then inactive
	// ones by name.
	tests := []struct {
		flags uint32
		want  string
	}{
		{0, "c-run,d-paused,e-trans,a-off,b-auto"},
		{ListActive, "c-run,d-paused,e-trans"},
		{ListInactive, "a-off,b-auto"},
		{ListActive | ListInactive, "c-run,d-paused,e-trans,a-off,b-auto"},
		{ListPersistent, "c-run,d-paused,a-off,b-auto"},
		{ListTransient, "e-trans"},
		{ListRunning, "c-run,e-trans"},
		{ListPaused, "d-paused"},
		{ListShutoff, "a-off,b-auto"},
		{ListOther, ""},
		{ListRunning | ListPaused, "c-run,d-paused,e-trans"},
		{ListAutostart, "b-auto"},
		{ListNoAutostart, "c-run,d-paused,e-trans,a-off"},
		{ListActive | ListPersistent, "c-run,d-paused"},
		{ListManagedSave, ""},
		{ListNoManagedSave, "c-run,d-paused,e-trans,a-off,b-auto"},
		{ListHasSnapshot, ""},
		{ListNoSnapshot | ListInactive, "a-off,b-auto"},
		{ListHasCheckpoint, ""},
	}
	for _, tt := range tests {
		refs, err := e.d.ListAll(tt.flags)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(refs); got != tt.want {
			t.Errorf("ListAll(%#x) = %q, want %q", tt.flags, got, tt.want)
		}
	}
	_, err = e.d.ListAll(1 << 16)
	wantErr(t, err, virerr.ErrInvalidArg, "unsupported flags (0x10000) in function lxcConnectListAllDomains")

	if ids := e.d.ListIDs(); len(ids) != 3 || ids[0] != run.ID || ids[2] != trans.ID {
		t.Fatalf("ListIDs %v", ids)
	}
	if n := e.d.ListDefinedNames(); len(n) != 2 || n[0] != "a-off" {
		t.Fatalf("ListDefinedNames %v", n)
	}
	if e.d.NumOfDomains() != 3 || e.d.NumOfDefinedDomains() != 2 {
		t.Fatal("counts")
	}
}

func TestAutostartLinks(t *testing.T) {
	e := newEnv(t)
	ref := e.define("web", uuid1)
	if err := e.d.SetAutostart(ref, true); err != nil {
		t.Fatal(err)
	}
	dest, err := os.Readlink(e.layout.AutostartLink("web"))
	if err != nil || dest != e.layout.ConfigFile("web") {
		t.Fatalf("link -> %q, %v", dest, err)
	}
	if on, _ := e.d.Autostart(ref); !on {
		t.Fatal("not autostart")
	}
	if err := e.d.SetAutostart(ref, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(e.layout.AutostartLink("web")); !os.IsNotExist(err) {
		t.Fatal("link still there")
	}
}

func TestAutostartOncePerBoot(t *testing.T) {
	e := newEnv(t)
	ref := e.define("web", uuid1)
	if err := e.d.SetAutostart(ref, true); err != nil {
		t.Fatal(err)
	}
	e.define("other", uuid2)
	e.close()
	// The marker was made by the first start: no autostart.
	e.open()
	e.wantState(ref, StateShutoff, ShutoffUnknown)
	e.close()
	// A new boot (the run directory is empty again).
	if err := os.Remove(e.layout.AutostartedMarker()); err != nil {
		t.Fatal(err)
	}
	e.open()
	e.wantState(ref, StateRunning, RunningBooted)
	if a, _ := e.d.Autostart(ref); !a {
		t.Fatal("autostart flag not loaded")
	}
	other, _ := e.d.LookupByName("other")
	e.wantState(other, StateShutoff, ShutoffUnknown)
	if _, err := os.Stat(e.layout.AutostartedMarker()); err != nil {
		t.Fatal(err)
	}
}

func TestSecondDriverRefused(t *testing.T) {
	e := newEnv(t)
	_, err := New(Options{Layout: e.layout, ControllerPath: "/x", Launcher: e.fl, Cgroups: e.cg})
	if err == nil {
		t.Fatal("second driver on the same state directory started")
	}
	t.Log(err)
}

func TestBadConfigSkipped(t *testing.T) {
	e := newEnv(t)
	e.define("good", uuid1)
	e.close()
	if err := os.WriteFile(e.layout.ConfigFile("broken"), []byte("<domain"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.layout.ConfigFile("renamed"), []byte(domXML("other", uuid2)), 0o600); err != nil {
		t.Fatal(err)
	}
	e.open()
	refs, _ := e.d.ListAll(0)
	if names(refs) != "good" {
		t.Fatalf("loaded %q", names(refs))
	}
}
