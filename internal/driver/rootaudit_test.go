package driver

import (
	"bytes"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"virtlxc/internal/audit"
)

// auditCapture is an audit sink that keeps the records and also writes
// them through the log fallback, as the daemon does without kernel audit.
type auditCapture struct {
	mu   sync.Mutex
	recs []audit.Record
	log  bytes.Buffer
}

func (c *auditCapture) Send(r audit.Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recs = append(c.recs, r)
	audit.NewLogSender(slog.New(slog.NewTextHandler(&c.log, nil)), "/usr/sbin/virtlxcd").Send(r)
}

// take returns the records so far and forgets them.
func (c *auditCapture) take() []audit.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.recs
	c.recs = nil
	return out
}

// lines formats records as "TYPE res text" lines.
func auditLines(recs []audit.Record) string {
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "%s %s %s\n", r.Type, r.Result(), r.Text)
	}
	return b.String()
}

// waitAudit waits until n records have been captured.
func (e *rootEnv) waitAudit(n int) {
	e.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		e.audit.mu.Lock()
		got := len(e.audit.recs)
		e.audit.mu.Unlock()
		if got >= n || time.Now().After(deadline) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRootAuditRecords(t *testing.T) {
	e := newRootEnv(t)
	const uuid = "5f1b0b7e-2d6a-4c55-9b1e-0e4a7a3c2d11"
	xml := strings.Replace(hostRootXML("aud", sleeper), "<name>aud</name>", "<name>aud</name><uuid>"+uuid+"</uuid>", 1)
	ref, err := e.d.CreateXML([]byte(xml), 0, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctrl := ref.ID
	e.d.mu.RLock()
	dom := e.d.byName["aud"]
	e.d.mu.RUnlock()
	dom.mu.Lock()
	initPID := dom.initPID
	dom.mu.Unlock()
	var st syscall.Stat_t
	if err := syscall.Stat(fmt.Sprintf("/proc/%d/ns/pid", initPID), &st); err != nil {
		t.Fatal(err)
	}
	x, _ := e.d.GetXML(ref, 0)
	m := regexp.MustCompile(`<console type='pty' tty='([^']+)'`).FindStringSubmatch(x)
	if m == nil {
		t.Fatalf("no console tty in live XML:\n%s", x)
	}
	if err := e.d.Destroy(ref, 0); err != nil {
		t.Fatal(err)
	}
	id := `vm="aud" uuid=` + uuid
	want := "VIRT_MACHINE_ID success virt=lxc " + id + " vm-ctx=? img-ctx=? model=none\n" +
		fmt.Sprintf("VIRT_CONTROL success virt=lxc op=init %s vm-pid=%d init-pid=%d pid-ns=%d\n", id, ctrl, initPID, st.Ino) +
		"VIRT_RESOURCE success virt=lxc resrc=fs reason=start " + id + ` old-fs="?" new-fs="/"` + "\n" +
		"VIRT_RESOURCE success virt=lxc resrc=chardev reason=start " + id + ` old-chardev="?" new-chardev="` + m[1] + `"` + "\n" +
		"VIRT_RESOURCE success virt=lxc resrc=mem reason=start " + id + " old-mem=0 new-mem=65536\n" +
		"VIRT_RESOURCE success virt=lxc resrc=vcpu reason=start " + id + " old-vcpu=0 new-vcpu=1\n" +
		fmt.Sprintf("VIRT_CONTROL success virt=lxc op=start reason=booted %s vm-pid=%d\n", id, ctrl) +
		"VIRT_CONTROL success virt=lxc op=stop reason=destroyed " + id + " vm-pid=0\n"
	if got := auditLines(e.audit.take()); got != want {
		t.Errorf("audit records:\n%s\nwant:\n%s", got, want)
	}
	e.audit.mu.Lock()
	logText := e.audit.log.String()
	e.audit.mu.Unlock()
	wantLog := `msg=audit type=VIRT_CONTROL msg="virt=lxc op=stop reason=destroyed vm=\"aud\" uuid=` + uuid +
		` vm-pid=0 exe=\"/usr/sbin/virtlxcd\" hostname=? addr=? terminal=? res=success"`
	if !strings.Contains(logText, wantLog) {
		t.Errorf("log fallback lacks %s:\n%s", wantLog, logText)
	}
}

func TestRootAuditShutdownAndFailure(t *testing.T) {
	e := newRootEnv(t)
	const uuid = "6a2c1c8f-3e7b-4d66-8c2f-1f5b8b4d3e22"
	id := `vm="quick" uuid=` + uuid
	xml := strings.Replace(hostRootXML("quick", "exit 0"), "<name>quick</name>", "<name>quick</name><uuid>"+uuid+"</uuid>", 1)
	ref, err := e.d.DefineXML([]byte(xml), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.d.Start(ref, 0, nil, 0); err != nil {
		t.Fatal(err)
	}
	e.waitEvent("quick", EventStopped, DetailStoppedShutdown)
	recs := e.audit.take()
	last := auditLines(recs[len(recs)-2:])
	if !regexp.MustCompile(`^VIRT_CONTROL success virt=lxc op=start reason=booted ` + regexp.QuoteMeta(id) + ` vm-pid=[1-9][0-9]*\n` +
		`VIRT_CONTROL success virt=lxc op=stop reason=shutdown ` + regexp.QuoteMeta(id) + " vm-pid=0\n$").MatchString(last) {
		t.Errorf("records of a container whose init exits:\n%s", auditLines(recs))
	}

	// A start that fails: op=start res=failed vm-pid=0, no stop record;
	// the resources are the config's (its console has no pty path, so no
	// chardev record: libvirt skips a record whose values are both NULL).
	bad := strings.Replace(xml, "<init>/bin/sh</init>", "<init>/nonexistent/init</init>", 1)
	if _, err := e.d.DefineXML([]byte(bad), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.d.Start(ref, 0, nil, 0); err == nil {
		t.Fatal("a container with a missing init started")
	}
	got := auditLines(e.audit.take())
	want := "VIRT_MACHINE_ID success virt=lxc " + id + " vm-ctx=? img-ctx=? model=none\n" +
		"VIRT_RESOURCE success virt=lxc resrc=mem reason=start " + id + " old-mem=0 new-mem=65536\n" +
		"VIRT_RESOURCE success virt=lxc resrc=vcpu reason=start " + id + " old-vcpu=0 new-vcpu=1\n" +
		"VIRT_CONTROL failed virt=lxc op=start reason=booted " + id + " vm-pid=0\n"
	if got != want {
		t.Errorf("records of a failed start:\n%s\nwant:\n%s", got, want)
	}
}
