package network

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/testutil"
)

// virsh runs the real virsh against the daemon's socket.
func virsh(t *testing.T, sock string, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command("virsh", append([]string{"-c", "lxc:///system?socket=" + sock}, args...)...).CombinedOutput()
	return string(out), err
}

// mustVirsh is virsh failing the test on error.
func mustVirsh(t *testing.T, sock string, args ...string) string {
	t.Helper()
	out, err := virsh(t, sock, args...)
	if err != nil {
		t.Fatalf("virsh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

const isoNetXML = `<network>
  <name>iso</name>
  <bridge name='vlisobr0'/>
  <ip address='10.99.0.1' netmask='255.255.255.0'/>
</network>
`

// TestNetworkWithVirsh drives an isolated network through the real virsh
// against virtlxcd (both inside the test namespace): define, start, list,
// dumpxml, a container with <interface type='network'> on it talking TCP
// to the bridge address, then destroy and undefine leave nothing behind.
func TestNetworkWithVirsh(t *testing.T) {
	if _, err := exec.LookPath("virsh"); err != nil {
		t.Skip("virsh (libvirt-clients) is not installed")
	}
	ns := newNS(t)
	_, root, sock := ns.daemon()
	cfg := filepath.Join(root, "iso.xml")
	if err := os.WriteFile(cfg, []byte(isoNetXML), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := mustVirsh(t, sock, "net-define", cfg); out != "Network iso defined from "+cfg+"\n\n" {
		t.Errorf("net-define: %q", out)
	}
	if out := mustVirsh(t, sock, "net-list", "--all"); !regexp.MustCompile(`(?m)^ iso\s+inactive\s+no\s+yes$`).MatchString(out) {
		t.Errorf("net-list --all:\n%s", out)
	}
	mustVirsh(t, sock, "net-start", "iso")
	if out := mustVirsh(t, sock, "net-list"); !regexp.MustCompile(`(?m)^ iso\s+active\s+no\s+yes$`).MatchString(out) {
		t.Errorf("net-list:\n%s", out)
	}
	dump := mustVirsh(t, sock, "net-dumpxml", "iso")
	if !regexp.MustCompile(`^<network>
  <name>iso</name>
  <uuid>[0-9a-f-]{36}</uuid>
  <bridge name='vlisobr0' stp='on' delay='0'/>
  <mac address='52:54:00(:[0-9a-f]{2}){3}'/>
  <ip address='10.99.0.1' netmask='255.255.255.0'>
  </ip>
</network>
`).MatchString(dump) {
		t.Errorf("net-dumpxml:\n%s", dump)
	}
	if br, ok := ns.links()["vlisobr0"]; !ok || br.Type != "bridge" || !br.Up {
		t.Fatalf("bridge vlisobr0: %+v", br)
	}
	out, err := virsh(t, sock, "net-start", "iso")
	if err == nil || !strings.Contains(out, "error: Requested operation is not valid: network is already active") {
		t.Errorf("second net-start: %v %q", err, out)
	}

	// A container on the network sends a line to a server on the bridge
	// address; the server exits with what it received.
	// The server's stdin stays open: at EOF busybox nc half-closes the
	// connection, and a client that sees that FIN before it has read its
	// own stdin exits without sending (a flake seen in CI).
	srv := ns.cmd("busybox", "nc", "-l", "-p", "5001")
	var got bytes.Buffer
	srv.Stdout = &got
	stdin, err := srv.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stdin.Close() })
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	t.Cleanup(func() { _ = srv.Process.Kill(); <-done })
	deadline := time.Now().Add(10 * time.Second)
	for !listening(srv.Process.Pid, 5001) {
		if time.Now().After(deadline) {
			t.Fatal("test server is not listening")
		}
		time.Sleep(5 * time.Millisecond)
	}
	rootfs := testutil.BusyboxRoot(t)
	xml := domainXML("onnet", rootfs,
		"for i in $(seq 100); do echo hello-net | nc 10.99.0.1 5001 && break; usleep 100000; done; exec sleep 1000",
		`    <interface type='network'><source network='iso'/><ip address='10.99.0.2' prefix='24'/></interface>
`, "")
	dcfg := filepath.Join(root, "onnet.xml")
	if err := os.WriteFile(dcfg, []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
	mustVirsh(t, sock, "create", dcfg)
	t.Cleanup(func() { _, _ = virsh(t, sock, "destroy", "onnet") })
	select {
	case <-done:
		done <- nil // for the cleanup
	case <-time.After(30 * time.Second):
		t.Fatal("the container did not reach the bridge address")
	}
	if strings.TrimSpace(got.String()) != "hello-net" {
		t.Errorf("server received %q", got.String())
	}
	live := mustVirsh(t, sock, "dumpxml", "onnet")
	if !regexp.MustCompile(`<source network='iso' portid='[0-9a-f-]{36}' bridge='vlisobr0'/>`).MatchString(live) {
		t.Errorf("live domain XML does not show the network's bridge:\n%s", live)
	}
	mustVirsh(t, sock, "destroy", "onnet")
	mustVirsh(t, sock, "net-destroy", "iso")
	mustVirsh(t, sock, "net-undefine", "iso")
	if out := mustVirsh(t, sock, "net-list", "--all", "--name"); strings.TrimSpace(out) != "" {
		t.Errorf("networks left: %q", out)
	}
	ns.assertOnly("lo")
	for _, dir := range []string{"etc/libvirt/qemu/networks", "run/libvirt/network"} {
		if m, _ := filepath.Glob(filepath.Join(root, dir, "*.xml")); len(m) != 0 {
			t.Errorf("files left: %v", m)
		}
	}
}
