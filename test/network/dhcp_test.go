package network

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/procstat"
	"virtlxc/internal/testutil"
)

// dhcpScript is udhcpc's hook: it configures the leased address and the
// default route.
const dhcpScript = `#!/bin/sh
[ "$1" = bound ] || exit 0
ip addr add "$ip/$mask" dev "$interface"
[ -n "$router" ] && ip route add default via "$router"
exit 0
`

// dhcpCtr is a container on a network that gets its address with
// busybox's udhcpc, then runs script; its results are files in its root.
type dhcpCtr struct {
	name, mac, rootfs string
}

// newDHCPCtr writes the container's root and XML and creates it.
func newDHCPCtr(t *testing.T, bin, sock, dir, name, mac, script string) *dhcpCtr {
	t.Helper()
	c := &dhcpCtr{name: name, mac: mac, rootfs: testutil.BusyboxRoot(t)}
	if err := os.WriteFile(filepath.Join(c.rootfs, "dhcp.sh"), []byte(dhcpScript), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(c.rootfs, "gate"), 0o600); err != nil {
		t.Fatal(err)
	}
	full := "ip link set eth0 up; busybox udhcpc -i eth0 -n -q -t 10 -T 3 -x hostname:" + name + " -s /dhcp.sh >/tmp/udhcpc.log 2>&1 || exit 3; " + script
	xml := domainXML(name, c.rootfs, full, fmt.Sprintf(`    <interface type='network'><source network='default'/><mac address='%s'/></interface>
`, mac), "")
	createCtr(t, bin, sock, dir, name, xml)
	return c
}

// waitFile waits for a file the container writes and returns its content.
func (c *dhcpCtr) waitFile(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(c.rootfs, name)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(p); err == nil && strings.HasSuffix(string(b), "\n") {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(20 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(c.rootfs, "tmp/udhcpc.log"))
	t.Fatalf("%s did not write %s (udhcpc: %s)", c.name, name, log)
	return ""
}

// leaseOf waits until domifaddr reports the container's leased address.
func leaseOf(t *testing.T, sock, name, mac string) string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^ (\S+)\s+` + mac + `\s+ipv4\s+(192\.168\.122\.\d+)/24$`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, _ := virsh(t, sock, "domifaddr", name)
		if m := re.FindStringSubmatch(out); m != nil {
			return m[2]
		}
		if time.Now().After(deadline) {
			t.Fatalf("domifaddr %s never showed a lease for %s:\n%s", name, mac, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDefaultNetwork starts virtlxcd for the first time (inside the test
// namespace) with the default network: it is defined, autostarted and
// running (virbr0, nftables table, dnsmasq). Two containers get DHCP
// leases, visible through domifaddr and net-dhcp-leases; they ping the
// bridge and each other, talk TCP and resolve each other's DHCP hostname
// through the network's dnsmasq; one reaches a server in a second
// namespace that has no route back to 192.168.122.0/24, so the exchange
// only works through the network's masquerading. net-destroy leaves no
// bridge, table, dnsmasq or lease behind.
func TestDefaultNetwork(t *testing.T) {
	if _, err := exec.LookPath("virsh"); err != nil {
		t.Skip("virsh (libvirt-clients) is not installed")
	}
	ns := newNS(t)
	root := t.TempDir()
	// dnsmasq runs unprivileged, as libvirt's does, and must reach its
	// hosts files under the daemon's root.
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	bin, sock, _ := ns.daemonAt(root, "--default-network", "yes")
	if out := mustVirsh(t, sock, "net-list", "--all"); !regexp.MustCompile(`(?m)^ default\s+active\s+yes\s+yes$`).MatchString(out) {
		t.Fatalf("net-list after the first start:\n%s", out)
	}
	br := ns.links()["virbr0"]
	if br.Type != "bridge" || !br.Up || len(br.Addrs) != 1 || br.Addrs[0] != "192.168.122.1/24" {
		t.Fatalf("virbr0: %+v", br)
	}
	if out := ns.nft("list", "table", "inet", "virtlxc_virbr0"); !strings.Contains(out, "masquerade") {
		t.Fatalf("nftables table:\n%s", out)
	}
	pidFile := filepath.Join(root, "run/libvirt/network/default.pid")
	dnsmasqPid := pidIn(t, pidFile)

	// An "outside" namespace behind an uplink, without a route back.
	out := newNS(t)
	ns.ip("link", "add", "up0", "type", "veth", "peer", "name", "up1")
	ns.ip("link", "set", "up1", "netns", strconv.Itoa(out.pid))
	ns.ip("addr", "add", "10.200.0.1/24", "dev", "up0")
	ns.ip("link", "set", "up0", "up")
	out.ip("addr", "add", "10.200.0.2/24", "dev", "up1")
	out.ip("link", "set", "up1", "up")
	out.listen(8000)

	dir := t.TempDir()
	c1 := newDHCPCtr(t, bin, sock, dir, "c1", "52:54:00:aa:00:01",
		`ip -4 addr show eth0 | grep -o 'inet [0-9./]*' > /ip; busybox nc -l -p 7000 -e /bin/sh -c 'read l; echo got $l'; sleep 1000`)
	c2 := newDHCPCtr(t, bin, sock, dir, "c2", "52:54:00:aa:00:02",
		`ip -4 addr show eth0 | grep -o 'inet [0-9./]*' > /ip; read peer < /gate;
ping -c 1 -W 5 192.168.122.1 >/dev/null && echo ok > /ping-gw || echo fail > /ping-gw;
ping -c 1 -W 5 $peer >/dev/null && echo ok > /ping-peer || echo fail > /ping-peer;
echo hello | nc -w 5 $peer 7000 > /tcp-peer; echo >> /tcp-peer;
echo outside | nc -w 5 10.200.0.2 8000 > /tcp-out; echo >> /tcp-out;
busybox nslookup c1 192.168.122.1 > /dns-tmp 2>&1; grep -o 'Address: 192[0-9.]*' /dns-tmp | tail -1 > /dns; echo >> /dns;
sleep 1000`)
	c1.waitFile(t, "ip")
	c2.waitFile(t, "ip")
	ip1 := leaseOf(t, sock, "c1", "52:54:00:aa:00:01")
	ip2 := leaseOf(t, sock, "c2", "52:54:00:aa:00:02")
	if ip1 == ip2 {
		t.Fatalf("both containers leased %s", ip1)
	}
	leases := mustVirsh(t, sock, "net-dhcp-leases", "default")
	for _, want := range []string{`52:54:00:aa:00:01\s+ipv4\s+` + regexp.QuoteMeta(ip1) + `/24\s+c1`,
		`52:54:00:aa:00:02\s+ipv4\s+` + regexp.QuoteMeta(ip2) + `/24\s+c2`} {
		if !regexp.MustCompile(want).MatchString(leases) {
			t.Errorf("net-dhcp-leases lacks %s:\n%s", want, leases)
		}
	}
	if out := mustVirsh(t, sock, "net-dhcp-leases", "default", "--mac", "52:54:00:aa:00:02"); strings.Contains(out, "52:54:00:aa:00:01") {
		t.Errorf("net-dhcp-leases --mac shows another MAC:\n%s", out)
	}
	uri := "lxc:///system?socket=" + sock
	for _, args := range [][]string{
		{"domifaddr", "c1"}, {"domifaddr", "c2", "--full"}, {"domifaddr", "c1", "--source", "lease"},
		{"domifaddr", "c1", "--interface", "nosuch"}, {"domifaddr", "c1", "--source", "agent"},
		{"domifaddr", "c1", "--source", "bogus"}, {"domifaddr", "nosuch"}, {"net-dhcp-leases", "default"},
		{"net-dhcp-leases", "default", "--mac", "52:54:00:aa:00:02"}, {"-q", "net-dhcp-leases", "default"},
		{"net-dhcp-leases", "nosuch"}, {"help", "domifaddr"}, {"help", "net-dhcp-leases"},
		{"domiflist", "c1"}, {"domiflist", "c2", "--inactive"}, {"-q", "domiflist", "c1"}, {"domiflist", "nosuch"},
		{"help", "domiflist"},
	} {
		got := outcome(filepath.Join(bin, "virtlxc"), append([]string{"-c", uri}, args...)...)
		if want := outcome("virsh", append([]string{"-c", uri}, args...)...); got != want {
			t.Errorf("%s:\nvirtlxc:\n%s\nvirsh:\n%s", strings.Join(args, " "), got, want)
		}
	}
	gate, err := os.OpenFile(filepath.Join(c2.rootfs, "gate"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(gate, ip1)
	gate.Close()
	for file, want := range map[string]string{"ping-gw": "ok", "ping-peer": "ok", "tcp-peer": "got hello", "tcp-out": "got outside", "dns": "Address: " + ip1} {
		if got := c2.waitFile(t, file); got != want {
			t.Errorf("c2 %s: %q, want %q", file, got, want)
		}
	}

	// Interface counters, seen from the container (host end swapped).
	stats := mustVirsh(t, sock, "domifstat", "c2", "52:54:00:aa:00:02")
	if !regexp.MustCompile(`^52:54:00:aa:00:02 rx_bytes [1-9]\d*\n52:54:00:aa:00:02 rx_packets [1-9]\d*\n52:54:00:aa:00:02 rx_errs 0\n52:54:00:aa:00:02 rx_drop \d+\n` +
		`52:54:00:aa:00:02 tx_bytes [1-9]\d*\n52:54:00:aa:00:02 tx_packets [1-9]\d*\n52:54:00:aa:00:02 tx_errs 0\n52:54:00:aa:00:02 tx_drop \d+\n\n$`).MatchString(stats) {
		t.Errorf("virsh domifstat:\n%s", stats)
	}
	if out, err := virtlxc(t, bin, sock, "domifstat", "c2", "52:54:00:aa:00:02"); err != nil || !strings.HasPrefix(out, "52:54:00:aa:00:02 rx_bytes ") || strings.Count(out, "\n") != strings.Count(stats, "\n") {
		t.Errorf("virtlxc domifstat: %v\n%s", err, out)
	}
	if ds := mustVirsh(t, sock, "domstats", "c2", "--interface"); !regexp.MustCompile(`(?s)Domain: 'c2'\n  net\.count=1\n  net\.0\.name=\S+\n  net\.0\.rx\.bytes=[1-9]\d*\n.*  net\.0\.tx\.drop=\d+\n`).MatchString(ds) {
		t.Errorf("virsh domstats --interface:\n%s", ds)
	}
	for _, args := range [][]string{{"domifstat", "c2", "nosuch"}, {"help", "domifstat"}} {
		got := outcome(filepath.Join(bin, "virtlxc"), append([]string{"-c", uri}, args...)...)
		if want := outcome("virsh", append([]string{"-c", uri}, args...)...); got != want {
			t.Errorf("%s:\nvirtlxc:\n%s\nvirsh:\n%s", strings.Join(args, " "), got, want)
		}
	}
	for _, c := range []string{"c1", "c2"} {
		mustVirsh(t, sock, "destroy", c)
	}
	mustVirsh(t, sock, "net-destroy", "default")
	ns.assertOnly("lo", "up0")
	if out := ns.nft("list", "tables"); strings.Contains(out, "virtlxc") {
		t.Errorf("nftables tables left: %s", out)
	}
	if processAlive(dnsmasqPid) {
		t.Errorf("dnsmasq %d still runs after net-destroy", dnsmasqPid)
	}
	assertNoFiles(t, filepath.Join(root, "var/lib/libvirt/dnsmasq"))
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("pid file left: %v", err)
	}
}

// nft runs nft(8) inside the namespace.
func (n *testNS) nft(args ...string) string {
	n.t.Helper()
	out, err := n.cmd(append([]string{"nft"}, args...)...).CombinedOutput()
	if err != nil {
		n.t.Fatalf("nft %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// pidIn reads a pid file naming a live process.
func pidIn(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || !processAlive(pid) {
		t.Fatalf("pid file %s: %q (%v)", path, b, err)
	}
	t.Cleanup(func() {
		if processAlive(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return pid
}

// processAlive reports whether pid runs (zombies count as gone).
func processAlive(pid int) bool {
	f, err := procstat.Read(strconv.Itoa(pid))
	return err == nil && len(f) > 0 && f[0] != "Z"
}

// assertNoFiles fails when dir holds any file.
func assertNoFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left in %s: %s", dir, e.Name())
	}
}
