package controller

import (
	"testing"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/plan"
)

// TestWarmDomain: the spare's warm-up definition parses and plans (a
// warm-up that fails warms nothing).
func TestWarmDomain(t *testing.T) {
	d, err := domainxml.Parse([]byte(warmDomain), domainxml.Options{Live: true})
	if err != nil {
		t.Fatal(err)
	}
	// The spare reads it as a start reads the daemon's definitions.
	live, err := domainxml.ParseLive([]byte(warmDomain))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plan.Build(live, 0, plan.Host{}); err != nil {
		t.Fatal(err)
	}
	if _, err := plan.Build(d, 0, plan.Host{}); err != nil {
		t.Fatal(err)
	}
}
