package compat

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestEventsAndReboot: virsh event --all --loop sees the lifecycle of a
// start, a reboot (anchor-init reboots on SIGHUP) and a destroy.
func TestEventsAndReboot(t *testing.T) {
	e := setup(t)
	ev := exec.Command("virsh", append(strings.Fields(e.virsh)[1:], "event", "--all", "--loop", "--timeout", "30")...)
	evOut := &lockedBuffer{}
	ev.Stdout = evOut
	if err := ev.Start(); err != nil {
		t.Fatal(err)
	}
	// virsh has registered its callbacks once it reports a probe
	// domain's definition (a fixed wait was too short on a loaded host).
	basic, err := os.ReadFile(filepath.Join(e.xml, "anchor-basic.xml"))
	if err != nil {
		t.Fatal(err)
	}
	probe := filepath.Join(e.xml, "evprobe.xml")
	if err := os.WriteFile(probe, bytes.Replace(basic, []byte("<name>anchor-basic</name>"), []byte("<name>evprobe</name>"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	for wait := time.Now().Add(15 * time.Second); !strings.Contains(evOut.String(), "domain 'evprobe'"); {
		if time.Now().After(wait) {
			t.Fatalf("virsh event reported nothing:\n%s", evOut.String())
		}
		e.out("define " + probe)
		e.out("undefine evprobe")
		time.Sleep(50 * time.Millisecond)
	}
	e.out("define " + filepath.Join(e.xml, "anchor-basic.xml"))
	e.out("start anchor-basic")
	id := e.out("domid anchor-basic")
	deadline := time.Now().Add(10 * time.Second)
	time.Sleep(300 * time.Millisecond) // anchor-init installs its traps
	if got := e.out("reboot --mode signal anchor-basic"); got != "Domain 'anchor-basic' is being rebooted" {
		t.Errorf("reboot printed %q", got)
	}
	for time.Now().Before(deadline) {
		if out, _ := exec.Command("sh", "-c", e.virsh+" domid anchor-basic").Output(); strings.TrimSpace(string(out)) != id && strings.TrimSpace(string(out)) != "-" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := e.out("domstate --reason anchor-basic"); got != "running (booted)" {
		t.Errorf("after reboot: %q", got)
	}
	e.out("destroy anchor-basic")
	e.out("undefine anchor-basic")
	// Events reach virsh after the calls return: the last one may still
	// be on its way when undefine does (seen once under load).
	for wait := time.Now().Add(10 * time.Second); !strings.Contains(evOut.String(), "'anchor-basic': Undefined Removed") && time.Now().Before(wait); {
		time.Sleep(20 * time.Millisecond)
	}
	_ = ev.Process.Signal(os.Interrupt)
	_ = ev.Wait()
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(evOut.String()))
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "event '") && !strings.Contains(l, "'evprobe'") {
			lines = append(lines, l)
		}
	}
	want := []string{
		"event 'lifecycle' for domain 'anchor-basic': Defined Added",
		"event 'lifecycle' for domain 'anchor-basic': Started Booted",
		"event 'reboot' for domain 'anchor-basic'",
		"event 'lifecycle' for domain 'anchor-basic': Stopped Destroyed",
		"event 'lifecycle' for domain 'anchor-basic': Undefined Removed",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("virsh event printed\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// lockedBuffer is a bytes.Buffer a command writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
