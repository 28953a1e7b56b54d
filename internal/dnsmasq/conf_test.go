package dnsmasq

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRenderDefaultNetwork(t *testing.T) {
	f := FilesFor("/var/lib/libvirt/dnsmasq", "/run/libvirt/network", "default", "virbr0")
	c := Config{Interface: "virbr0",
		Ranges:   []Range{{Start: net.ParseIP("192.168.122.2"), End: net.ParseIP("192.168.122.254"), Prefix: 24}},
		Hosts:    []Host{{MAC: "52:54:00:00:00:01", IP: net.ParseIP("192.168.122.10"), Name: "web"}},
		DNSHosts: []DNSHost{{IP: net.ParseIP("192.168.122.1"), Names: []string{"gw", "gateway"}}},
	}
	got, err := Render(c, f)
	if err != nil {
		t.Fatal(err)
	}
	want := `strict-order
pid-file=/run/libvirt/network/default.pid
except-interface=lo
bind-dynamic
interface=virbr0
dhcp-range=192.168.122.2,192.168.122.254,255.255.255.0
dhcp-no-override
dhcp-authoritative
dhcp-lease-max=253
dhcp-leasefile=/var/lib/libvirt/dnsmasq/virbr0.leases
dhcp-hostsfile=/var/lib/libvirt/dnsmasq/default.hostsfile
addn-hosts=/var/lib/libvirt/dnsmasq/default.addnhosts
`
	if !strings.HasSuffix(got.Conf, want) {
		t.Errorf("conf:\n%s\nwant it to end with:\n%s", got.Conf, want)
	}
	if got.Hosts != "52:54:00:00:00:01,192.168.122.10,web\n" || got.AddnHosts != "192.168.122.1\tgw\tgateway\n" {
		t.Errorf("hosts %q addn %q", got.Hosts, got.AddnHosts)
	}
}

func TestRenderDNSOptions(t *testing.T) {
	c := Config{Interface: "br1", Domain: "example", LocalOnly: true, NoDNS: true,
		Forwarders: []string{"10.0.0.53"}, NoForwardPlainNames: true,
		Ranges: []Range{{Start: net.ParseIP("fd00::10"), End: net.ParseIP("fd00::ff"), Prefix: 64}}}
	got, err := Render(c, FilesFor("/d", "/r", "n", "br1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"domain-needed\n", "port=0\n", "server=10.0.0.53\n", "local=/example/\ndomain=example\nexpand-hosts\n",
		"dhcp-range=fd00::10,fd00::ff,64\n", "dhcp-lease-max=240\n", "enable-ra\n"} {
		if !strings.Contains(got.Conf, want) {
			t.Errorf("conf lacks %q:\n%s", want, got.Conf)
		}
	}
	if _, err := Render(Config{Interface: "b", Ranges: []Range{{Start: net.ParseIP("10.0.0.9"), End: net.ParseIP("10.0.0.2"), Prefix: 24}}}, Files{}); err == nil {
		t.Error("a range ending before its start was accepted")
	}
}

func TestReadLeases(t *testing.T) {
	p := filepath.Join(t.TempDir(), "virbr0.leases")
	data := `1700000000 52:54:00:AA:bb:01 192.168.122.45 c1 01:52:54:00:aa:bb:01
0 52:54:00:aa:bb:02 192.168.122.46 * *
bad line
duid 00:01:00:01:2c:00:00:00:52:54:00:00:00:00
1700000100 12345 fd00::10 c3 00:04:aa
`
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	ls, err := ReadLeases(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 3 {
		t.Fatalf("leases: %+v", ls)
	}
	if ls[0].MAC != "52:54:00:aa:bb:01" || ls[0].Hostname != "c1" || ls[0].Expiry != 1700000000 || !ls[0].IP.Equal(net.ParseIP("192.168.122.45")) {
		t.Errorf("lease 0: %+v", ls[0])
	}
	if ls[1].Hostname != "" || ls[1].ClientID != "" {
		t.Errorf("lease 1: %+v", ls[1])
	}
	if ls[2].IAID != "12345" || ls[2].MAC != "" || ls[2].ClientID != "00:04:aa" {
		t.Errorf("lease 2: %+v", ls[2])
	}
	if ls, err := ReadLeases(filepath.Join(t.TempDir(), "none")); err != nil || ls != nil {
		t.Errorf("missing file: %v %v", ls, err)
	}
}
