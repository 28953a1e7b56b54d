package network

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/testutil"
)

// TestInterfaceHotplug adds a bridge interface to a running container and
// removes it again (virsh attach-device/detach-device --live): a veth pair
// whose container end is renamed, addressed and up inside as at start,
// recorded in the live XML with its host end, and gone after the detach.
func TestInterfaceHotplug(t *testing.T) {
	ns := newNS(t)
	ns.ip("link", "add", "br0", "type", "bridge")
	ns.ip("link", "set", "br0", "up")
	bin, root, sock := ns.daemon()
	uri := "lxc:///system?socket=" + sock
	virsh := func(args ...string) (string, error) {
		out, err := exec.Command("virsh", append([]string{"-c", uri}, args...)...).CombinedOutput()
		return string(out), err
	}
	rootfs := testutil.BusyboxRoot(t)
	cfg := filepath.Join(root, "hp.xml")
	if err := os.WriteFile(cfg, []byte(domainXML("hp", rootfs, "exec sleep 1000", "", "<features><privnet/></features>")), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := virtlxc(t, bin, sock, "create", cfg); err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	t.Cleanup(func() { _, _ = virtlxc(t, bin, sock, "destroy", "hp") })
	dev := filepath.Join(root, "nic.xml")
	if err := os.WriteFile(dev, []byte(`<interface type='bridge'><mac address='52:54:00:12:34:56'/><source bridge='br0'/>
  <ip address='10.9.8.7' prefix='24'/><guest dev='hot0'/></interface>
`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := virsh("attach-device", "hp", dev, "--live"); err != nil || !strings.Contains(out, "Device attached successfully") {
		t.Fatalf("attach-device --live: %v\n%s", err, out)
	}
	host := ""
	for name, l := range ns.links() {
		if l.Type == "veth" && l.Master == "br0" {
			host = name
		}
	}
	if host == "" {
		t.Fatalf("no veth on br0: %v", ns.links())
	}
	if out, _ := virsh("dumpxml", "hp"); !strings.Contains(out, "<target dev='"+host+"'/>") || !strings.Contains(out, "52:54:00:12:34:56") {
		t.Errorf("live XML lacks the interface with host end %s:\n%s", host, out)
	}
	inside := func() string {
		out, _ := virtlxc(t, bin, sock, "lxc-enter-namespace", "hp", "--", "/bin/ip", "-o", "addr", "show")
		return out
	}
	if out := inside(); !strings.Contains(out, "hot0") || !strings.Contains(out, "10.9.8.7/24") {
		t.Errorf("inside the container:\n%s", out)
	}
	if out, err := virsh("attach-device", "hp", dev, "--config"); err == nil || !strings.Contains(out, "transient domains do not have any persistent config") {
		t.Errorf("config attach on a transient domain: %v\n%s", err, out)
	}
	if out, err := virsh("detach-device", "hp", dev, "--live"); err != nil || !strings.Contains(out, "Device detached successfully") {
		t.Fatalf("detach-device --live: %v\n%s", err, out)
	}
	deadline := time.Now().Add(5 * time.Second)
	for strings.Contains(inside(), "hot0") {
		if time.Now().After(deadline) {
			t.Fatalf("hot0 still inside after the detach:\n%s", inside())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, ok := ns.links()[host]; ok {
		t.Errorf("host end %s left after the detach", host)
	}
	if out, _ := virsh("dumpxml", "hp"); strings.Contains(out, "52:54:00:12:34:56") {
		t.Errorf("live XML still has the interface:\n%s", out)
	}
	if out, _ := virsh("detach-device", "hp", dev, "--live"); !strings.Contains(out, "no device found at address '(<null>)' matching MAC address '52:54:00:12:34:56'") {
		t.Errorf("second detach:\n%s", out)
	}
	// A direct interface: a macvlan on a device of the host (here a veth
	// end: this kernel has no dummy devices), made in the
	// container's namespace, and deleted there by the detach.
	ns.ip("link", "add", "dum0", "type", "veth", "peer", "name", "dum1")
	ns.ip("link", "set", "dum0", "up")
	direct := filepath.Join(root, "direct.xml")
	if err := os.WriteFile(direct, []byte(`<interface type='direct'><mac address='52:54:00:12:34:57'/><source dev='dum0' mode='bridge'/>
  <ip address='10.9.9.7' prefix='24'/><guest dev='mv0'/></interface>
`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := virsh("attach-device", "hp", direct, "--live"); err != nil || !strings.Contains(out, "Device attached successfully") {
		t.Fatalf("attach-device direct --live: %v\n%s", err, out)
	}
	if out := inside(); !strings.Contains(out, "mv0") || !strings.Contains(out, "10.9.9.7/24") {
		t.Errorf("direct interface inside the container:\n%s", out)
	}
	if out, _ := virsh("dumpxml", "hp"); !strings.Contains(out, "52:54:00:12:34:57") {
		t.Errorf("live XML lacks the direct interface:\n%s", out)
	}
	if out, err := virsh("detach-device", "hp", direct, "--live"); err != nil || !strings.Contains(out, "Device detached successfully") {
		t.Fatalf("detach-device direct --live: %v\n%s", err, out)
	}
	if out := inside(); strings.Contains(out, "mv0") {
		t.Errorf("mv0 still inside after the detach:\n%s", out)
	}
	ns.ip("link", "del", "dum0") // the test's own parent device
	if out, err := virtlxc(t, bin, sock, "destroy", "hp"); err != nil {
		t.Fatalf("destroy: %v\n%s", err, out)
	}
	// A container without a network namespace of its own takes none.
	if err := os.WriteFile(cfg, []byte(domainXML("hq", rootfs, "exec sleep 1000", "", "")), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := virtlxc(t, bin, sock, "create", cfg); err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	t.Cleanup(func() { _, _ = virtlxc(t, bin, sock, "destroy", "hq") })
	if out, err := virsh("attach-device", "hq", dev, "--live"); err == nil ||
		!strings.Contains(out, "Cannot attach an interface to a container that shares the host's network namespace") {
		t.Errorf("attach to a container in the host's network namespace: %v\n%s", err, out)
	}
	if out, err := virtlxc(t, bin, sock, "destroy", "hq"); err != nil {
		t.Fatalf("destroy: %v\n%s", err, out)
	}
	ns.assertOnly("lo", "br0")
}
