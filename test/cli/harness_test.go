// Package cli tests the virtlxc client end to end, as root: each test runs
// its own private virtlxcd (killed by PID at the end), and most run the
// same commands through the real /usr/bin/virsh and through virtlxc
// against it, comparing stdout, stderr and exit status with ids, UUIDs,
// times and pty numbers masked.
package cli

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"virtlxc/internal/testutil"
)

const virshPath = "/usr/bin/virsh"

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// TestMain removes the binaries built for the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binaries builds virtlxcd, virtlxc-controller, virtlxc-init and virtlxc-keeper as the Makefile does
// (CGO_ENABLED=0), virtlxc with cgo (its nsenter helper needs it), and
// virtlxc-nocgo without.
func binaries(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "virtlxc-cli-bin-")
		if err != nil {
			buildErr = err
			return
		}
		for _, b := range []struct {
			pkg string
			cgo bool
		}{
			{"./cmd/virtlxcd", false}, {"./cmd/virtlxc-controller", false}, {"./cmd/virtlxc-init", false}, {"./cmd/virtlxc-keeper", false}, {"./cmd/virtlxc", true},
		} {
			if err := testutil.GoBuild(dir, b.cgo, b.pkg); err != nil {
				buildErr = fmt.Errorf("go build %s: %v", b.pkg, err)
				return
			}
		}
		// The client without its cgo helper (as a CGO_ENABLED=0 build
		// of it has it).
		nocgo := filepath.Join(dir, "nocgo")
		if err := os.Mkdir(nocgo, 0o755); err != nil {
			buildErr = err
			return
		}
		if err := testutil.GoBuild(nocgo, false, "./cmd/virtlxc"); err != nil {
			buildErr = fmt.Errorf("go build virtlxc-nocgo: %v", err)
			return
		}
		if err := os.Rename(filepath.Join(nocgo, "virtlxc"), filepath.Join(dir, "virtlxc-nocgo")); err != nil {
			buildErr = err
			return
		}
		_ = os.Remove(nocgo)
		binDir = dir
	})
	if buildErr != nil {
		t.Fatalf("building binaries: %v", buildErr)
	}
	return binDir
}

// daemon is a private virtlxcd.
type daemon struct {
	t    *testing.T
	root string
	bin  string
	sock string
	uri  string
	cmd  *exec.Cmd
	log  *bytes.Buffer
}

// startDaemon runs "virtlxcd --root DIR [extra...]" for one test. At the
// end every container it runs is destroyed and the daemon is killed by its
// PID.
func startDaemon(t *testing.T, extra ...string) *daemon {
	t.Helper()
	return startDaemonAfter(t, "", extra...)
}

// startDaemonAfter is startDaemon with virtlxcd exec'd by a shell that
// runs script first (a umask, traps: what a user's shell may leave).
func startDaemonAfter(t *testing.T, script string, extra ...string) *daemon {
	t.Helper()
	testutil.RequireRoot(t)
	if _, err := os.Stat(virshPath); err != nil {
		t.Skip("real virsh is not installed (libvirt-clients)")
	}
	bin := binaries(t)
	root := t.TempDir()
	d := &daemon{t: t, root: root, bin: bin, log: &bytes.Buffer{},
		sock: filepath.Join(root, "run/libvirt/virtlxcd-sock")}
	d.uri = "lxc:///system?socket=" + d.sock
	d.cmd = exec.Command(filepath.Join(bin, "virtlxcd"), append([]string{"--root", root}, extra...)...)
	if script != "" {
		d.cmd.Args = append([]string{"sh", "-c", script + `; exec "$0" "$@"`}, d.cmd.Args...)
		d.cmd.Path = "/bin/sh"
	}
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.stop)
	deadline := time.Now().Add(10 * time.Second)
	for {
		// The socket's file exists from bind(2) on, a moment before
		// listen(2): wait until a connection is accepted.
		if c, err := net.Dial("unix", d.sock); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("virtlxcd did not create %s:\n%s", d.sock, d.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return d
}

// readLog returns domain name's container log.
func (d *daemon) readLog(name string) string {
	b, _ := os.ReadFile(filepath.Join(d.root, "var/log/libvirt/lxc", name+".log"))
	return string(b)
}

func (d *daemon) stop() {
	if r := d.virtlxc("list", "--name"); r.rc == 0 {
		for _, name := range strings.Fields(r.stdout) {
			d.virtlxc("destroy", name)
		}
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		d.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		d.cmd.Process.Kill()
		<-done
	}
	if d.t.Failed() {
		d.t.Logf("virtlxcd log:\n%s", d.log)
	}
}

// result is one command's outcome.
type result struct {
	stdout, stderr string
	rc             int
}

func (r result) String() string {
	return fmt.Sprintf("rc=%d\n--- stdout\n%s--- stderr\n%s", r.rc, r.stdout, r.stderr)
}

// run runs a program with args in dir (the daemon's root), stdin empty.
func run(dir string, env []string, prog string, args ...string) result {
	cmd := exec.Command(prog, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	rc := 0
	if ee, ok := err.(*exec.ExitError); ok {
		rc = ee.ExitCode()
	} else if err != nil {
		rc = -1
		errb.WriteString(err.Error())
	}
	return result{stdout: out.String(), stderr: errb.String(), rc: rc}
}

func (d *daemon) virsh(args ...string) result {
	return run(d.root, nil, virshPath, append([]string{"-c", d.uri}, args...)...)
}

func (d *daemon) virtlxc(args ...string) result {
	return run(d.root, nil, filepath.Join(d.bin, "virtlxc"), append([]string{"-c", d.uri}, args...)...)
}

// writeFile writes a file under the daemon's root and returns its name
// relative to it (the commands run there, so messages name it the same).
func (d *daemon) writeFile(name, content string) string {
	d.t.Helper()
	if err := os.WriteFile(filepath.Join(d.root, name), []byte(content), 0o644); err != nil {
		d.t.Fatal(err)
	}
	return name
}

// hostRootXML is a container sharing the host's root whose init runs a
// shell script.
func hostRootXML(name, script string) string {
	return fmt.Sprintf(`<domain type='lxc'>
  <name>%s</name>
  <memory unit='KiB'>131072</memory>
  <os>
    <type>exe</type>
    <init>/bin/sh</init>
    <initarg>-c</initarg>
    <initarg>%s</initarg>
  </os>
  <devices>
    <console type='pty'/>
  </devices>
</domain>
`, name, xmlEscape(script))
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;").Replace(s)
}

// idleScript is an init that stays up until SIGTERM.
const idleScript = "echo init-started; trap 'exit 0' TERM; while :; do sleep 1; done"

var masks = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "UUID"},
	{regexp.MustCompile(`(?m)^(Id: +)[0-9]+$`), "${1}ID"},
	{regexp.MustCompile(`id='[0-9]+'`), "id='ID'"},
	{regexp.MustCompile(`(?m)^ [0-9]+( +)`), " ID${1}"},
	{regexp.MustCompile(`(?m)^[0-9]+$`), "ID"},
	{regexp.MustCompile(`Child process \([0-9]+\)`), "Child process (PID)"},
	{regexp.MustCompile(`(?m)^(CPU time: +)[0-9.]+s$`), "${1}T"},
	{regexp.MustCompile(`(?m)^(Used memory: +)[0-9]+ KiB$`), "${1}M KiB"},
	{regexp.MustCompile(`/dev/pts/[0-9]+`), "/dev/pts/N"},
	{regexp.MustCompile(`[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+\+0000`), "TIME"},
	// virsh 9.0 sometimes reports its own leaked domain reference when an
	// event loop times out (a client-side race, not the server's doing).
	{regexp.MustCompile(`(?m)^error: One or more references were leaked after disconnect from the hypervisor\n`), ""},
}

// mask replaces what legitimately differs between two runs.
func mask(s string, names ...string) string {
	for _, n := range names {
		s = strings.ReplaceAll(s, n, "DOM")
	}
	for _, m := range masks {
		s = m.re.ReplaceAllString(s, m.repl)
	}
	return s
}

// same compares two results after masking.
func same(t *testing.T, what string, a, b result, names ...string) {
	t.Helper()
	ma := result{mask(a.stdout, names...), mask(a.stderr, names...), a.rc}
	mb := result{mask(b.stdout, names...), mask(b.stderr, names...), b.rc}
	if ma != mb {
		t.Errorf("%s: virsh and virtlxc differ\n=== virsh %s\n=== virtlxc %s", what, ma, mb)
	}
}

// both runs one command through both clients, back to back, and compares.
func (d *daemon) both(t *testing.T, args ...string) result {
	t.Helper()
	v := d.virsh(args...)
	m := d.virtlxc(args...)
	same(t, strings.Join(args, " "), v, m)
	return m
}

// waitState polls until the domain reaches a state word.
func (d *daemon) waitState(name, want string) {
	d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := d.virtlxc("domstate", name)
		if strings.TrimSpace(r.stdout) == want {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("%s did not reach %q: %s", name, want, r)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
