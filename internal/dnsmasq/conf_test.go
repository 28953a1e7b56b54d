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
		V4: &DHCP{Address: net.ParseIP("192.168.122.1"), Prefix: 24,
			Ranges: []Range{{Start: net.ParseIP("192.168.122.2"), End: net.ParseIP("192.168.122.254")}},
			Hosts:  []Host{{MAC: "52:54:00:00:00:01", IP: net.ParseIP("192.168.122.10"), Name: "web"}}},
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
	c := Config{Interface: "br1", Domain: "example", LocalOnly: true,
		Forwarders: []Forwarder{{Addr: "10.0.0.53"}}, NoForwardPlainNames: true,
		V6: &DHCP{Address: net.ParseIP("fd00::1"), Prefix: 64, Ranges: []Range{{Start: net.ParseIP("fd00::10"), End: net.ParseIP("fd00::ff")}}}}
	got, err := Render(c, FilesFor("/d", "/r", "n", "br1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"server=10.0.0.53\nno-resolv\n", "local=/example/\ndomain=example\nexpand-hosts\ndomain-needed\nlocal=//\n",
		"dhcp-range=fd00::10,fd00::ff,64\n", "dhcp-lease-max=240\n", "enable-ra\n"} {
		if !strings.Contains(got.Conf, want) {
			t.Errorf("conf lacks %q:\n%s", want, got.Conf)
		}
	}
	// DNS off: port 0, and nothing of the DNS server's but the domain.
	c.NoDNS = true
	if got, _ = Render(c, FilesFor("/d", "/r", "n", "br1")); !strings.Contains(got.Conf, "port=0\n") ||
		strings.Contains(got.Conf, "server=") || strings.Contains(got.Conf, "domain-needed") || strings.Contains(got.Conf, "addn-hosts") {
		t.Errorf("with DNS off:\n%s", got.Conf)
	}
	if _, err := Render(Config{Interface: "b", V4: &DHCP{Address: net.ParseIP("10.0.0.1"), Prefix: 24,
		Ranges: []Range{{Start: net.ParseIP("10.0.0.9"), End: net.ParseIP("10.0.0.2")}}}}, Files{}); err == nil {
		t.Error("a range ending before its start was accepted")
	}
}

func TestPTRDomainAndLeaseTime(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		prefix int
		want   string
	}{
		{"192.168.122.1", 24, "122.168.192.in-addr.arpa"},
		{"10.1.2.3", 8, "10.in-addr.arpa"},
		{"192.168.0.1", 20, ""},
		{"fd00:12::1", 64, "0.0.0.0.0.0.0.0.2.1.0.0.0.0.d.f.ip6.arpa"},
		{"2001:db8::1", 34, ""},
		{"2001:db8:abcd::1", 36, "a.8.b.d.0.1.0.0.2.ip6.arpa"},
	} {
		got, ok := PTRDomain(net.ParseIP(tc.addr), tc.prefix)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("PTRDomain(%s/%d) = %q %v, want %q", tc.addr, tc.prefix, got, ok, tc.want)
		}
	}
	for _, tc := range []struct {
		expiry uint
		unit   string
		want   string
	}{{0, "hours", "infinite"}, {1, "hours", "1h"}, {30, "minutes", "30m"}, {120, "", "120m"}, {90, "seconds", "90s"}} {
		if got := LeaseTime(tc.expiry, tc.unit); got != tc.want {
			t.Errorf("LeaseTime(%d, %q) = %q, want %q", tc.expiry, tc.unit, got, tc.want)
		}
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
