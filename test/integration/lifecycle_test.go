package integration

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"
	"virtlxc/internal/testutil"

	"virtlxc/internal/monitor"
)

// watch opens the container's event stream; the first event is init's.
func (c *ctr) watch() *bufio.Reader {
	c.T.Helper()
	conn, err := monitor.Dial(c.Layout.MonitorSocket(c.Name), monitor.Request{Op: monitor.OpWatch}, 5*time.Second)
	if err != nil {
		c.T.Fatal(err)
	}
	c.T.Cleanup(func() { conn.Close() })
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	return bufio.NewReader(conn)
}

func (c *ctr) call(req monitor.Request) monitor.Reply {
	c.T.Helper()
	rep, err := monitor.Call(c.Layout.MonitorSocket(c.Name), req, 5*time.Second)
	if err != nil {
		c.T.Fatalf("%s: %v", req.Op, err)
	}
	return rep
}

// exitEvent reads events until the exit one.
func exitEvent(t *testing.T, r *bufio.Reader) monitor.Event {
	t.Helper()
	for {
		var ev monitor.Event
		if err := monitor.ReadLine(r, &ev); err != nil {
			t.Fatalf("watch stream ended without an exit event: %v", err)
		}
		if ev.Kind == monitor.EventExit {
			return ev
		}
	}
}

// waitLog waits until the container log contains s.
func (c *ctr) waitLog(s string) {
	c.T.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(c.LogText(), s) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.T.Fatalf("log never showed %q:\n%s", s, c.LogText())
}

// trapInit idles until SIGTERM (pid 1 only sees signals it handles).
const trapInit = `trap 'echo @@got=TERM; exit 0' TERM; echo @@ready=1; while true; do sleep 0.05; done`

func TestShutdownBySignal(t *testing.T) {
	c := start(t, "sigterm", domainXML("sigterm", "/bin/sh", []string{"-c", trapInit}, "", ""))
	w := c.watch()
	c.waitLog("@@ready=1")
	if rep := c.call(monitor.Request{Op: monitor.OpShutdown, Mode: "signal"}); rep.Error != "" {
		t.Fatal(rep.Error)
	}
	ev := exitEvent(t, w)
	if ev.Status != monitor.ExitShutdown || ev.Code != 0 {
		t.Errorf("exit %+v, want shutdown code 0", ev)
	}
	if err, log := c.wait(10 * time.Second); err != nil || values(log)["got"] != "TERM" {
		t.Errorf("controller %v, init got %q", err, values(log)["got"])
	}
}

func TestShutdownThroughInitctl(t *testing.T) {
	root := testutilRoot(t)
	// The FIFO is opened (read-write, so without blocking) before "ready":
	// a writer then always finds a reader.
	script := `mkfifo /run/initctl; exec 3<>/run/initctl; echo @@ready=1; echo @@req=$(head -c 12 <&3 | od -An -tx4)`
	fs := "    <filesystem type='mount'><source dir='" + root + "'/><target dir='/'/></filesystem>\n" +
		"    <filesystem type='ram'><source usage='1024'/><target dir='/run'/></filesystem>\n"
	c := start(t, "initctl", domainXML("initctl", "/bin/sh", []string{"-c", script}, fs, ""))
	c.waitLog("@@ready=1")
	if rep := c.call(monitor.Request{Op: monitor.OpShutdown}); rep.Error != "" {
		t.Fatal(rep.Error)
	}
	_, log := c.wait(10 * time.Second)
	if got := values(log)["req"]; got != "03091969 00000001 00000030" {
		t.Errorf("init read %q from its initctl FIFO, want magic, RUNLVL, '0'", got)
	}
}

func TestInitctlRefusesNonFIFO(t *testing.T) {
	root := testutilRoot(t)
	// A container pointing its initctl at a device must not make the
	// controller write into it: the request falls back to SIGTERM.
	script := `ln -s /dev/null /run/initctl; ` + trapInit
	fs := "    <filesystem type='mount'><source dir='" + root + "'/><target dir='/'/></filesystem>\n" +
		"    <filesystem type='ram'><source usage='1024'/><target dir='/run'/></filesystem>\n"
	c := start(t, "badfifo", domainXML("badfifo", "/bin/sh", []string{"-c", script}, fs, ""))
	c.waitLog("@@ready=1")
	if rep := c.call(monitor.Request{Op: monitor.OpShutdown, Mode: "initctl"}); rep.Error == "" {
		t.Errorf("initctl-only shutdown succeeded without a FIFO")
	} else if !strings.Contains(rep.Error, "Container does not provide an initctl pipe") {
		t.Errorf("error %q", rep.Error)
	}
	if rep := c.call(monitor.Request{Op: monitor.OpShutdown}); rep.Error != "" {
		t.Fatal(rep.Error)
	}
	if _, log := c.wait(10 * time.Second); values(log)["got"] != "TERM" {
		t.Errorf("default shutdown did not fall back to SIGTERM:\n%s", log)
	}
}

func TestRebootExitStatus(t *testing.T) {
	// As anchor-init does: SIGHUP makes init call reboot(2), which the
	// kernel turns into "init killed by SIGHUP" inside a pid namespace.
	// The controller starts with SIGHUP ignored (as under nohup): init
	// must not inherit that, or its shell could not trap SIGHUP.
	root := testutilRoot(t)
	fs := "    <filesystem type='mount'><source dir='" + root + "'/><target dir='/'/></filesystem>\n"
	c := startWith(t, testutil.ControllerOptions{Name: "reboot", IgnoreSignals: true,
		XML: domainXML("reboot", "/bin/sh", []string{"-c", "trap 'reboot -f' HUP; echo @@ready=1; while true; do sleep 0.05; done"}, fs, "")})
	w := c.watch()
	c.waitLog("@@ready=1")
	if rep := c.call(monitor.Request{Op: monitor.OpReboot, Mode: "signal"}); rep.Error != "" {
		t.Fatal(rep.Error)
	}
	if ev := exitEvent(t, w); ev.Status != monitor.ExitReboot {
		t.Errorf("exit %+v, want reboot (init killed by SIGHUP)", ev)
	}
	c.wait(10 * time.Second)
}

// TestInitSignalsDefault: init starts with no signal ignored, as libvirt's
// does (virFork), even when the controller was started with SIGHUP,
// SIGINT and SIGQUIT ignored.
func TestInitSignalsDefault(t *testing.T) {
	c := startWith(t, testutil.ControllerOptions{Name: "sigs", IgnoreSignals: true,
		XML: domainXML("sigs", "/bin/sh", []string{"-c", `sed -n 's/^SigIgn:[[:space:]]*/@@sigign=/p' /proc/1/status`}, "", "")})
	if _, log := c.wait(10 * time.Second); values(log)["sigign"] != "0000000000000000" {
		t.Errorf("init's SigIgn = %q, want none ignored:\n%s", values(log)["sigign"], log)
	}
}

func TestDestroyIsFast(t *testing.T) {
	// An init that ignores SIGTERM and has children.
	c := start(t, "destroy", domainXML("destroy", "/bin/sh", []string{"-c", "trap '' TERM; sleep 100 & sleep 100 & echo @@ready=1; wait"}, "", ""))
	c.waitLog("@@ready=1")
	t0 := time.Now()
	if rep := c.call(monitor.Request{Op: monitor.OpDestroy}); rep.Error != "" {
		t.Fatal(rep.Error)
	}
	if d := time.Since(t0); d > time.Second {
		t.Errorf("destroy took %v", d)
	}
	c.wait(10 * time.Second)
}

func TestSuspendResume(t *testing.T) {
	c := start(t, "freeze", domainXML("freeze", "/bin/sh", []string{"-c", "i=0; while true; do i=$((i+1)); echo @@tick=$i; sleep 0.02; done"}, "", ""))
	c.waitLog("@@tick=3")
	if rep := c.call(monitor.Request{Op: monitor.OpSuspend}); rep.Error != "" {
		t.Fatal(rep.Error)
	}
	time.Sleep(100 * time.Millisecond)
	before := c.LogText()
	time.Sleep(200 * time.Millisecond)
	if c.LogText() != before {
		t.Errorf("container kept running while suspended")
	}
	if rep := c.call(monitor.Request{Op: monitor.OpResume}); rep.Error != "" {
		t.Fatal(rep.Error)
	}
	deadline := time.Now().Add(5 * time.Second)
	for c.LogText() == before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if c.LogText() == before {
		t.Errorf("container did not resume")
	}
	c.call(monitor.Request{Op: monitor.OpDestroy})
	c.wait(10 * time.Second)
}

// TestDestroySuspended destroys a frozen container: its tasks are thawed
// at once so they can die, without waiting for the kill fallback.
func TestDestroySuspended(t *testing.T) {
	c := start(t, "frozen", domainXML("frozen", "/bin/sh", []string{"-c", "sleep 1000 & echo @@up; wait"}, "", ""))
	c.waitLog("@@up")
	if rep := c.call(monitor.Request{Op: monitor.OpSuspend}); rep.Error != "" {
		t.Fatal(rep.Error)
	}
	if rep := c.call(monitor.Request{Op: monitor.OpDestroy}); rep.Error != "" {
		t.Fatal(rep.Error)
	}
	c.wait(10 * time.Second)
	// Without the thaw, init would outlive its SIGKILL until the
	// fallback (killGrace) went through the groups.
	if log := c.LogText(); strings.Contains(log, "outlived its SIGKILL") {
		t.Errorf("destroy of a suspended container needed the fallback:\n%s", log)
	}
}

func TestConsoleAttach(t *testing.T) {
	xml := domainXML("cons", "/bin/sh", []string{"-c",
		"echo @@ttys=$container_ttys; echo early-output; read line; echo got:$line; echo @@size=$(stty size); echo to-tty2 > /dev/tty2; sleep 0.2"},
		"    <console type='pty'/>\n", "")
	c := start(t, "cons", xml)
	c.waitLog("early-output")
	conn, err := monitor.Dial(c.Layout.MonitorSocket("cons"), monitor.Request{Op: monitor.OpConsole}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var rep monitor.Reply
	if err := monitor.ReadLine(conn, &rep); err != nil || rep.Error != "" {
		t.Fatalf("attach: %v %q", err, rep.Error)
	}
	// A second client is refused while the first is attached.
	conn2, err := monitor.Dial(c.Layout.MonitorSocket("cons"), monitor.Request{Op: monitor.OpConsole}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var rep2 monitor.Reply
	_ = monitor.ReadLine(conn2, &rep2)
	conn2.Close()
	if !strings.Contains(rep2.Error, "Active console session") {
		t.Errorf("second attach: %q", rep2.Error)
	}
	if rep := c.call(monitor.Request{Op: monitor.OpResize, Rows: 33, Cols: 111}); rep.Error != "" {
		t.Fatalf("resize: %s", rep.Error)
	}
	if _, err := io.WriteString(conn, "hello\n"); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var seen strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(seen.String(), "got:hello") {
		n, err := conn.Read(buf)
		seen.Write(buf[:n])
		if err != nil {
			t.Fatalf("console output %q: %v", seen.String(), err)
		}
	}
	if !strings.Contains(seen.String(), "early-output") {
		t.Errorf("output written before attach was lost: %q", seen.String())
	}
	_, log := c.wait(10 * time.Second)
	if values(log)["size"] != "33 111" {
		t.Errorf("console size %q after resize, want 33 111", values(log)["size"])
	}
	if values(log)["ttys"] != "pts/1" {
		t.Errorf("container_ttys %q", values(log)["ttys"])
	}
	if !strings.Contains(log, "to-tty2") {
		t.Errorf("second console output missing from the log")
	}
}
