package security

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"virtlxc/internal/testutil"
)

// daemon is a private virtlxcd run from the test's own copies of the
// binaries (an attack that overwrote one hits only the copy).
type daemon struct {
	t    *testing.T
	bin  string // virtlxcd, virtlxc-controller, virtlxc (cgo), virtlxc-nocgo
	root string
	uri  string
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
}

// syncBuffer is a bytes.Buffer the daemon writes to while tests read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// copyFile copies src to dst with mode 0755.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// startDaemon copies the binaries into a directory of the test's and
// runs "virtlxcd --root DIR"; at the end every container it runs is
// destroyed and the daemon stopped, by its PID.
func startDaemon(t *testing.T) *daemon {
	t.Helper()
	testutil.RequireRoot(t)
	built := testutil.Binaries(t)
	d := &daemon{t: t, bin: hostDir(t), root: t.TempDir(), log: &syncBuffer{}, done: make(chan struct{})}
	for _, b := range []string{"virtlxcd", "virtlxc-controller", "virtlxc"} {
		src := filepath.Join(built, b)
		if b == "virtlxc" {
			copyFile(t, src, filepath.Join(d.bin, "virtlxc-nocgo"))
			src = cgoClientBuild.path(t)
		}
		copyFile(t, src, filepath.Join(d.bin, b))
	}
	sock := filepath.Join(d.root, "run/libvirt/virtlxcd-sock")
	d.uri = "lxc:///system?socket=" + sock
	d.cmd = exec.Command(filepath.Join(d.bin, "virtlxcd"), "--root", d.root)
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = d.cmd.Wait(); close(d.done) }()
	t.Cleanup(d.stop)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		// The socket's file exists from bind(2) on, a moment before
		// listen(2): wait until a connection is accepted.
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("virtlxcd did not create %s:\n%s", sock, d.log)
		}
	}
}

func (d *daemon) stop() {
	if out, err := d.virtlxc("list", "--name"); err == nil {
		for _, name := range strings.Fields(out) {
			_, _ = d.virtlxc("destroy", name)
		}
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(5 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
	if d.t.Failed() {
		d.t.Logf("virtlxcd log:\n%s", d.log)
	}
}

// virtlxc runs the (cgo) client against the daemon and returns its
// stdout; err carries stderr.
func (d *daemon) virtlxc(args ...string) (string, error) {
	return d.client("virtlxc", nil, args...)
}

// client runs the named client binary with extra environment.
func (d *daemon) client(bin string, env []string, args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(d.bin, bin), append([]string{"-c", d.uri}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("virtlxc %s: %w: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}

// define defines and starts a domain from xml.
func (d *daemon) define(name, xml string) {
	d.t.Helper()
	cfg := filepath.Join(d.root, name+".xml")
	if err := os.WriteFile(cfg, []byte(xml), 0o600); err != nil {
		d.t.Fatal(err)
	}
	for _, args := range [][]string{{"define", cfg}, {"start", name}} {
		if _, err := d.virtlxc(args...); err != nil {
			d.t.Fatal(err)
		}
	}
}

// consoleLog is the container's log file, where its console output goes.
func (d *daemon) consoleLog(name string) string {
	b, _ := os.ReadFile(filepath.Join(d.root, "var/log/libvirt/lxc", name+".log"))
	return string(b)
}

// hashes returns the SHA-256 of each binary in the daemon's directory.
func (d *daemon) hashes() map[string]string {
	d.t.Helper()
	ents, err := os.ReadDir(d.bin)
	if err != nil {
		d.t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(d.bin, e.Name()))
		if err != nil {
			d.t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		m[e.Name()] = hex.EncodeToString(sum[:])
	}
	return m
}
