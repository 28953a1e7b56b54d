package network

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"virtlxc/internal/testutil"
)

// staticRANetXML has an IPv4 <dhcp> with a host and no range, and an IPv6
// address without DHCP.
const staticRANetXML = `<network>
  <name>fixed</name>
  <forward mode='nat'/>
  <bridge name='virbr7'/>
  <ip address='192.168.140.1' prefix='24'>
    <dhcp><host mac='52:54:00:bb:00:01' name='fixed1' ip='192.168.140.77'/></dhcp>
  </ip>
  <ip family='ipv6' address='fd00:140::1' prefix='64'/>
</network>
`

// TestStaticDHCPAndRouterAdvertisements: on a network whose IPv4 DHCP
// has only a <host> (libvirt's "static" dhcp-range), the container with
// that MAC leases its address; the IPv6 address without DHCP gets router
// advertisements only (libvirt's "ra-only"), from which the container's
// kernel makes a SLAAC address in the network's prefix and a default
// route through the bridge's link-local address.
func TestStaticDHCPAndRouterAdvertisements(t *testing.T) {
	ns := newNS(t)
	root := dnsmasqRoot(t)
	bin, sock, _ := ns.daemonAt(root)
	dir := t.TempDir()
	netFile := writeFile(t, dir, "fixed.xml", staticRANetXML)
	mustVirsh(t, sock, "net-create", netFile)
	t.Cleanup(func() { _, _ = virsh(t, sock, "net-destroy", "fixed") })

	rootfs := dhcpRootfs(t)
	script := `ip link set eth0 up
busybox udhcpc -i eth0 -n -q -t 10 -T 2 -s /dhcp.sh >/tmp/udhcpc.log 2>&1
echo "$(ip -4 addr show eth0 | grep -o 'inet [0-9./]*')" > /ip
i=0; while [ $i -lt 200 ] && ! ip -6 route show default | grep -q via; do sleep 0.1; i=$((i+1)); done
echo "$(ip -6 addr show eth0 | grep -o 'inet6 fd00:140:[0-9a-f:]*/[0-9]*')" > /ip6
echo "$(ip -6 route show default | grep -o 'via fe80:[0-9a-f:]* dev eth0')" > /route6
sleep 1000`
	xml := domainXML("fx1", rootfs, script, `    <interface type='network'><source network='fixed'/><mac address='52:54:00:bb:00:01'/></interface>
`, "")
	createCtr(t, bin, sock, dir, "fx1", xml)
	c := &dhcpCtr{name: "fx1", mac: "52:54:00:bb:00:01", rootfs: rootfs}
	if got := c.waitFile(t, "ip"); got != "inet 192.168.140.77/24" {
		log, _ := os.ReadFile(filepath.Join(rootfs, "tmp/udhcpc.log"))
		conf, _ := os.ReadFile(filepath.Join(root, "var/lib/libvirt/dnsmasq/fixed.conf"))
		hosts, _ := os.ReadFile(filepath.Join(root, "var/lib/libvirt/dnsmasq/fixed.hostsfile"))
		t.Errorf("IPv4 address %q, want the static host's 192.168.140.77/24\nudhcpc: %s\ndnsmasq configuration:\n%s\nhosts: %s", got, log, conf, hosts)
	}
	if got := c.waitFile(t, "ip6"); !strings.HasPrefix(got, "inet6 fd00:140::") || !strings.HasSuffix(got, "/64") {
		t.Errorf("IPv6 address %q, want a SLAAC address in fd00:140::/64", got)
	}
	if got := c.waitFile(t, "route6"); !strings.HasPrefix(got, "via fe80:") {
		t.Errorf("IPv6 default route %q, want one through the bridge's link-local address", got)
	}
}

// dnsmasqRoot is a daemon root dnsmasq can read its files under: it runs
// unprivileged, so the root and the test's directory above it must let
// it through.
func dnsmasqRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{root, filepath.Dir(root)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// dhcpRootfs is a busybox root for a DHCP client: udhcpc's hook script
// and a gate FIFO.
func dhcpRootfs(t *testing.T) string {
	t.Helper()
	rootfs := testutil.BusyboxRoot(t)
	if err := os.WriteFile(filepath.Join(rootfs, "dhcp.sh"), []byte(dhcpScript), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(rootfs, "gate"), 0o600); err != nil {
		t.Fatal(err)
	}
	return rootfs
}

// writeFile writes data to dir/name and returns its path.
func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
