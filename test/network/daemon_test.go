package network

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"virtlxc/internal/netdev"
	"virtlxc/internal/testutil"
)

// virtlxc runs the virsh-compatible CLI against the daemon's socket.
func virtlxc(t *testing.T, bin, sock string, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(filepath.Join(bin, "virtlxc"), append([]string{"-c", "lxc:///system?socket=" + sock}, args...)...).CombinedOutput()
	return string(out), err
}

// TestDaemonRecordsHostEnd runs a bridge container through virtlxcd (itself
// inside the test namespace): the live XML names the host end the
// controller chose, and destroy removes it.
func TestDaemonRecordsHostEnd(t *testing.T) {
	ns := newNS(t)
	ns.ip("link", "add", "br0", "type", "bridge")
	bin, root, sock := ns.daemon()
	rootfs := testutil.BusyboxRoot(t)
	xml := domainXML("netd", rootfs, "exec sleep 1000", `    <interface type='bridge'><source bridge='br0'/><guest dev='lan0'/></interface>
    <interface type='bridge'><source bridge='br0'/></interface>
`, "")
	createCtr(t, bin, sock, root, "netd", xml)
	var hosts []string
	for name, l := range ns.links() {
		if l.Type == "veth" && l.Master == "br0" {
			hosts = append(hosts, name)
		}
	}
	out, err := virtlxc(t, bin, sock, "dumpxml", "netd")
	if err != nil {
		t.Fatalf("dumpxml: %v\n%s", err, out)
	}
	if len(hosts) != 2 {
		t.Fatalf("host ends %q, want two", hosts)
	}
	for _, host := range hosts {
		if !strings.HasPrefix(host, netdev.AutoPrefix(root)) {
			t.Errorf("host end %q, want one named with prefix %s", host, netdev.AutoPrefix(root))
		}
		if !strings.Contains(out, "<target dev='"+host+"'/>") {
			t.Errorf("live XML does not name the host end %s:\n%s", host, out)
		}
	}
	// The container's names too, as libvirt records them at start: the
	// one given, and ethK for the interface without one.
	for _, want := range []string{"<guest dev='lan0'/>", "<guest dev='eth0'/>"} {
		if !strings.Contains(out, want) {
			t.Errorf("live XML lacks %s:\n%s", want, out)
		}
	}
	if out, err := virtlxc(t, bin, sock, "destroy", "netd"); err != nil {
		t.Fatalf("destroy: %v\n%s", err, out)
	}
	ns.assertOnly("lo", "br0")
}

// createCtr writes a domain's XML into dir and creates (starts) it with
// virtlxc; it is destroyed when the test ends.
func createCtr(t *testing.T, bin, sock, dir, name, xml string) {
	t.Helper()
	cfg := filepath.Join(dir, name+".xml")
	if err := os.WriteFile(cfg, []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := virtlxc(t, bin, sock, "create", cfg); err != nil {
		t.Fatalf("create %s: %v\n%s", name, err, out)
	}
	t.Cleanup(func() { _, _ = virtlxc(t, bin, sock, "destroy", name) })
}

// daemon starts virtlxcd with a private root inside the namespace and
// waits for its socket; it is stopped when the test ends. It returns the
// binaries' directory, the root and the socket.
func (n *testNS) daemon(args ...string) (bin, root, sock string) {
	n.t.Helper()
	root = n.t.TempDir()
	bin, sock, _ = n.daemonAt(root, args...)
	return bin, root, sock
}

// daemonAt starts virtlxcd on root (which may hold an earlier daemon's
// state) with args; it also returns the daemon's process.
func (n *testNS) daemonAt(root string, args ...string) (bin, sock string, p *os.Process) {
	t := n.t
	t.Helper()
	bin = testutil.Binaries(t)
	sock = filepath.Join(root, "run/libvirt/virtlxcd-sock")
	d := n.cmd(append([]string{filepath.Join(bin, "virtlxcd"), "--root", root}, args...)...)
	logf, err := os.Create(filepath.Join(t.TempDir(), "virtlxcd.log"))
	if err != nil {
		t.Fatal(err)
	}
	d.Stdout, d.Stderr = logf, logf
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = d.Process.Signal(syscall.SIGTERM)
		_ = d.Wait()
		// A daemon leaves active networks running, as it leaves
		// containers: stop the dnsmasq of each (the namespace goes with
		// the test).
		stopDnsmasqs(root)
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("virtlxcd log:\n%s", b)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		// The socket's file exists from bind(2) on, a moment before
		// listen(2): wait until a connection is accepted.
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("virtlxcd did not create its socket")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return bin, sock, d.Process
}

// stopDnsmasqs kills the dnsmasq processes started by the daemon on root
// that are still running (their pid files name them).
func stopDnsmasqs(root string) {
	pids, _ := filepath.Glob(filepath.Join(root, "run/libvirt/network/*.pid"))
	for _, f := range pids {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			continue
		}
		if cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && strings.Contains(string(cmd), root) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
