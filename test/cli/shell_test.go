package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runStdin runs a client with the given standard input.
func runStdin(d *daemon, prog, stdin string, args ...string) result {
	cmd := exec.Command(prog, append([]string{"-c", d.uri}, args...)...)
	cmd.Dir = d.root
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	rc := 0
	if ee, ok := err.(*exec.ExitError); ok {
		rc = ee.ExitCode()
	}
	return result{out.String(), errb.String(), rc}
}

func TestShellFromPipe(t *testing.T) {
	d := startDaemon(t)
	input := "uri\nlist --all; hostname\n\nnosuch\n# a comment\nhelp domname\nquit\nuri\n"
	v := runStdin(d, virshPath, input)
	m := runStdin(d, filepath.Join(d.bin, "virtlxc"), input)
	norm := func(r result, prompt string) result {
		r.stdout = strings.ReplaceAll(r.stdout, prompt, "PROMPT ")
		if i := strings.Index(r.stdout, "PROMPT "); i >= 0 {
			r.stdout = r.stdout[i:] // the welcome banner names the program
		}
		return r
	}
	same(t, "shell", norm(v, "virsh # "), norm(m, "virtlxc # "))
	if !strings.Contains(m.stdout, "Welcome to virtlxc") {
		t.Errorf("no banner:\n%s", m.stdout)
	}
	if q := runStdin(d, filepath.Join(d.bin, "virtlxc"), "uri\n", "-q"); q.stdout != "virtlxc # uri\nlxc:///system?socket="+d.sock+"\nvirtlxc # \n" {
		t.Errorf("quiet shell: %q", q.stdout)
	}
}

func TestShellOnTerminalWithHistory(t *testing.T) {
	d := startDaemon(t)
	home := t.TempDir()
	p := startPTY(t, []string{"HOME=" + home, "XDG_CACHE_HOME="}, filepath.Join(d.bin, "virtlxc"), "-c", d.uri)
	p.waitFor("virtlxc # ")
	p.send("hostname\r")
	p.waitFor("\nvirtlxc # ")
	host, _ := os.Hostname()
	p.send("\x1b[A\r") // up arrow: the previous line again
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(p.output(), host) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := strings.Count(p.output(), host); n < 2 {
		t.Errorf("history did not repeat hostname (%d):\n%q", n, p.output())
	}
	p.send("quit\r")
	if rc := p.wait(); rc != 0 {
		t.Errorf("exit status %d", rc)
	}
	p.restored()
	hist, err := os.ReadFile(filepath.Join(home, ".cache/virtlxc/history"))
	if err != nil || !strings.Contains(string(hist), "hostname") {
		t.Errorf("history file: %q %v", hist, err)
	}
}

func TestDaemonNotRunning(t *testing.T) {
	bin := binaries(t)
	sock := filepath.Join(t.TempDir(), "none-sock")
	r := run("/", nil, filepath.Join(bin, "virtlxc"), "-c", "lxc:///system?socket="+sock, "list")
	want := fmt.Sprintf("error: failed to connect to the hypervisor: no daemon is listening on '%s' (No such file or directory); start it with 'virtlxcd --daemon --socket %s'\n", sock, sock)
	if r.rc != 1 || r.stderr != want || r.stdout != "" {
		t.Errorf("got %s\nwant stderr %q", r, want)
	}
	// Without -c the failure comes from the command itself: virsh then
	// prints the blank line that ends every command.
	r = run("/", []string{"LIBVIRT_DEFAULT_URI=lxc:///system?socket=" + sock}, filepath.Join(bin, "virtlxc"), "list")
	if r.rc != 1 || r.stderr != want || r.stdout != "\n" {
		t.Errorf("got %s", r)
	}
}

func TestCompletion(t *testing.T) {
	d := startDaemon(t)
	d.writeFile("cpl.xml", hostRootXML("cpl-dom", idleScript))
	d.virtlxc("define", "cpl.xml")
	bin := filepath.Join(d.bin, "virtlxc")
	script := run("/", nil, bin, "completion", "bash")
	if script.rc != 0 || !strings.Contains(script.stdout, "complete -o default -F _virtlxc virtlxc") {
		t.Fatal(script)
	}
	for _, c := range []struct {
		words []string
		want  string
	}{
		{[]string{"-c", d.uri, "st"}, "start"},
		{[]string{"-c", d.uri, "start", ""}, "cpl-dom"},
		{[]string{"-c", d.uri, "start", "--"}, "--pass-fds"},
		{[]string{"-c", d.uri, "shutdown", "x", "--mode", ""}, "initctl"},
		{[]string{"-c", d.uri, "event", "--event", ""}, "lifecycle"},
		{[]string{"-c", d.uri, "help", ""}, "lxc-enter-namespace"},
	} {
		r := run("/", nil, bin, append([]string{"__complete"}, c.words...)...)
		if !strings.Contains("\n"+r.stdout, "\n"+c.want+"\n") {
			t.Errorf("completing %q: no %q in\n%s", c.words, c.want, r.stdout)
		}
	}
	// Through bash itself.
	out, err := exec.Command("bash", "-c", script.stdout+`
COMP_WORDS=(`+bin+` -c '`+d.uri+`' dominf); COMP_CWORD=3; _virtlxc; echo "${COMPREPLY[@]}"`).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "dominfo" {
		t.Errorf("bash completion: %q %v", out, err)
	}
}

// TestDaemonAutostart runs virtlxc with the default URI in a private mount
// and network namespace whose /run, /etc/libvirt, /var/log and /var/lib are
// empty: it starts the virtlxcd next to it, as libvirt autostarts its
// session daemon. The network config directory exists, so this system
// daemon does not install the default network (it would on a real first
// start; the private network namespace keeps the host's untouched anyway).
func TestDaemonAutostart(t *testing.T) {
	d := startDaemon(t) // for root and virsh checks; its daemon is not used
	script := `for m in /run /etc/libvirt /var/log /var/lib; do mount -t tmpfs tmpfs $m || exit 1; done
mkdir -p /etc/libvirt/qemu/networks || exit 1
` + filepath.Join(d.bin, "virtlxc") + ` list --all
rc=$?
echo "pid=$(cat /run/libvirt/lxc/driver.pid 2>/dev/null)"
exit $rc`
	out, err := exec.Command("unshare", "-m", "-n", "--propagation", "private", "sh", "-c", script).CombinedOutput()
	if i := strings.LastIndex(string(out), "pid="); i >= 0 {
		if pid := strings.TrimSpace(string(out[i+4:])); pid != "" {
			exec.Command("kill", pid).Run()
		}
	}
	if err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), " Id   Name   State\n--------------------\n") {
		t.Errorf("unexpected output:\n%s", out)
	}
}
