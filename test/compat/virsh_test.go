// Package compat runs the unmodified virsh 9.0 against a private virtlxcd
// and compares every output with what real libvirt 9.0 printed for the same
// scenario (../shared/anchors/reference, recorded by the anchors'
// capture-reference.sh), after masking what differs by nature: ids, uuids,
// times, pty numbers, inode numbers.
package compat

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/daemon"
	"virtlxc/internal/testutil"
)

// anchors is ../shared/anchors beside the repository.
func anchors(t *testing.T) string {
	d := filepath.Join(testutil.RepoRoot(), "..", "shared", "anchors")
	if _, err := os.Stat(filepath.Join(d, "reference")); err != nil {
		t.Fatalf("reference outputs not found at %s: %v", d, err)
	}
	return d
}

// env is one private daemon, the anchors' busybox rootfs and XML inputs.
type env struct {
	t      *testing.T
	root   string // --root
	rootfs string
	xml    string // directory of the XML inputs (the working directory)
	virsh  string // the VIRSH command line
	ref    string
	daemon *exec.Cmd
}

const anchorRootfs = "/var/tmp/anchor-rootfs" // the path in the reference outputs

func setup(t *testing.T) *env {
	testutil.RequireRoot(t)
	if _, err := exec.LookPath("virsh"); err != nil {
		t.Fatalf("virsh (libvirt-clients) is needed: %v", err)
	}
	a := anchors(t)
	bin := testutil.Binaries(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, root: filepath.Join(dir, "root"), rootfs: filepath.Join(dir, "rootfs"), xml: filepath.Join(dir, "xml"), ref: filepath.Join(a, "reference")}
	if out, err := exec.Command("sh", filepath.Join(a, "mkrootfs.sh"), e.rootfs).CombinedOutput(); err != nil {
		t.Fatalf("mkrootfs.sh: %v\n%s", err, out)
	}
	if err := os.MkdirAll(e.xml, 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(e.ref, "xml", "*.xml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data = bytes.ReplaceAll(data, []byte(anchorRootfs), []byte(e.rootfs))
		if err := os.WriteFile(filepath.Join(e.xml, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.daemon = exec.Command(filepath.Join(bin, "virtlxcd"), "--root", e.root)
	e.daemon.Stderr = os.Stderr
	if err := e.daemon.Start(); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(e.root, "run/libvirt/virtlxcd-sock")
	e.virsh = "virsh -c lxc:///system?socket=" + sock
	t.Cleanup(e.cleanup)
	deadline := time.Now().Add(10 * time.Second)
	for {
		// The socket's file exists from bind(2) on, a moment before
		// listen(2): wait until a connection is accepted.
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("virtlxcd did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return e
}

// cleanup destroys every domain still running, stops the daemon by pid and
// removes the daemon's cgroup partition.
func (e *env) cleanup() {
	out, _ := exec.Command("sh", "-c", e.virsh+" list --name").Output()
	for _, name := range strings.Fields(string(out)) {
		_ = exec.Command("sh", "-c", e.virsh+" destroy "+name).Run()
	}
	_ = e.daemon.Process.Kill()
	_ = e.daemon.Wait()
	// The daemon's spare controller, on its socket's EOF, removes the
	// cgroup it made in the partition: wait for that.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		dirs, _ := filepath.Glob("/sys/fs/cgroup/*/machine/" + daemon.CgroupScope(e.root) + ".partition")
		left := 0
		for _, d := range dirs {
			if os.Remove(d) != nil {
				left++
			}
		}
		if left == 0 || time.Now().After(deadline) {
			return
		}
	}
}

// run executes a shell snippet (VIRSH and V available) in the XML directory
// and formats it as the anchors' rec does.
func (e *env) run(shown, snippet string) string {
	cmd := exec.Command("bash", "-c", "V() { $VIRSH \"$@\"; }; "+snippet)
	cmd.Dir = e.xml
	cmd.Env = append(os.Environ(), "VIRSH="+e.virsh)
	var o, er bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &er
	err := cmd.Run()
	rc := 0
	if ee, ok := err.(*exec.ExitError); ok {
		rc = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("%s: %v", shown, err)
	}
	return fmt.Sprintf("$ %s\n--- stdout\n%s--- stderr\n%s--- rc=%d\n", shown, o.String(), er.String(), rc)
}

var masks = []struct {
	re  *regexp.Regexp
	rep string
}{
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "<UUID>"},
	{regexp.MustCompile(`(Id:\s+)\d+`), "${1}<ID>"},
	{regexp.MustCompile(`(?m)^(\s*)\d+(\s+anchor-)`), "${1}<ID>${2}"},
	{regexp.MustCompile(`(id|pid)='\d+'`), "${1}='<PID>'"},
	{regexp.MustCompile(`/dev/pts/\d+`), "/dev/pts/<N>"},
	{regexp.MustCompile(`[Pp]rocess \(\d+\)`), "process (<PID>)"},
	{regexp.MustCompile(`(Used memory:\s+)\d+`), "${1}<N>"},
	{regexp.MustCompile(`(?m)^(rss|swap_in) \d+$`), "${1} <N>"},
	{regexp.MustCompile(`(cpu_time|user_time|system_time) +[\d.]+ seconds`), "${1} <N> seconds"},
	{regexp.MustCompile(`(CPU time:\s+)[\d.]+s`), "${1}<N>s"},
	{regexp.MustCompile(`(--- stdout\n)\d+\n`), "${1}<ID>\n"},
	{regexp.MustCompile(`(?m)^ Id +Name +State$`), " Id Name State"},
	{regexp.MustCompile(`(?m)^-{10,}$`), "----------"},
	{regexp.MustCompile(`(?m)^ (<ID>|-) +(\S+) +`), " $1 $2 "},
}

func mask(s string) string {
	for _, m := range masks {
		s = m.re.ReplaceAllString(s, m.rep)
	}
	return s
}

// check compares a step's output with the reference file of the same name.
func (e *env) check(name, snippet string) {
	e.t.Helper()
	shown := strings.ReplaceAll(snippet, "V ", "virsh -c lxc:///system ")
	got := e.run(shown, snippet)
	got = strings.ReplaceAll(got, e.rootfs, anchorRootfs)
	want, err := os.ReadFile(filepath.Join(e.ref, name+".txt"))
	if err != nil {
		e.t.Fatalf("reference %s: %v", name, err)
	}
	if mask(got) != mask(string(want)) {
		e.t.Errorf("%s differs from real libvirt 9.0\n--- virtlxcd\n%s--- libvirt\n%s", name, got, want)
	}
}

// console attaches like the anchors' console(): type input, wait, ^].
func console(dom, input, wait string) string {
	return fmt.Sprintf(`{ sleep 1; printf '%%b' '%s'; sleep %s; printf '\035'; sleep 0.5; } | timeout 20 script -qfec "$VIRSH console %s" /dev/null | tr -d '\r'; exit ${PIPESTATUS[1]}`, input, wait, dom)
}

// checkAs is check with the command line shown as the reference shows it.
func (e *env) checkAs(name, shown, snippet string) {
	e.t.Helper()
	got := e.run(shown, snippet)
	got = strings.ReplaceAll(got, e.rootfs, anchorRootfs)
	want, err := os.ReadFile(filepath.Join(e.ref, name+".txt"))
	if err != nil {
		e.t.Fatalf("reference %s: %v", name, err)
	}
	if mask(got) != mask(string(want)) {
		e.t.Errorf("%s differs from real libvirt 9.0\n--- virtlxcd\n%s--- libvirt\n%s", name, got, want)
	}
}

// waitState polls until domstate prints want (a shutdown is asynchronous).
func (e *env) waitState(dom, want string) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out, _ := exec.Command("sh", "-c", e.virsh+" domstate "+dom).Output()
		if strings.TrimSpace(string(out)) == want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatalf("%s never reached %q", dom, want)
}
