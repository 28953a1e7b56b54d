package integration

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/controller"
	"virtlxc/internal/monitor"
)

// program is the executable's base name of the controller process now
// serving c: virtlxc-controller or, once it has taken over, virtlxc-keeper.
func (c *ctr) program() string {
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", c.Cmd.Process.Pid))
	return filepath.Base(exe)
}

// consoleSession attaches to console 0 and returns the connection.
func (c *ctr) consoleSession() net.Conn {
	c.T.Helper()
	conn, err := monitor.Dial(c.Layout.MonitorSocket(c.Name), monitor.Request{Op: monitor.OpConsole}, 5*time.Second)
	if err != nil {
		c.T.Fatal(err)
	}
	c.T.Cleanup(func() { conn.Close() })
	var rep monitor.Reply
	if err := monitor.ReadLine(conn, &rep); err != nil || rep.Error != "" {
		c.T.Fatalf("attach: %v %q", err, rep.Error)
	}
	return conn
}

// readUntil reads conn until want shows (or fails) and returns all read.
func readUntil(t *testing.T, conn net.Conn, want string) string {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var seen strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(seen.String(), want) {
		n, err := conn.Read(buf)
		seen.Write(buf[:n])
		if err != nil {
			t.Fatalf("console output %q, want %q: %v", seen.String(), want, err)
		}
	}
	return seen.String()
}

// keep asks c's controller to hand the container to the keeper, as a
// daemon does once it is quiet (a controller alone does it by itself, when
// the host's CPUs are idle enough: not reliably while other tests run).
func (c *ctr) keep() {
	c.T.Helper()
	if rep := c.call(monitor.Request{Op: monitor.OpKeep}); rep.Error != "" {
		c.T.Fatalf("keep: %s", rep.Error)
	}
}

// TestKeeperTakesOver: on a keep request the controller execs the keeper
// in place, which serves meminfo, the console (with what was written
// before), watches, resize and shutdown; suspend and resume exec the
// controller back, an open console session going with it, and it hands
// over again when asked once the session is closed.
func TestKeeperTakesOver(t *testing.T) {
	xml := domainXML("keep", "/bin/sh", []string{"-c",
		"trap 'exit 0' TERM; echo early-output; while read line; do echo got:$line; done"}, "", "")
	c := start(t, "keep", xml)
	w := c.watch()
	var initEv monitor.Event
	if err := monitor.ReadLine(w, &initEv); err != nil || initEv.Kind != monitor.EventInit {
		t.Fatalf("init event: %+v %v", initEv, err)
	}
	c.waitLog("early-output")
	c.keep() // answered by the keeper once it serves
	if p := c.program(); p != controller.KeeperBinary {
		t.Fatalf("after a keep request %s is served by %s", c.Name, p)
	}

	// meminfo, as the container sees it (96 MiB limit), from the keeper.
	mi, err := os.ReadFile(fmt.Sprintf("/proc/%d/root/proc/meminfo", initEv.InitPID))
	if err != nil || !strings.Contains(string(mi), "MemTotal:          98304 kB") {
		t.Fatalf("meminfo through the keeper: %v\n%s", err, mi)
	}
	// The console's output from before the handover, then a round trip;
	// the session stays open across the controller's return below.
	con := c.consoleSession()
	readUntil(t, con, "early-output")
	if _, err := io.WriteString(con, "one\n"); err != nil {
		t.Fatal(err)
	}
	readUntil(t, con, "got:one")
	if rep := c.call(monitor.Request{Op: monitor.OpResize, Rows: 30, Cols: 100}); rep.Error != "" {
		t.Fatalf("resize: %s", rep.Error)
	}
	// A watch registered with the keeper gets init's event too.
	w2 := c.watch()
	var ev2 monitor.Event
	if err := monitor.ReadLine(w2, &ev2); err != nil || ev2.InitPID != initEv.InitPID {
		t.Fatalf("watch through the keeper: %+v %v", ev2, err)
	}

	// Suspend needs the controller: it comes back, same pid, and answers.
	if rep := c.call(monitor.Request{Op: monitor.OpSuspend}); rep.Error != "" {
		t.Fatalf("suspend: %s", rep.Error)
	}
	if p := c.program(); p != "virtlxc-controller" {
		t.Fatalf("suspended by %s", p)
	}
	if rep := c.call(monitor.Request{Op: monitor.OpResume}); rep.Error != "" {
		t.Fatalf("resume: %s", rep.Error)
	}
	// The console session went over to the controller, still open.
	if _, err := io.WriteString(con, "two\n"); err != nil {
		t.Fatal(err)
	}
	readUntil(t, con, "got:two")
	// With a session open the controller keeps the container; closed,
	// the keeper takes it again.
	if rep := c.call(monitor.Request{Op: monitor.OpKeep}); !strings.Contains(rep.Error, "busy") {
		t.Fatalf("keep with a console attached: %+v", rep)
	}
	con.Close()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if rep := c.call(monitor.Request{Op: monitor.OpKeep}); rep.Error == "" {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("keep after the console closed: %+v", rep)
		}
	}
	if p := c.program(); p != controller.KeeperBinary {
		t.Fatalf("after the second keep request %s is served by %s", c.Name, p)
	}
	mi2, err := os.ReadFile(fmt.Sprintf("/proc/%d/root/proc/meminfo", initEv.InitPID))
	if err != nil || !strings.Contains(string(mi2), "MemTotal:          98304 kB") {
		t.Fatalf("meminfo after two handovers: %v\n%s", err, mi2)
	}
	if rep := c.call(monitor.Request{Op: monitor.OpShutdown, Mode: "signal"}); rep.Error != "" {
		t.Fatalf("shutdown: %s", rep.Error)
	}
	for _, r := range []*bufio.Reader{w, w2} {
		if ev := exitEvent(t, r); ev.Status != monitor.ExitShutdown {
			t.Errorf("exit event %+v", ev)
		}
	}
	if err, log := c.wait(10 * time.Second); err != nil {
		t.Fatalf("controller: %v\n%s", err, log)
	}
}
