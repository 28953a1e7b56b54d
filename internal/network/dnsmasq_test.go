package network

import (
	"os"
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/dnsmasq"
)

// TestDnsmasqLikeLibvirt: the dnsmasq configuration and hosts file of
// each network in testdata/dnsmasq are what libvirt 9.0's network driver
// wrote for it (net-create in a private namespace on this machine; its
// header comment removed), apart from our header and the dhcp-leasefile
// line (virtlxcd reads dnsmasq's own lease file; libvirt has a helper
// script). A NAME.err file holds the error libvirt gave instead.
func TestDnsmasqLikeLibvirt(t *testing.T) {
	fail := func(n *libvirtxml.Network) error { _, _, err := dnsmasqOf(n); return err }
	eachLibvirtCase(t, "testdata/dnsmasq", fail, func(t *testing.T, base string, n *libvirtxml.Network) {
		c, _, err := dnsmasqOf(n)
		if err != nil {
			t.Fatal(err)
		}
		got, err := dnsmasq.Render(c, dnsmasq.FilesFor("/var/lib/libvirt/dnsmasq", "/run/libvirt/network", n.Name, n.Bridge.Name))
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, l := range strings.SplitAfter(got.Conf, "\n") {
			if !strings.HasPrefix(l, "##") && !strings.HasPrefix(l, "dhcp-leasefile=") {
				lines = append(lines, l)
			}
		}
		want, err := os.ReadFile(base + ".conf")
		if err != nil {
			t.Fatal(err)
		}
		if conf := strings.Join(lines, ""); conf != string(want) {
			t.Errorf("configuration:\n%s\nlibvirt 9.0's:\n%s", conf, want)
		}
		wantHosts, _ := os.ReadFile(base + ".hostsfile")
		if got.Hosts != string(wantHosts) {
			t.Errorf("hosts file:\n%s\nlibvirt 9.0's:\n%s", got.Hosts, wantHosts)
		}
		wantAddn, _ := os.ReadFile(base + ".addnhosts")
		if got.AddnHosts != string(wantAddn) {
			t.Errorf("addn-hosts file:\n%s\nlibvirt 9.0's:\n%s", got.AddnHosts, wantAddn)
		}
	})
}
