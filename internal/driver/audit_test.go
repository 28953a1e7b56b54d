package driver

import (
	"fmt"
	"strings"
	"testing"

	"virtlxc/internal/audit"
)

// controlLines are the VIRT_CONTROL records among recs, as
// "op=... reason=... vm-pid=..." with the pid replaced by N when nonzero.
func controlLines(recs []audit.Record) string {
	var b strings.Builder
	for _, r := range recs {
		if r.Type != audit.VirtControl || strings.Contains(r.Text, "op=init") {
			continue
		}
		f := strings.Fields(r.Text)
		pid := strings.TrimPrefix(f[len(f)-1], "vm-pid=")
		if pid != "0" {
			pid = "N"
		}
		fmt.Fprintf(&b, "%s %s %s vm-pid=%s\n", f[1], f[2], r.Result(), pid)
	}
	return b.String()
}

// A reboot audits the stop with reason reboot, then a start with reason
// reboot; a destroy audits reason destroyed, an init exit shutdown.
func TestAuditLifecycleReasons(t *testing.T) {
	e := newEnv(t)
	ref := e.start(e.define("web", uuid1))
	if err := e.d.Reboot(ref, ShutdownSignal); err != nil {
		t.Fatal(err)
	}
	ref = e.expectReboot("web").Domain
	if err := e.d.Destroy(ref, 0); err != nil {
		t.Fatal(err)
	}
	e.expect(EventStopped, DetailStoppedDestroyed, "web")
	ref = e.start(ref)
	e.fl.ctrl("web").exit("shutdown", true)
	e.expect(EventStopped, DetailStoppedShutdown, "web")
	want := "op=start reason=booted success vm-pid=N\n" +
		"op=stop reason=reboot success vm-pid=0\n" +
		"op=start reason=reboot success vm-pid=N\n" +
		"op=stop reason=destroyed success vm-pid=0\n" +
		"op=start reason=booted success vm-pid=N\n" +
		"op=stop reason=shutdown success vm-pid=0\n"
	if got := controlLines(e.audit.take()); got != want {
		t.Errorf("control records:\n%s\nwant:\n%s", got, want)
	}
}
