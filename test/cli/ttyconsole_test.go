package cli

import (
	"strings"
	"testing"
)

// TestTTYConsoleAndDisplayMatchVirsh runs ttyconsole and domdisplay
// through both clients on a running and a defined container.
func TestTTYConsoleAndDisplayMatchVirsh(t *testing.T) {
	d := startDaemon(t)
	d.writeFile("tc.xml", hostRootXML("tc", idleScript))
	d.writeFile("td.xml", hostRootXML("td", idleScript))
	if r := d.virtlxc("create", "tc.xml"); r.rc != 0 {
		t.Fatalf("create: %s", r)
	}
	if r := d.virtlxc("define", "td.xml"); r.rc != 0 {
		t.Fatalf("define: %s", r)
	}
	d.waitState("tc", "running")
	if r := d.both(t, "ttyconsole", "tc"); r.rc != 0 || !strings.HasPrefix(r.stdout, "/dev/pts/") {
		t.Errorf("ttyconsole of a running container: %s", r)
	}
	for _, args := range [][]string{{"ttyconsole", "td"}, {"ttyconsole", "nosuch"}, {"domdisplay", "tc"}, {"domdisplay", "td"},
		{"domdisplay", "tc", "--all"}, {"domdisplay", "nosuch"}} {
		d.both(t, args...)
	}
}
