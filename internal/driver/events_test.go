package driver

import (
	"testing"
	"time"
)

func TestSubscriptions(t *testing.T) {
	e := newEnv(t)
	other := e.d.Subscribe()
	e.define("web", uuid1)
	select {
	case ev := <-other.C:
		if ev.Type != EventDefined || ev.Domain.Name != "web" || ev.Domain.UUID != uuid1 || ev.Domain.ID != -1 {
			t.Fatalf("%+v", ev)
		}
	case <-time.After(time.Second):
		t.Fatal("second subscriber got nothing")
	}
	other.Close()
	other.Close()
	if _, ok := <-other.C; ok {
		t.Fatal("closed subscription delivers")
	}
	// A subscriber that does not read never blocks the driver.
	slow := e.d.Subscribe()
	defer slow.Close()
	for i := 0; i < 50; i++ {
		if err := e.d.SetAutostart(Ref{Name: "web", UUID: uuid1}, i%2 == 0); err != nil {
			t.Fatal(err)
		}
		if _, err := e.d.DefineXML([]byte(domXML("web", uuid1)), 0); err != nil {
			t.Fatal(err)
		}
		e.expect(EventDefined, DetailDefinedUpdated, "web")
	}
	e.close()
	if _, ok := <-e.sub.C; ok {
		// drain whatever is left; C must end up closed
		for range e.sub.C {
		}
	}
}

func TestStateStrings(t *testing.T) {
	tests := []struct {
		s      State
		r      int
		state  string
		reason string
	}{
		{StateRunning, RunningBooted, "running", "booted"},
		{StateRunning, RunningUnknown, "running", "unknown"},
		{StateRunning, RunningUnpaused, "running", "unpaused"},
		{StatePaused, PausedUser, "paused", "user"},
		{StateShutoff, ShutoffShutdown, "shutoff", "shutdown"},
		{StateShutoff, ShutoffDestroyed, "shutoff", "destroyed"},
		{StateShutoff, ShutoffFailed, "shutoff", "failed"},
		{StateShutoff, ShutoffCrashed, "shutoff", "crashed"},
	}
	for _, tt := range tests {
		if tt.s.String() != tt.state || ReasonString(tt.s, tt.r) != tt.reason {
			t.Errorf("%d/%d = %s/%s", tt.s, tt.r, tt.s, ReasonString(tt.s, tt.r))
		}
		s, r, ok := parseState(tt.state, tt.reason)
		if !ok || s != tt.s || r != tt.r {
			t.Errorf("parseState(%s, %s) = %d, %d, %v", tt.state, tt.reason, s, r, ok)
		}
	}
}
