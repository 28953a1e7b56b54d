package network

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"virtlxc/internal/dnsmasq"
)

// TestDnsmasqLikeLibvirt: the dnsmasq configuration and hosts file of
// each network in testdata/dnsmasq are what libvirt 9.0's network driver
// wrote for it (net-create in a private namespace on this machine; its
// header comment removed), apart from our header and the dhcp-leasefile
// line (virtlxcd reads dnsmasq's own lease file; libvirt has a helper
// script). A NAME.err file holds the error libvirt gave instead.
func TestDnsmasqLikeLibvirt(t *testing.T) {
	inputs, err := filepath.Glob("testdata/dnsmasq/*.xml")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no test networks: %v", err)
	}
	for _, in := range inputs {
		base := strings.TrimSuffix(in, ".xml")
		t.Run(filepath.Base(base), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			wantErr, _ := os.ReadFile(base + ".err")
			n, err := Parse(data)
			var c dnsmasq.Config
			if err == nil {
				c, _, err = dnsmasqOf(n)
			}
			if len(wantErr) > 0 {
				if err == nil || err.Error() != strings.TrimSpace(string(wantErr)) {
					t.Fatalf("error %v, want %s", err, wantErr)
				}
				return
			}
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
}
