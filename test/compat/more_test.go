package compat

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/testutil"
)

// TestStartPassFDsAnswered: virsh start --pass-fds 3 with a real listening
// socket; the container's init accepts on its fd 3 and answers.
func TestStartPassFDsAnswered(t *testing.T) {
	e := setup(t)
	bin := filepath.Join(t.TempDir(), "answer")
	build := exec.Command("go", "build", "-o", bin, "./test/compat/testdata/answer")
	build.Dir = testutil.RepoRoot()
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the answer init: %v\n%s", err, out)
	}
	if err := os.Chmod(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	xml := fmt.Sprintf("<domain type='lxc'><name>answer</name><memory>65536</memory><os><type>exe</type><init>%s</init></os><devices><console type='pty'/></devices></domain>", bin)
	if err := os.WriteFile(filepath.Join(e.xml, "answer.xml"), []byte(xml), 0o644); err != nil {
		t.Fatal(err)
	}
	e.out("define " + filepath.Join(e.xml, "answer.xml"))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lf, err := l.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", e.virsh+" start answer --pass-fds 3")
	cmd.Dir = e.xml
	cmd.ExtraFiles = []*os.File{lf}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Domain 'answer' started") {
		t.Fatalf("start --pass-fds: %v\n%s", err, out)
	}
	lf.Close()
	l.Close() // the container holds the only listening descriptor now
	c, err := net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	reply, _ := io.ReadAll(c)
	c.Close()
	if want := "hello from pid 1, LISTEN_FDS=1 LISTEN_PID=1\n"; string(reply) != want {
		t.Errorf("the container answered %q, want %q", reply, want)
	}
	e.out("destroy answer")
	e.out("undefine answer")
}

// TestUnsupportedAsLibvirt replays what libvirt 9.0's daemon (LXC driver
// only, in a private namespace on this machine kind, 2026-11-29) answered
// for procedures its LXC driver lacks: "this function is not supported by
// the connection driver: <API>", with the public API libvirt names
// (testdata/unsupported).
func TestUnsupportedAsLibvirt(t *testing.T) {
	e := setup(t)
	e.out("define " + filepath.Join(e.xml, "anchor-basic.xml"))
	files, _ := filepath.Glob(filepath.Join("testdata", "unsupported", "*.txt"))
	if len(files) < 20 {
		t.Fatalf("only %d recorded answers", len(files))
	}
	for _, f := range files {
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(want), "\n")
		args, ok := strings.CutPrefix(first, "$ virsh -c lxc:///system ")
		if !ok {
			t.Fatalf("%s: no command line", f)
		}
		if got := e.run(strings.TrimPrefix(first, "$ "), "V "+args); mask(got) != mask(string(want)) {
			t.Errorf("%s differs from real libvirt 9.0\n--- virtlxcd\n%s--- libvirt\n%s", filepath.Base(f), got, want)
		}
	}
	e.out("undefine anchor-basic")
}

// TestNodeStatistics runs virsh's host statistics commands against the
// daemon and checks them against /proc and /sys read beside them, and the
// errors libvirt 9.0 gives for CPUs and cells the host lacks.
func TestNodeStatistics(t *testing.T) {
	e := setup(t)
	present, err := os.ReadFile("/sys/devices/system/cpu/present")
	if err != nil {
		t.Fatal(err)
	}
	ncpu := 0
	if _, hi, ok := strings.Cut(strings.TrimSpace(string(present)), "-"); ok {
		ncpu, _ = strconv.Atoi(hi)
	}
	ncpu++
	out := e.out("nodecpustats")
	for _, f := range []string{"user:", "system:", "idle:", "iowait:"} {
		if !strings.Contains(out, f) {
			t.Errorf("nodecpustats has no %s:\n%s", f, out)
		}
	}
	mem := e.out("nodememstats")
	mi, _ := os.ReadFile("/proc/meminfo")
	total := strings.Fields(strings.SplitN(string(mi), "\n", 2)[0])[1]
	if !strings.Contains(mem, "total  : ") || !strings.Contains(mem, " "+total+" KiB") {
		t.Errorf("nodememstats total is not MemTotal %s:\n%s", total, mem)
	}
	if m := e.out("nodecpumap"); !strings.Contains(m, "CPUs present:   "+strconv.Itoa(ncpu)) {
		t.Errorf("nodecpumap:\n%s", m)
	}
	tune := e.out("node-memory-tune")
	scan, _ := os.ReadFile("/sys/kernel/mm/ksm/pages_to_scan")
	if !strings.Contains(tune, "\tshm_pages_to_scan "+strings.TrimSpace(string(scan))+"\n") || !strings.Contains(tune, "shm_full_scans") {
		t.Errorf("node-memory-tune:\n%s", tune)
	}
	for _, c := range []struct{ args, want string }{
		{"nodecpustats " + strconv.Itoa(ncpu), "error: Unable to get node cpu stats\nerror: Invalid cpuNum in virHostCPUGetStatsLinux\n"},
		{"nodecpustats -5", "error: Unable to get number of cpu stats\nerror: cpuNum in virNodeGetCPUStats only accepts -1 as a negative value\n"},
		{"nodememstats -5", "error: Unable to get number of memory stats\nerror: cellNum in virNodeGetMemoryStats only accepts -1 as a negative value\n"},
		{"nodesuspend mem 60", "error: The host was not suspended\nerror: argument unsupported: Suspend-to-RAM\n"},
		{"freepages --all", "--- stdout\nNode 0:\n4KiB: "},
		{"freepages --cellno 0 --pagesize 8", "error: operation failed: page size 8 is not available on node 0\n"},
	} {
		want := c.want
		if !strings.HasPrefix(want, "--- stdout") {
			want = "--- stderr\n" + want
		}
		if got := e.run("virsh "+c.args, "V "+c.args); !strings.Contains(got, want) {
			t.Errorf("%s:\n%s", c.args, got)
		}
	}
}

// metadataSteps are virsh desc and metadata calls on anchor-basic, in
// order, with the dumps that show their effect.
var metadataSteps = [][]string{
	{"desc", "anchor-basic", "hello world"},
	{"desc", "anchor-basic"},
	{"desc", "anchor-basic", "--title", "My Title"},
	{"desc", "anchor-basic", "--title", "bad\ntitle"},
	{"metadata", "anchor-basic", "http://example.org/ns", "--key", "ex", "--set", "<foo a='1'><b>bar</b></foo>"},
	{"metadata", "anchor-basic", "http://example.org/ns"},
	{"metadata", "anchor-basic", "http://other/", "--key", "o", "--set", "<x/>"},
	{"dumpxml", "anchor-basic", "--xpath", "/domain/metadata"},
	{"metadata", "anchor-basic", "http://example.org/ns", "--key", "ex", "--set", "<new>t</new>"},
	{"metadata", "anchor-basic", "http://x/", "--set", "<a/>"},
	{"metadata", "anchor-basic", "http://x/", "--key", "k", "--set", "<a>"},
	{"metadata", "anchor-basic", "http://x/", "--key", "k", "--set", "text"},
	{"metadata", "anchor-basic", "http://x/", "--key", "1x", "--set", "<y/>"},
	{"metadata", "anchor-basic", "http://x/", "--key", "d", "--set", "<y xmlns:d='urn:other'/>"},
	{"metadata", "anchor-basic", "http://other/", "--key", "o2", "--set", "<y xmlns:z='urn:z' b=\"q\"><z:q>1 &amp; 2<inner/></z:q><!-- c --></y>"},
	{"metadata", "anchor-basic", "http://b/", "--key", "b", "--set", "<y xmlns='urn:def'><c/></y>"},
	{"metadata", "anchor-basic", "http://g/", "--key", "g", "--set", "<y x:attr='1' xmlns:x='http://g/'><x:k/></y>"},
	{"metadata", "anchor-basic", "http://g/"},
	{"metadata", "anchor-basic", "http://other/"},
	{"metadata", "anchor-basic", "http://b/"},
	{"dumpxml", "anchor-basic", "--xpath", "/domain/metadata"},
	{"metadata", "anchor-basic", "http://x/", "--key", "k", "--set", "<a/>", "--live"},
	{"metadata", "anchor-basic", "http://example.org/ns", "--remove"},
	{"metadata", "anchor-basic", "http://other/", "--remove"},
	{"metadata", "anchor-basic", "http://b/", "--remove"},
	{"metadata", "anchor-basic", "http://g/", "--remove"},
	{"dumpxml", "anchor-basic", "--xpath", "/domain/metadata"},
	{"desc", "anchor-basic", ""},
	{"desc", "anchor-basic", "--title", ""},
	{"desc", "anchor-basic"},
	{"desc", "anchor-basic", "--title"},
}

// runSteps runs virsh with each step's arguments against uri and prints
// what it printed.
func runSteps(t *testing.T, uri string, steps [][]string) string {
	var b strings.Builder
	for _, s := range steps {
		cmd := exec.Command("virsh", append([]string{"-c", uri}, s...)...)
		out, err := cmd.CombinedOutput()
		rc := 0
		if ee, ok := err.(*exec.ExitError); ok {
			rc = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "$ virsh %q\n%s--- rc=%d\n", s, out, rc)
	}
	return b.String()
}

// TestMetadataAsLibvirt replays virsh desc and metadata calls and compares
// their output with what libvirt 9.0's daemon printed for the same calls
// (testdata/metadata.txt; VIRTLXC_RECORD_URI=<a libvirtd's URI> records
// it again from that daemon, whose anchor-basic must be defined).
func TestMetadataAsLibvirt(t *testing.T) {
	replay(t, filepath.Join("testdata", "metadata.txt"), metadataSteps, func(s string) string { return s })
}

// replay runs steps with virsh against a fresh daemon with anchor-basic
// defined and compares the output, cleaned, with what libvirt 9.0's
// daemon printed (ref); VIRTLXC_RECORD_URI=<a libvirtd's URI> records ref
// again from that daemon instead.
func replay(t *testing.T, ref string, steps [][]string, clean func(string) string) {
	t.Helper()
	if uri := os.Getenv("VIRTLXC_RECORD_URI"); uri != "" {
		if err := os.WriteFile(ref, []byte(clean(runSteps(t, uri, steps))), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	e := setup(t)
	e.out("define " + filepath.Join(e.xml, "anchor-basic.xml"))
	want, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(clean(runSteps(t, strings.TrimPrefix(e.virsh, "virsh -c "), steps)), e.rootfs, anchorRootfs)
	if got != string(want) {
		t.Errorf("virsh output differs from libvirt 9.0's (%s)\n--- virtlxcd\n%s--- libvirt\n%s", ref, got, want)
	}
	e.out("undefine anchor-basic")
}

// TestSendProcessSignalAndHostname: signals reach only init (pid 1), as
// with libvirt's LXC driver, with its errors; a domain without a
// type='network' interface has no hostname to report.
func TestSendProcessSignalAndHostname(t *testing.T) {
	e := setup(t)
	e.out("define " + filepath.Join(e.xml, "anchor-basic.xml"))
	e.out("start anchor-basic")
	for _, c := range []struct{ args, want string }{
		{"send-process-signal anchor-basic 1 0", "--- stderr\n--- rc=0"},
		{"send-process-signal anchor-basic 2 0", "error: argument unsupported: Only the init process may be killed\n"},
		{"send-process-signal anchor-basic 0 0", "error: pid_value in virDomainSendProcessSignal must not be zero\n"},
		{"send-process-signal anchor-basic 1 99", "error: invalid argument: signum value 99 is out of range\n"},
		{"domhostname anchor-basic", "error: failed to get hostname\nerror: no hostname found: no hostname found for domain anchor-basic\n"},
		{"domhostname anchor-basic --source agent", "error: unsupported flags (0x2) in function lxcDomainGetHostname\n"},
		{"domblkstat anchor-basic", "--- stdout\n rd_req "},
		{"cpu-stats anchor-basic", "--- stdout\nCPU0:\n\tcpu_time "},
		{"cpu-stats anchor-basic --start 0 --count 1", "--- stdout\nCPU0:\n\tcpu_time "},
		{"domblkstat anchor-basic vda", "error: Failed to get block stats for domain 'anchor-basic' device 'vda'\nerror: invalid argument: invalid path: vda\n"},
	} {
		if got := e.run("virsh "+c.args, "V "+c.args); !strings.Contains(got, c.want) {
			t.Errorf("%s:\n%s", c.args, got)
		}
	}
	e.out("send-process-signal anchor-basic 1 sigkill")
	e.waitState("anchor-basic", "shut off")
	if got := e.run("virsh send-process-signal", "V send-process-signal anchor-basic 1 0"); !strings.Contains(got, "error: Requested operation is not valid: domain is not running\n") {
		t.Errorf("signal to a stopped domain:\n%s", got)
	}
	e.out("undefine anchor-basic")
}

// deviceFiles are the device definitions deviceSteps attach and detach.
var deviceFiles = map[string]string{
	"net1.xml":      "<interface type='bridge'><mac address='52:54:00:11:22:33'/><source bridge='br0'/></interface>\n",
	"net2.xml":      "<interface type='network'><source network='default'/><link state='down'/></interface>\n",
	"net1up.xml":    "<interface type='bridge'><mac address='52:54:00:11:22:33'/><source bridge='br0'/><link state='down'/></interface>\n",
	"net1other.xml": "<interface type='bridge'><mac address='52:54:00:99:99:99'/><source bridge='br0'/></interface>\n",
	"net3.xml":      "<interface type='ethernet'><mac address='52:54:00:33:33:33'/></interface>\n",
	"net3down.xml":  "<interface type='ethernet'><mac address='52:54:00:33:33:33'/><link state='down'/></interface>\n",
	"disk.xml":      "<disk type='block' device='disk'><source dev='/dev/loop7'/><target dev='vdb' bus='virtio'/></disk>\n",
	"disk2.xml":     "<disk type='block' device='disk'><source dev='/dev/loop6'/><target dev='vda' bus='virtio'/></disk>\n",
	"hostdev.xml":   "<hostdev mode='capabilities' type='misc'><source><char>/dev/null</char></source></hostdev>\n",
	"fs.xml":        "<filesystem type='mount'><source dir='/tmp'/><target dir='/mnt'/></filesystem>\n",
	"console.xml":   "<console type='pty'/>\n",
	"bad.xml":       "<interface type='bridge'><source bridge='br0'/>\n",
	"domain.xml":    "<domain type='lxc'><name>x</name></domain>\n",
}

// deviceSteps are virsh's device commands on the inactive anchor-basic.
var deviceSteps = [][]string{
	{"attach-device", "anchor-basic", "DIR/net1.xml", "--config"},
	{"attach-device", "anchor-basic", "DIR/net1.xml", "--config"},
	{"attach-device", "anchor-basic", "DIR/net2.xml", "--config"},
	{"attach-interface", "anchor-basic", "bridge", "br1", "--mac", "52:54:00:aa:bb:cc", "--config"},
	{"attach-device", "anchor-basic", "DIR/net3.xml", "--config"},
	{"attach-device", "anchor-basic", "DIR/disk.xml", "--config"},
	{"attach-device", "anchor-basic", "DIR/disk2.xml", "--config"},
	{"attach-device", "anchor-basic", "DIR/disk.xml", "--config"},
	{"attach-device", "anchor-basic", "DIR/hostdev.xml", "--config"},
	{"attach-device", "anchor-basic", "DIR/hostdev.xml", "--config"},
	{"attach-device", "anchor-basic", "DIR/fs.xml", "--config"},
	{"attach-device", "anchor-basic", "DIR/console.xml", "--config"},
	{"attach-device", "anchor-basic", "DIR/bad.xml", "--config"},
	{"attach-device", "anchor-basic", "DIR/domain.xml", "--config"},
	{"attach-device", "anchor-basic", "DIR/net1.xml"},
	{"attach-device", "anchor-basic", "DIR/net1.xml", "--live"},
	{"dumpxml", "anchor-basic", "--inactive", "--xpath", "/domain/devices"},
	{"update-device", "anchor-basic", "DIR/net1up.xml", "--config"},
	{"update-device", "anchor-basic", "DIR/net1other.xml", "--config"},
	{"update-device", "anchor-basic", "DIR/net3down.xml", "--config"},
	{"update-device", "anchor-basic", "DIR/disk.xml", "--config"},
	{"update-device", "anchor-basic", "DIR/net1up.xml", "--live"},
	{"dumpxml", "anchor-basic", "--inactive", "--xpath", "/domain/devices/interface"},
	{"detach-device", "anchor-basic", "DIR/net1other.xml", "--config"},
	{"detach-device", "anchor-basic", "DIR/net1.xml", "--config"},
	{"detach-interface", "anchor-basic", "network", "--config"},
	{"detach-interface", "anchor-basic", "bridge", "--config"},
	{"detach-interface", "anchor-basic", "bridge", "--mac", "52:54:00:aa:bb:cc", "--config"},
	{"detach-interface", "anchor-basic", "ethernet", "--config"},
	{"detach-device", "anchor-basic", "DIR/disk.xml", "--config"},
	{"detach-device", "anchor-basic", "DIR/disk.xml", "--config"},
	{"detach-disk", "anchor-basic", "vda", "--config"},
	{"detach-device", "anchor-basic", "DIR/hostdev.xml", "--config"},
	{"detach-device", "anchor-basic", "DIR/hostdev.xml", "--config"},
	{"detach-device", "anchor-basic", "DIR/fs.xml", "--config"},
	{"dumpxml", "anchor-basic", "--inactive", "--xpath", "/domain/devices"},
}

var generatedMAC = regexp.MustCompile(`52:54:00(:[0-9a-f]{2}){3}`)

// TestDevicesAsLibvirt replays virsh's device commands on a defined
// domain's config and compares their output with what libvirt 9.0's
// daemon printed for them (testdata/devices.txt; VIRTLXC_RECORD_URI
// records it again, as for TestMetadataAsLibvirt).
func TestDevicesAsLibvirt(t *testing.T) {
	dir := t.TempDir()
	for name, text := range deviceFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	steps := make([][]string, len(deviceSteps))
	for i, s := range deviceSteps {
		for _, a := range s {
			steps[i] = append(steps[i], strings.ReplaceAll(a, "DIR", dir))
		}
	}
	clean := func(s string) string {
		s = strings.ReplaceAll(s, dir, "DIR")
		return generatedMAC.ReplaceAllStringFunc(s, func(m string) string {
			for _, keep := range []string{"11:22:33", "99:99:99", "aa:bb:cc", "33:33:33"} {
				if strings.HasSuffix(m, keep) {
					return m
				}
			}
			return "52:54:00:GEN"
		})
	}
	replay(t, filepath.Join("testdata", "devices.txt"), steps, clean)
}
