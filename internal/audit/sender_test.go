package audit

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestLogSender(t *testing.T) {
	var buf bytes.Buffer
	s := NewLogSender(slog.New(slog.NewTextHandler(&buf, nil)), "/usr/sbin/virtlxcd")
	s.Send(Start(dom, ReasonBooted, 0, false))
	want := `level=WARN msg=audit type=VIRT_CONTROL msg="virt=lxc op=start reason=booted vm=\"demo\" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 vm-pid=0 exe=\"/usr/sbin/virtlxcd\" hostname=? addr=? terminal=? res=failed"`
	if !strings.Contains(buf.String(), want) {
		t.Errorf("log:\n%s\nwant a line with:\n%s", buf.String(), want)
	}
}

// A kernel that refuses a record (audit off, child namespace) sends this
// and every later record to the log, saying so once.
func TestSenderFallsBackOnRefusal(t *testing.T) {
	var buf bytes.Buffer
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM, 0) // a descriptor to close
	if err != nil {
		t.Fatal(err)
	}
	var sent []string
	s := &Sender{log: slog.New(slog.NewTextHandler(&buf, nil)), exe: "/d", fd: fd,
		send: func(_ int, typ Type, _ uint32, text string) error {
			sent = append(sent, text)
			return unix.ECONNREFUSED
		}}
	s.Send(Init(dom, 1, 2, 3))
	s.Send(Stop(dom, ReasonShutdown, 0))
	if len(sent) != 1 || s.Kernel() {
		t.Fatalf("sent %d records to the kernel, kernel=%v", len(sent), s.Kernel())
	}
	out := buf.String()
	if strings.Count(out, "audit records go to the log from now on") != 1 ||
		!strings.Contains(out, "op=init") || !strings.Contains(out, "op=stop") {
		t.Errorf("log:\n%s", out)
	}
}

// The kernel acknowledges a well-formed user record whether or not
// auditing is enabled; this checks the netlink framing against it.
func TestNetlinkSendKernelAck(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_AUDIT)
	if err != nil {
		t.Skipf("no NETLINK_AUDIT: %v", err)
	}
	defer unix.Close(fd)
	tv := unix.Timeval{Sec: 2}
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		t.Fatal(err)
	}
	enabled, err := auditStatus(fd)
	if err != nil {
		t.Skipf("audit status: %v", err)
	}
	t.Logf("kernel audit enabled=%d", enabled)
	err = netlinkSend(fd, VirtControl, 7, Stop(dom, ReasonShutdown, 0).Message("/usr/sbin/virtlxcd"))
	if err != nil && err != unix.ECONNREFUSED {
		t.Fatalf("kernel rejected the record: %v", err)
	}
}

func TestOpenSaysWhere(t *testing.T) {
	var buf bytes.Buffer
	s := Open(slog.New(slog.NewTextHandler(&buf, nil)))
	defer s.Close()
	want := "audit records go to the log"
	if s.Kernel() {
		want = "audit records go to the kernel audit subsystem"
	}
	if !strings.Contains(buf.String(), want) {
		t.Errorf("kernel=%v, log:\n%s", s.Kernel(), buf.String())
	}
}
