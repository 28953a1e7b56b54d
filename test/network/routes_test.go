package network

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNetworkStaticRoutes: a started network's <route>s are on its bridge
// with their metric (1 when none is given, as libvirt), IPv6 too, and a
// route whose gateway no <ip> of the network reaches is refused with
// libvirt 9.0's error.
func TestNetworkStaticRoutes(t *testing.T) {
	ns := newNS(t)
	_, root, sock := ns.daemon()
	def := filepath.Join(root, "rt.xml")
	xml := `<network><name>rt</name><forward mode='nat'/><bridge name='virbr8'/>
  <ip address='192.168.170.1' prefix='24'/><ip family='ipv6' address='fd00:170::1' prefix='64'/>
  <route address='10.9.0.0' prefix='24' gateway='192.168.170.2' metric='5'/>
  <route address='10.10.0.0' netmask='255.255.0.0' gateway='192.168.170.3'/>
  <route family='ipv6' address='fd00:99::' prefix='64' gateway='fd00:170::2'/>
</network>`
	if err := os.WriteFile(def, []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
	mustVirsh(t, sock, "net-create", def)
	t.Cleanup(func() { _, _ = virsh(t, sock, "net-destroy", "rt") })
	v4 := ns.ip("route", "show", "dev", "virbr8")
	v6 := ns.ip("-6", "route", "show", "dev", "virbr8")
	for _, want := range []string{"10.9.0.0/24 via 192.168.170.2 metric 5", "10.10.0.0/16 via 192.168.170.3 metric 1"} {
		if !strings.Contains(v4, want) {
			t.Errorf("no %q on the bridge:\n%s", want, v4)
		}
	}
	if !strings.Contains(v6, "fd00:99::/64 via fd00:170::2 metric 1") {
		t.Errorf("no IPv6 route on the bridge:\n%s", v6)
	}
	bad := filepath.Join(root, "bad.xml")
	if err := os.WriteFile(bad, []byte(strings.Replace(strings.Replace(xml, "192.168.170.2", "10.1.1.1", 1), "<name>rt<", "<name>bad<", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := virsh(t, sock, "net-define", bad)
	if want := "error: unsupported configuration: unreachable static route gateway '10.1.1.1' specified for network 'bad'"; err == nil || !strings.Contains(out, want) {
		t.Errorf("net-define with an unreachable gateway: %v\n%s", err, out)
	}
}

// TestNetworkSNATAndIPv6NAT: a NAT network with an address range and
// ipv6='yes' starts (nft takes its rules) and its table SNATs IPv4 to the
// range and masquerades IPv6.
func TestNetworkSNATAndIPv6NAT(t *testing.T) {
	ns := newNS(t)
	_, root, sock := ns.daemon()
	def := filepath.Join(root, "sn.xml")
	xml := `<network><name>sn</name><forward mode='nat'><nat ipv6='yes'><address start='10.50.0.10' end='10.50.0.20'/><port start='2000' end='3000'/></nat></forward>
  <bridge name='virbr9'/><ip address='192.168.191.1' prefix='24'/><ip family='ipv6' address='fd00:193::1' prefix='64'/></network>`
	if err := os.WriteFile(def, []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
	mustVirsh(t, sock, "net-create", def)
	t.Cleanup(func() { _, _ = virsh(t, sock, "net-destroy", "sn") })
	table := ns.nft("list", "table", "inet", "virtlxc_virbr9")
	for _, want := range []string{"snat ip to 10.50.0.10-10.50.0.20:2000-3000", "ip6 saddr fd00:193::/64 ip6 daddr != fd00:193::/64 masquerade"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}
