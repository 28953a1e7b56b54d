package security

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/monitor"
	"virtlxc/internal/testutil"
)

// CVE-2013-6456: a container points /dev/initctl and /run/initctl at the
// path of a host FIFO. An initctl shutdown must resolve those paths in the
// container's mount namespace, find no pipe there and write nothing into
// the host FIFO.
func TestInitctlSymlinkToHostFIFO(t *testing.T) {
	root := testutil.BusyboxRoot(t)
	fifo := filepath.Join(hostDir(t), "initctl")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// Held open read-write so a writer would never block, and so the test
	// can see whether anything was written.
	fd, err := unix.Open(fifo, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	script := `ln -s ` + fifo + ` /dev/initctl; ln -s ` + fifo + ` /run/initctl; mkdir -p /etc; ln -s ` + fifo + ` /etc/.initctl;
trap 'echo @@got=TERM; exit 0' TERM; echo @@ready=1; while true; do sleep 0.05; done`
	fs := rootFS(root, false) + "    <filesystem type='ram'><source usage='1024'/><target dir='/run'/></filesystem>\n"
	c := start(t, "initctl", domainXML("initctl", script, fs, ""))
	c.waitLog("@@ready=1")
	rep, err := monitor.Call(c.Layout.MonitorSocket(c.Name), monitor.Request{Op: monitor.OpShutdown, Mode: "initctl"}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Error == "" || !strings.Contains(rep.Error, "initctl") {
		t.Errorf("initctl shutdown through a symlink to a host FIFO: reply %+v, want a refusal", rep)
	}
	buf := make([]byte, 512)
	n, err := unix.Read(fd, buf)
	if !errors.Is(err, syscall.EAGAIN) {
		t.Errorf("the host FIFO received %d bytes (%v): %x", n, err, buf[:max(n, 0)])
	}
	c.destroy()
}
