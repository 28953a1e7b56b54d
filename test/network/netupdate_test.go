package network

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const updNetXML = `<network>
  <name>upd</name>
  <forward mode='nat'/>
  <bridge name='virbr8'/>
  <ip address='192.168.141.1' prefix='24'>
    <dhcp><range start='192.168.141.100' end='192.168.141.200'/></dhcp>
  </ip>
</network>
`

// TestNetworkUpdate: net-update on a running network, through the real
// virsh and virtlxc's own CLI. A static DHCP host added to the live
// network (and its config) is served at once (dnsmasq rereads its hosts
// file): the container with that MAC leases the host's address, not one
// of the range. Refusals are libvirt's.
func TestNetworkUpdate(t *testing.T) {
	ns := newNS(t)
	root := dnsmasqRoot(t)
	bin, sock, _ := ns.daemonAt(root)
	dir := t.TempDir()
	netFile := writeFile(t, dir, "upd.xml", updNetXML)
	mustVirsh(t, sock, "net-define", netFile)
	mustVirsh(t, sock, "net-start", "upd")
	t.Cleanup(func() { _, _ = virsh(t, sock, "net-destroy", "upd") })

	host := "<host mac='52:54:00:bb:01:01' name='u1' ip='192.168.141.55'/>"
	if out := mustVirsh(t, sock, "net-update", "upd", "add", "ip-dhcp-host", host, "--live", "--config"); !strings.Contains(out, "Updated network upd persistent config and live state") {
		t.Errorf("net-update: %q", out)
	}
	for _, args := range [][]string{{"net-dumpxml", "upd"}, {"net-dumpxml", "--inactive", "upd"}} {
		if x := mustVirsh(t, sock, args...); !strings.Contains(x, "<range start='192.168.141.100' end='192.168.141.200'/>\n      <host mac='52:54:00:bb:01:01' name='u1' ip='192.168.141.55'/>") {
			t.Errorf("%s:\n%s", strings.Join(args, " "), x)
		}
	}
	hosts, _ := os.ReadFile(filepath.Join(root, "var/lib/libvirt/dnsmasq/upd.hostsfile"))
	if !strings.Contains(string(hosts), "52:54:00:bb:01:01,192.168.141.55,u1") {
		t.Errorf("dnsmasq's hosts file: %q", hosts)
	}

	rootfs := dhcpRootfs(t)
	script := `ip link set eth0 up
busybox udhcpc -i eth0 -n -q -t 10 -T 2 -s /dhcp.sh >/tmp/udhcpc.log 2>&1
echo "$(ip -4 addr show eth0 | grep -o 'inet [0-9./]*')" > /ip
sleep 1000`
	createCtr(t, bin, sock, dir, "u1", domainXML("u1", rootfs, script,
		"    <interface type='network'><source network='upd'/><mac address='52:54:00:bb:01:01'/></interface>\n", ""))
	c := &dhcpCtr{name: "u1", mac: "52:54:00:bb:01:01", rootfs: rootfs}
	if got := c.waitFile(t, "ip"); got != "inet 192.168.141.55/24" {
		t.Errorf("leased %q, want the host added live, 192.168.141.55/24", got)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"add", "ip-dhcp-host", "<host mac='52:54:00:bb:01:02' name='u1' ip='192.168.141.56'/>"},
			"error: Requested operation is not valid: there is an existing dhcp host entry in network 'upd' that matches \"<host mac='52:54:00:bb:01:02' name='u1' ip='192.168.141.56'/>\""},
		{[]string{"delete", "ip-dhcp-host", "<host mac='52:54:00:bb:01:09'/>"},
			"error: Requested operation is not valid: couldn't locate a matching dhcp host entry in network 'upd'"},
		{[]string{"modify", "ip-dhcp-range", "<range start='192.168.141.100' end='192.168.141.150'/>"},
			"error: Operation not supported: dhcp ranges cannot be modified, only added or deleted"},
		{[]string{"add", "ip-dhcp-host", "<range start='192.168.141.100' end='192.168.141.150'/>"},
			"error: XML error: unexpected element <range>, expecting <host>, while updating network 'upd'"},
		{[]string{"add", "bridge", "<bridge name='x'/>"},
			"error: Operation not supported: can't update 'bridge' section of network 'upd'"},
	} {
		out, err := virsh(t, sock, append([]string{"net-update", "upd"}, tc.args...)...)
		if err == nil || !strings.Contains(out, "error: Failed to update network upd\n"+tc.want) {
			t.Errorf("net-update %s: %v\n%s", strings.Join(tc.args, " "), err, out)
		}
		mine, err := virtlxc(t, bin, sock, append([]string{"net-update", "upd"}, tc.args...)...)
		if err == nil || mine != out {
			t.Errorf("virtlxc net-update %s: %v\n%s\nvirsh:\n%s", strings.Join(tc.args, " "), err, mine, out)
		}
	}

	// The host deleted from the config only: the running network keeps it.
	if out, err := virtlxc(t, bin, sock, "net-update", "upd", "delete", "ip-dhcp-host", "<host mac='52:54:00:bb:01:01'/>", "--config"); err != nil || !strings.Contains(out, "Updated network upd persistent config") {
		t.Fatalf("virtlxc net-update --config: %v\n%s", err, out)
	}
	if x := mustVirsh(t, sock, "net-dumpxml", "--inactive", "upd"); strings.Contains(x, "52:54:00:bb:01:01") {
		t.Errorf("the config keeps the deleted host:\n%s", x)
	}
	if x := mustVirsh(t, sock, "net-dumpxml", "upd"); !strings.Contains(x, "52:54:00:bb:01:01") {
		t.Errorf("the live network lost the host:\n%s", x)
	}
	mustVirsh(t, sock, "net-destroy", "upd")
	out, err := virsh(t, sock, "net-update", "upd", "add", "ip-dhcp-host", host, "--live")
	if err == nil || !strings.Contains(out, "error: Requested operation is not valid: network is not running") {
		t.Errorf("live update of an inactive network: %v\n%s", err, out)
	}
}
