package server_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"
	"golang.org/x/sys/unix"

	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/wire"
)

// openPTY returns a pty master and its slave.
func openPTY(t *testing.T) (*os.File, *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// syncBuffer collects what virsh writes to its terminal.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitFor(t *testing.T, buf *terminal, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(buf.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("terminal never showed %q; it shows %q", want, buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// `virsh console` on a real terminal: the stream carries keystrokes to the
// server and its answer back, and Ctrl-] finishes it cleanly.
func TestRealVirshConsole(t *testing.T) {
	if _, err := os.Stat("/usr/bin/virsh"); err != nil {
		t.Skip("virsh is not installed")
	}
	ts := start(t, server.Options{}, func(s *server.Server) {
		s.Register(wire.ProgramRemote, proto.ProcDomainGetState, server.Procedure{ReadOnly: true,
			NewArgs: func() any { return &libvirt.DomainGetStateArgs{} },
			Handler: func(*server.Call) (any, error) {
				return &libvirt.DomainGetStateRet{State: 1, Reason: 1}, nil
			}})
	})
	uri := "lxc:///system?socket=" + ts.rw

	// The client ends the session with Ctrl-].
	term, exited := runConsole(t, uri)
	waitFor(t, term, "Escape character is ^]")
	term.master.Write([]byte("hello"))
	waitFor(t, term, "HELLO")
	term.master.Write([]byte{0x1d})
	waitExit(t, term, exited)

	// The server ends it (empty CONTINUE): virsh leaves on its own.
	term, exited = runConsole(t, uri)
	waitFor(t, term, "Escape character is ^]")
	term.master.Write([]byte("bye"))
	waitFor(t, term, "BYE")
	waitExit(t, term, exited)
}

type terminal struct {
	syncBuffer
	master *os.File
}

// runConsole starts `virsh console alpha` on a new pty.
func runConsole(t *testing.T, uri string) (*terminal, chan error) {
	t.Helper()
	master, slave := openPTY(t)
	cmd := exec.Command("/usr/bin/virsh", "-c", uri, "console", "alpha")
	home := t.TempDir()
	cmd.Env = []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home, "XDG_CACHE_HOME=" + home, "PATH=/usr/bin:/bin", "LANG=C", "TERM=dumb"}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	term := &terminal{master: master}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			term.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	return term, exited
}

func waitExit(t *testing.T, term *terminal, exited chan error) {
	t.Helper()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("virsh console: %v\n%s", err, term.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("virsh console did not exit\n%s", term.String())
	}
}
