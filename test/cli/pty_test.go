package cli

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

	"golang.org/x/sys/unix"
)

// ptyRun is a program running on its own pseudo-terminal (its controlling
// terminal), driven from the test through the master side.
type ptyRun struct {
	t      *testing.T
	master *os.File
	slave  *os.File
	cmd    *exec.Cmd
	before *unix.Termios

	mu  sync.Mutex
	out bytes.Buffer
}

func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
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
	unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 160})
	return m, s
}

// startPTY runs prog with args on a new terminal.
func startPTY(t *testing.T, env []string, prog string, args ...string) *ptyRun {
	t.Helper()
	m, s := openPTY(t)
	p := &ptyRun{t: t, master: m, slave: s}
	before, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	p.before = before
	p.cmd = exec.Command(prog, args...)
	p.cmd.Env = append(os.Environ(), append([]string{"TERM=xterm"}, env...)...)
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = s, s, s
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := m.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
		m.Close()
		s.Close()
	})
	return p
}

func (p *ptyRun) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitFor waits until the output contains s.
func (p *ptyRun) waitFor(s string) {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.output(), s) {
		if time.Now().After(deadline) {
			p.t.Fatalf("no %q in the terminal output:\n%q", s, p.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sendUntil types line until the output contains want, a few times: input
// typed while the container's init is still starting may be lost to its
// terminal setup.
func (p *ptyRun) sendUntil(line, want string) {
	p.t.Helper()
	for i := 0; i < 5; i++ {
		p.send(line)
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if strings.Contains(p.output(), want) {
				return
			}
		}
	}
	p.t.Fatalf("no %q in the terminal output:\n%q", want, p.output())
}

func (p *ptyRun) send(s string) {
	p.t.Helper()
	if _, err := p.master.Write([]byte(s)); err != nil {
		p.t.Fatal(err)
	}
}

// wait waits for the program to exit and returns its status.
func (p *ptyRun) wait() int {
	p.t.Helper()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		p.settle()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			p.t.Fatal(err)
		}
		return 0
	case <-time.After(10 * time.Second):
		p.t.Fatalf("still running; output:\n%q", p.output())
	}
	return -1
}

// settle waits until the reader has taken what the exited program wrote
// last (its output stops growing), so that output() has all of it.
func (p *ptyRun) settle() {
	last, still := p.output(), 0
	for deadline := time.Now().Add(2 * time.Second); still < 3 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		if now := p.output(); now == last {
			still++
		} else {
			last, still = now, 0
		}
	}
}

// restored checks the terminal modes are back to what they were.
func (p *ptyRun) restored() {
	p.t.Helper()
	after, err := unix.IoctlGetTermios(int(p.slave.Fd()), unix.TCGETS)
	if err != nil {
		p.t.Fatal(err)
	}
	b := p.before
	if after.Iflag != b.Iflag || after.Oflag != b.Oflag || after.Lflag != b.Lflag || after.Cflag != b.Cflag {
		p.t.Errorf("terminal not restored: before %+v after %+v", *b, *after)
	}
}
