package netdev

import (
	"encoding/xml"
	"reflect"
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/spec"
)

func ifaces(t *testing.T, docs ...string) []libvirtxml.DomainInterface {
	t.Helper()
	var out []libvirtxml.DomainInterface
	for _, d := range docs {
		var n libvirtxml.DomainInterface
		if err := xml.Unmarshal([]byte(d), &n); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		out = append(out, n)
	}
	return out
}

func TestPlanNamesAndLinkState(t *testing.T) {
	got, err := Plan(ifaces(t,
		`<interface type='bridge'><source bridge='br0'/></interface>`,
		`<interface type='bridge'><source bridge='br0'/><guest dev='lan'/><link state='up'/></interface>`,
		`<interface type='ethernet'><target dev='host1'/><ip address='10.0.0.2'/></interface>`,
		`<interface type='direct'><source dev='eth9' mode='bridge'/><target dev='ignored'/><link state='down'/></interface>`,
	))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		typ, host, peer, guest string
		up                     bool
	}
	want := []row{
		{"bridge", "", "vlxpeer0", "eth0", false},
		{"bridge", "", "vlxpeer1", "lan", true},
		{"ethernet", "host1", "vlxpeer2", "eth1", true},
		{"direct", "", "vlxpeer3", "eth2", false},
	}
	for i, it := range got {
		r := row{it.Type, it.HostName, it.PeerName, it.GuestName, it.Up}
		if r != want[i] {
			t.Errorf("interface %d: got %+v, want %+v", i, r, want[i])
		}
	}
	if got[3].Mode != "bridge" || got[3].SourceDev != "eth9" {
		t.Errorf("direct: %+v", got[3])
	}
	// Class A default prefix, as libvirt fills it.
	if got[2].IPs[0] != (spec.Address{Address: "10.0.0.2", Prefix: 8}) {
		t.Errorf("address %+v", got[2].IPs[0])
	}
}

func TestPlanAddressesAndRoutes(t *testing.T) {
	got, err := Plan(ifaces(t, `<interface type='ethernet'>
  <source><ip address='192.168.5.1' prefix='24'/><route address='10.9.0.0' netmask='255.255.0.0' gateway='192.168.5.2'/></source>
  <mac address='52:54:00:aa:bb:cc'/><mtu size='1400'/>
  <ip address='192.168.5.2' prefix='24' peer='192.168.5.1'/><ip address='fd00::2'/>
  <route address='0.0.0.0' prefix='0' gateway='192.168.5.1' metric='5'/>
</interface>`))
	if err != nil {
		t.Fatal(err)
	}
	it := got[0]
	wantIPs := []spec.Address{{Address: "192.168.5.2", Prefix: 24, Peer: "192.168.5.1"}, {Address: "fd00::2", Prefix: 64}}
	if !reflect.DeepEqual(it.IPs, wantIPs) {
		t.Errorf("ips %+v", it.IPs)
	}
	if !reflect.DeepEqual(it.Routes, []spec.Route{{Address: "0.0.0.0", Prefix: 0, Gateway: "192.168.5.1", Metric: 5}}) {
		t.Errorf("routes %+v", it.Routes)
	}
	if !reflect.DeepEqual(it.HostRoutes, []spec.Route{{Address: "10.9.0.0", Prefix: 16, Gateway: "192.168.5.2"}}) {
		t.Errorf("host routes %+v", it.HostRoutes)
	}
	if !reflect.DeepEqual(it.HostIPs, []spec.Address{{Address: "192.168.5.1", Prefix: 24}}) {
		t.Errorf("host ips %+v", it.HostIPs)
	}
	if it.MAC != "52:54:00:aa:bb:cc" || it.MTU != 1400 {
		t.Errorf("mac %q mtu %d", it.MAC, it.MTU)
	}
}

func TestPlanMacvlanDefaultMode(t *testing.T) {
	got, err := Plan(ifaces(t, `<interface type='direct'><source dev='eth0'/></interface>`))
	if err != nil || got[0].Mode != "vepa" {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestPlanRejections(t *testing.T) {
	cases := map[string]string{
		`<interface type='bridge'><source bridge=''/></interface>`:                                                                            "No bridge name specified",
		`<interface type='direct'><source dev='eth0'/><virtualport type='802.1Qbg'/></interface>`:                                             "Unable to set port profile on direct interfaces",
		`<interface type='direct'><source dev='eth0' mode='vepa-x'/></interface>`:                                                             "Unsupported macvlan mode 'vepa-x'",
		`<interface type='ethernet'><ip address='10.0.0.300'/></interface>`:                                                                   "Invalid IP address '10.0.0.300'",
		`<interface type='ethernet'><ip address='10.0.0.3' prefix='33'/></interface>`:                                                         "Invalid prefix 33",
		`<interface type='ethernet'><route address='10.0.0.0' prefix='8' gateway='fd00::1'/></interface>`:                                     "different families",
		`<interface type='ethernet'><target dev='a-name-much-too-long'/></interface>`:                                                         "invalid target device name",
		`<interface type='udp'><source address='127.0.0.1' port='1'/></interface>`:                                                            "Unsupported network type udp",
		`<interface type='bridge'><mac address='52:54:00:00:00:01'/><source bridge='br0'/><vlan><tag id='5'/></vlan></interface>`:             "interface 52:54:00:00:00:01 - vlan tag not supported for this connection type",
		`<interface type='direct'><mac address='52:54:00:00:00:02'/><source dev='eth0' mode='bridge'/><vlan><tag id='5'/></vlan></interface>`: "interface 52:54:00:00:00:02 - vlan tag not supported for this connection type",
		`<interface type='direct'><source dev='eth0' mode='passthrough'/><vlan><tag id='5'/></vlan></interface>`:                              "vlan can only be set for SR-IOV VFs, but eth0 is not a VF",
	}
	for doc, want := range cases {
		_, err := Plan(ifaces(t, doc))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s\n got %v\nwant …%s…", doc, err, want)
		}
	}
}

func TestAutoNamesPerRoot(t *testing.T) {
	if p := AutoPrefix(""); p != "vnet" {
		t.Errorf("system prefix %q", p)
	}
	a, b := AutoPrefix("/tmp/a/root"), AutoPrefix("/tmp/b/root")
	if a == b || a == "vnet" || a != AutoPrefix("/tmp/a/root") {
		t.Errorf("prefixes %q %q", a, b)
	}
	if n := HostName(a, 123456789); len(n) > ifNameMax || !strings.HasPrefix(n, a) {
		t.Errorf("name %q", n)
	}
}

// TestRoutePrefixDefaults: a route without prefix or netmask gets its
// address's natural prefix, as libvirt's virSocketAddrGetIPPrefix; the
// wildcard is the default route.
func TestRoutePrefixDefaults(t *testing.T) {
	for addr, want := range map[string]int{"0.0.0.0": 0, "10.1.0.0": 8, "172.16.0.0": 16, "192.168.1.0": 24, "::": 0, "fd00::": 64} {
		gw := "10.0.0.1"
		if strings.Contains(addr, ":") {
			gw = "fd00::1"
		}
		got, err := routes([]libvirtxml.DomainInterfaceRoute{{Address: addr, Gateway: gw}})
		if err != nil || len(got) != 1 || got[0].Prefix != want {
			t.Errorf("route %s: %+v, %v; want prefix %d", addr, got, err, want)
		}
	}
	got, err := routes([]libvirtxml.DomainInterfaceRoute{{Address: "192.168.1.0", Netmask: "255.255.0.0", Gateway: "10.0.0.1"}})
	if err != nil || got[0].Prefix != 16 {
		t.Errorf("netmask route: %+v, %v", got, err)
	}
}

// Unnamed interfaces are eth0, eth1, ... in order; the names a start
// recorded count as given, so a later interface gets the next free one.
func TestGuestNames(t *testing.T) {
	named := func(dev string) libvirtxml.DomainInterface {
		return libvirtxml.DomainInterface{Guest: &libvirtxml.DomainInterfaceGuest{Dev: dev}}
	}
	for _, c := range []struct {
		ifaces []libvirtxml.DomainInterface
		want   string
	}{
		{[]libvirtxml.DomainInterface{named("foo"), {}, {}}, "foo eth0 eth1"},
		{[]libvirtxml.DomainInterface{named("eth0"), named("eth1"), {}}, "eth0 eth1 eth2"},
		{[]libvirtxml.DomainInterface{{}, named("eth0")}, "eth1 eth0"},
	} {
		g := NewGuestNames(c.ifaces)
		var got []string
		for _, n := range c.ifaces {
			got = append(got, g.Next(n))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%v: %q, want %q", c.ifaces, got, c.want)
		}
	}
}
