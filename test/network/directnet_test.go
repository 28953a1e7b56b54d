package network

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"virtlxc/internal/testutil"
)

// TestDirectNetwork: libvirt's macvtap networks. A network with forward
// mode 'bridge' and a pool of host devices gives each container on it a
// macvlan on the least used device (two containers on one device reach
// each other); a passthrough network gives each device to one container
// only. The live XMLs show the devices and the port counts, a daemon
// started again counts them again, and stopping gives them back.
func TestDirectNetwork(t *testing.T) {
	ns := newNS(t)
	// The pool's devices: veth ends (this kernel has no dummy devices),
	// their peers up so that they have a carrier.
	for _, p := range []string{"pa", "pb", "pc"} {
		ns.ip("link", "add", p+"0", "type", "veth", "peer", "name", p+"1")
		ns.ip("link", "set", p+"0", "up")
		ns.ip("link", "set", p+"1", "up")
	}
	root := t.TempDir()
	bin, sock, d := ns.daemonAt(root)
	cli := func(args ...string) string {
		t.Helper()
		out, err := virtlxc(t, bin, sock, args...)
		if err != nil {
			t.Fatalf("virtlxc %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	write := func(name, body string) string {
		p := filepath.Join(root, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cli("net-define", write("mv.xml", "<network><name>mv</name><forward mode='bridge'><interface dev='pa0'/><interface dev='pb0'/></forward></network>"))
	cli("net-start", "mv")
	cli("net-define", write("pt.xml", "<network><name>pt</name><forward dev='pc0' mode='passthrough'/></network>"))
	cli("net-start", "pt")

	rootfs := testutil.BusyboxRoot(t)
	onNet := func(name, net, mac, ip string) string {
		return domainXML(name, rootfs, "exec sleep 1000", "    <interface type='network'><mac address='"+mac+"'/><source network='"+net+
			"'/><ip address='"+ip+"' prefix='24'/></interface>\n", "")
	}
	createCtr(t, bin, sock, root, "c1", onNet("c1", "mv", "52:54:00:00:10:01", "10.55.0.1"))
	createCtr(t, bin, sock, root, "c2", onNet("c2", "mv", "52:54:00:00:10:02", "10.55.0.2"))
	createCtr(t, bin, sock, root, "c3", onNet("c3", "mv", "52:54:00:00:10:03", "10.55.0.3"))
	for name, dev := range map[string]string{"c1": "pa0", "c2": "pb0", "c3": "pa0"} {
		if x := cli("dumpxml", name); !strings.Contains(x, "<interface type='direct'>") ||
			!regexp.MustCompile("<source network='mv' portid='[0-9a-f-]{36}' dev='"+dev+"' mode='bridge'/>").MatchString(x) {
			t.Errorf("%s's live XML, want a port on %s:\n%s", name, dev, x)
		}
		// Without its port, as libvirt's inactive format shows it.
		if x := cli("dumpxml", "--inactive", name); !strings.Contains(x, "<interface type='network'>") ||
			!strings.Contains(x, "<source network='mv'/>") {
			t.Errorf("%s's inactive XML:\n%s", name, x)
		}
	}
	// c1 and c3 share pa0: bridge mode (not vepa's) lets its macvlans
	// talk.
	if out := cli("lxc-enter-namespace", "c3", "--", "/bin/busybox", "ping", "-c", "1", "-W", "5", "10.55.0.1"); !strings.Contains(out, "1 packets received") {
		t.Errorf("c3 → c1:\n%s", out)
	}
	wantNet := func(name string, want ...string) {
		t.Helper()
		x := cli("net-dumpxml", name)
		for _, w := range want {
			if !strings.Contains(x, w) {
				t.Errorf("net-dumpxml %s lacks %q:\n%s", name, w, x)
			}
		}
	}
	wantNet("mv", "<network connections='3'>", "<forward dev='pa0' mode='bridge'>",
		"<interface dev='pa0' connections='2'/>", "<interface dev='pb0' connections='1'/>")

	createCtr(t, bin, sock, root, "p1", onNet("p1", "pt", "52:54:00:00:10:11", "10.56.0.1"))
	out, err := virtlxc(t, bin, sock, "create", write("p2.xml", onNet("p2", "pt", "52:54:00:00:10:12", "10.56.0.2")))
	if err == nil || !strings.Contains(out, "internal error: network 'pt' requires exclusive access to interfaces, but none are available") {
		t.Errorf("second container on a one-device passthrough network: %v\n%s", err, out)
	}
	wantNet("pt", "<network connections='1'>", "<interface dev='pc0' connections='1'/>")

	// A daemon killed and started again counts the ports again.
	if err := d.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = d.Wait()
	if err := os.Remove(sock); err != nil {
		t.Fatal(err)
	}
	bin, sock, _ = ns.daemonAt(root)
	wantNet("mv", "<network connections='3'>", "<interface dev='pa0' connections='2'/>", "<interface dev='pb0' connections='1'/>")
	wantNet("pt", "<network connections='1'>")
	out, err = virtlxc(t, bin, sock, "create", filepath.Join(root, "p2.xml"))
	if err == nil || !strings.Contains(out, "requires exclusive access") {
		t.Errorf("passthrough device free again after the daemon's restart: %v\n%s", err, out)
	}

	// The ports, as the real virsh and virtlxc list and show them: the
	// ones the live XMLs name (kept across the restart).
	portIDs := map[string]bool{}
	for _, name := range []string{"c1", "c2", "c3"} {
		m := regexp.MustCompile(`portid='([0-9a-f-]{36})'`).FindStringSubmatch(cli("dumpxml", name))
		if m == nil {
			t.Fatalf("%s's live XML has no portid", name)
		}
		portIDs[m[1]] = true
	}
	ids := strings.Fields(mustVirsh(t, sock, "net-port-list", "mv", "--uuid"))
	for _, id := range ids {
		if !portIDs[id] {
			t.Errorf("net-port-list shows %s, not a port of c1, c2 or c3 (%v)", id, portIDs)
		}
	}
	if len(ids) != 3 {
		t.Errorf("net-port-list mv: %v", ids)
	}
	for _, args := range [][]string{{"net-port-list", "mv"}, {"net-port-dumpxml", "mv", ids[0]}, {"net-port-dumpxml", "mv", "nope"}} {
		want, _ := virsh(t, sock, args...)
		if got, _ := virtlxc(t, bin, sock, args...); got != want {
			t.Errorf("virtlxc %s:\n%s\nvirsh:\n%s", strings.Join(args, " "), got, want)
		}
	}
	c1port := regexp.MustCompile(`portid='([0-9a-f-]{36})'`).FindStringSubmatch(cli("dumpxml", "c1"))[1]
	if x := mustVirsh(t, sock, "net-port-dumpxml", "mv", c1port); !strings.Contains(x, "<name>c1</name>") ||
		!strings.Contains(x, "<mac address='52:54:00:00:10:01'/>") || !strings.Contains(x, "<plug type='direct' dev='pa0' mode='bridge'/>") {
		t.Errorf("c1's port:\n%s", x)
	}

	// A port plugged into a running container, and unplugged.
	nic := write("nic.xml", "<interface type='network'><mac address='52:54:00:00:10:04'/><source network='mv'/><guest dev='hot0'/></interface>")
	cli("attach-device", "c2", nic, "--live")
	wantNet("mv", "<network connections='4'>", "<interface dev='pb0' connections='2'/>")
	if x := cli("dumpxml", "c2"); !regexp.MustCompile("<mac address='52:54:00:00:10:04'/>\n      <source network='mv' portid='[0-9a-f-]{36}' dev='pb0' mode='bridge'/>").MatchString(x) {
		t.Errorf("c2's live XML after the attach:\n%s", x)
	}
	if out := cli("lxc-enter-namespace", "c2", "--", "/bin/ip", "-o", "link", "show"); !strings.Contains(out, "hot0") {
		t.Errorf("hot0 is not in c2:\n%s", out)
	}
	cli("detach-device", "c2", nic, "--live")
	wantNet("mv", "<network connections='3'>", "<interface dev='pb0' connections='1'/>")

	cli("destroy", "c1")
	wantNet("mv", "<network connections='2'>", "<interface dev='pa0' connections='1'/>")
	cli("destroy", "c2")
	cli("destroy", "c3")
	cli("destroy", "p1")
	for _, n := range []string{"mv", "pt"} {
		if x := cli("net-dumpxml", n); strings.Contains(x, "connections") {
			t.Errorf("%s counts ports after every container stopped:\n%s", n, x)
		}
	}
	cli("net-destroy", "mv")
	cli("net-destroy", "pt")
	ns.assertOnly("lo", "pa0", "pa1", "pb0", "pb1", "pc0", "pc1")
}

// TestDirectNetworkVLAN: a passthrough network's <vlan> goes to its ports
// (libvirt's networkAllocatePort); a host device that is not an SR-IOV VF
// cannot take it, so the container does not start (libvirt's message) and
// its port is given back.
func TestDirectNetworkVLAN(t *testing.T) {
	ns := newNS(t)
	ns.ip("link", "add", "pv0", "type", "veth", "peer", "name", "pv1")
	bin, root, sock := ns.daemon()
	out, err := virtlxc(t, bin, sock, "net-create", writeFile(t, root, "pv.xml", "<network><name>pv</name><forward dev='pv0' mode='passthrough'/><vlan><tag id='42'/></vlan></network>"))
	if err != nil {
		t.Fatalf("net-create: %v\n%s", err, out)
	}
	rootfs := testutil.BusyboxRoot(t)
	xml := domainXML("vl", rootfs, "exec sleep 1000", "    <interface type='network'><source network='pv'/></interface>\n", "")
	out, err = virtlxc(t, bin, sock, "create", writeFile(t, root, "vl.xml", xml))
	if err == nil || !strings.Contains(out, "vlan can only be set for SR-IOV VFs, but pv0 is not a VF") {
		t.Errorf("start on a passthrough network with a VLAN: %v\n%s", err, out)
	}
	if x, _ := virtlxc(t, bin, sock, "net-dumpxml", "pv"); strings.Contains(x, "connections") {
		t.Errorf("the failed start kept its port:\n%s", x)
	}
	ns.assertOnly("lo", "pv0", "pv1")
}
