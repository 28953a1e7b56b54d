package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"
	"github.com/digitalocean/go-libvirt/socket/dialers"

	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/wire"
)

const referenceDir = "/work/shared/anchors/reference"

// referenceStdout returns the stdout section of a captured real-libvirt run.
func referenceStdout(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(referenceDir, name))
	if err != nil {
		t.Skipf("reference output: %v", err)
	}
	_, rest, ok := strings.Cut(string(b), "--- stdout\n")
	out, _, ok2 := strings.Cut(rest, "--- stderr\n")
	if !ok || !ok2 {
		t.Fatalf("%s: no stdout section", name)
	}
	return out
}

// startMinimal serves exactly the handshake and the connection-level calls
// virsh's uri, version, hostname and list need, like libvirtd on an empty
// host named "vm".
func startMinimal(t *testing.T) string {
	t.Helper()
	logs := &logBuffer{}
	srv := server.New(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), server.Options{})
	registerHandshake(srv, "vm")
	path := filepath.Join(t.TempDir(), "virtlxcd-sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln, false)
	t.Cleanup(func() {
		srv.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return path
}

func runTool(t *testing.T, name string, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	home := t.TempDir()
	cmd.Env = []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home, "XDG_CACHE_HOME=" + home,
		"XDG_RUNTIME_DIR=" + home, "PATH=/usr/bin:/bin", "LANG=C"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), stderr.String()
}

// The real virsh 9.0 connects, hands its commands over and prints what real
// libvirtd's answers make it print (spec §2.2; anchors/reference).
func TestRealVirsh(t *testing.T) {
	const virsh = "/usr/bin/virsh"
	if _, err := os.Stat(virsh); err != nil {
		t.Skip("virsh is not installed")
	}
	path := startMinimal(t)
	uri := "lxc:///system?socket=" + path
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"list", "--all"}, referenceStdout(t, "00-list-all-empty.txt")},
		{[]string{"hostname"}, referenceStdout(t, "00-hostname.txt")},
		{[]string{"version"}, referenceStdout(t, "00-version.txt")},
		// uri prints the URI as given, without a call (spec §2.1).
		{[]string{"uri"}, strings.Replace(referenceStdout(t, "00-uri.txt"), "lxc:///system", uri, 1)},
		{[]string{"version", "--daemon"}, strings.TrimSuffix(referenceStdout(t, "00-version.txt"), "\n") +
			"Running against daemon: 9.0.0\n\n"},
		{[]string{"-r", "list", "--all"}, referenceStdout(t, "00-list-all-empty.txt")},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			args := append([]string{"-c", uri}, c.args...)
			if c.args[0] == "-r" {
				args = append([]string{"-r", "-c", uri}, c.args[1:]...)
			}
			out, errOut := runTool(t, virsh, args...)
			if out != c.want {
				t.Fatalf("stdout:\n%q\nwant:\n%q\nstderr: %s", out, c.want, errOut)
			}
			if errOut != "" {
				t.Fatalf("stderr: %q", errOut)
			}
		})
	}
}

// runVirsh runs virsh and returns its combined output and exit error.
func runVirsh(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/virsh", args...)
	home := t.TempDir()
	cmd.Env = []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home, "XDG_CACHE_HOME=" + home, "PATH=/usr/bin:/bin", "LANG=C"}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Real virsh against the toy handlers: fds with CALL_WITH_FDS, an event
// pushed as MESSAGE, and error texts as virsh prints them.
func TestRealVirshCommands(t *testing.T) {
	if _, err := os.Stat("/usr/bin/virsh"); err != nil {
		t.Skip("virsh is not installed")
	}
	ts := start(t, server.Options{}, nil)
	uri := "lxc:///system?socket=" + ts.rw

	// --pass-fds 1,2: the handler writes "fd0" into virsh's stdout and "fd1"
	// into its stderr, through the descriptors it received.
	out, err := runVirsh(t, "-c", uri, "start", "alpha", "--pass-fds", "1,2")
	if err != nil || !strings.Contains(out, "fd0") || !strings.Contains(out, "fd1") || !strings.Contains(out, "Domain 'alpha' started") {
		t.Fatalf("start --pass-fds: %v\n%s", err, out)
	}

	out, err = runVirsh(t, "-r", "-c", uri, "destroy", "alpha")
	if err == nil || !strings.Contains(out, "error: operation forbidden: read only access prevents virDomainDestroy") {
		t.Fatalf("read-only destroy: %v\n%s", err, out)
	}
	out, err = runVirsh(t, "-c", uri, "dominfo", "nosuchdom")
	if err == nil || !strings.Contains(out, "error: failed to get domain 'nosuchdom'") {
		t.Fatalf("dominfo of a missing domain: %v\n%s", err, out)
	}

	// virsh event waits for one lifecycle event, which the test pushes to
	// every registration, as the driver's event bus would, until virsh
	// got it and exited (a push racing the registration reply is ignored
	// by virsh, hence the repetition).
	done := make(chan string, 1)
	go func() {
		out, err := runVirsh(t, "-c", uri, "event", "--event", "lifecycle", "--timeout", "20")
		done <- fmt.Sprintf("%v\n%s", err, out)
	}()
	var got string
	for got == "" {
		select {
		case got = <-done:
		case <-time.After(50 * time.Millisecond):
			for _, c := range ts.srv.Conns() {
				ids, ok := c.Value(eventsKey{}).(*callbackIDs)
				if !ok {
					continue
				}
				for _, id := range ids.all() {
					c.SendMessage(wire.ProgramRemote, proto.ProcDomainEventCallbackLifecycle,
						&libvirt.DomainEventCallbackLifecycleMsg{CallbackID: id,
							Msg: libvirt.DomainEventLifecycleMsg{Dom: alpha, Event: 2}})
				}
			}
		}
	}
	if !strings.Contains(got, "event 'lifecycle' for domain 'alpha': Started Booted") || !strings.Contains(got, "events received: 1") {
		t.Fatalf("virsh event printed:\n%s", got)
	}
}

// python3-libvirt (libvirt 9.0's client library) against the server.
func TestRealPythonLibvirt(t *testing.T) {
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import libvirt").Run(); err != nil {
		t.Skip("python3-libvirt is not installed")
	}
	ts := start(t, server.Options{}, nil)
	script := `
import sys, libvirt
c = libvirt.open(sys.argv[1])
print(c.getHostname())
print(c.getLibVersion())
try:
    c.lookupByName("nosuchdom")
except libvirt.libvirtError as e:
    print(e.get_error_code(), e.get_error_domain(), e.get_error_message())
d = c.lookupByName("alpha")
print(d.name(), d.ID())
c.close()
`
	out, _ := runTool(t, py, "-c", script, "lxc:///system?socket="+ts.rw)
	want := "toyhost\n9000000\n42 17 Domain not found: No domain with matching name 'nosuchdom'\nalpha -1\n"
	if out != want {
		t.Fatalf("python printed:\n%s\nwant:\n%s", out, want)
	}
}

// go-libvirt: its hand-encoded CONNECT_OPEN, errors, events and a
// bidirectional console stream.
func TestGoLibvirt(t *testing.T) {
	ts := start(t, server.Options{}, nil)
	l := libvirt.NewWithDialer(dialers.NewLocal(dialers.WithSocket(ts.rw), dialers.WithLocalTimeout(5*time.Second)))
	if err := l.ConnectToURI("lxc:///system"); err != nil {
		t.Fatal(err)
	}
	defer l.Disconnect()
	if h, err := l.ConnectGetHostname(); err != nil || h != "toyhost" {
		t.Fatalf("hostname %q, %v", h, err)
	}
	if _, err := l.DomainLookupByName("nosuchdom"); !libvirt.IsNotFound(err) {
		t.Fatalf("lookup error %v is not NotFound", err)
	}
	if _, err := l.DomainGetXMLDesc(alpha, 0); !errors.Is(err, libvirt.ErrUnsupported) {
		t.Fatalf("unregistered procedure gave %v, want ErrUnsupported", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := l.LifecycleEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.DomainCreate(alpha); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-events:
		if ev.Dom.Name != "alpha" || ev.Event != 2 {
			t.Fatalf("event %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}

	in, out := io.Pipe()
	got := &signalWriter{want: "HELLO", seen: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- l.DomainOpenConsoleBidirectional(alpha, nil, in, got, 0) }()
	out.Write([]byte("hello"))
	select {
	case <-got.seen:
	case <-time.After(5 * time.Second):
		t.Fatalf("console echoed %q", got.String())
	}
	out.Close() // go-libvirt finishes the stream; the server confirms
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("console did not finish")
	}
}

// signalWriter closes seen once its contents include want.
type signalWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
