package domainxml

import (
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"
)

// TestDirectNetworkInterface: a network interface holding a direct
// network's port prints as libvirt's live XML shows it, and the status
// file's copy reads back with both its network and its device; the
// controller's fast path sees a direct interface.
func TestDirectNetworkInterface(t *testing.T) {
	d, err := Parse([]byte(`<domain type='lxc'><name>a</name><memory>65536</memory><os><type>exe</type><init>/bin/sh</init></os>
<devices><interface type='network'><mac address='52:54:00:00:00:0a'/><source network='mv'/></interface></devices></domain>`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := &d.Devices.Interfaces[0]
	n.Source.Direct = &libvirtxml.DomainInterfaceSourceDirect{Dev: "eth1", Mode: "bridge"}
	out, err := Format(d)
	if err != nil {
		t.Fatal(err)
	}
	want := "    <interface type='direct'>\n      <mac address='52:54:00:00:00:0a'/>\n      <source network='mv' dev='eth1' mode='bridge'/>\n"
	if !strings.Contains(string(out), want) {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	back, err := Parse(out, Options{Live: true})
	if err != nil {
		t.Fatal(err)
	}
	s := back.Devices.Interfaces[0].Source
	if s.Network == nil || s.Network.Network != "mv" || s.Direct == nil || s.Direct.Dev != "eth1" || s.Direct.Mode != "bridge" {
		t.Fatalf("read back as %+v", s)
	}
	again, err := Format(back)
	if err != nil || string(again) != string(out) {
		t.Fatalf("formatted again:\n%s\n%v", again, err)
	}
	fast, err := ParseLive(out)
	if err != nil {
		t.Fatal(err)
	}
	if s := fast.Devices.Interfaces[0].Source; s.Direct == nil || s.Direct.Dev != "eth1" {
		t.Fatalf("controller reads %+v", s)
	}
	// An inactive definition's direct interface knows no network.
	if in, err := Parse(out, Options{}); err != nil || in.Devices.Interfaces[0].Source.Network != nil {
		t.Fatalf("inactive parse: %+v %v", in.Devices.Interfaces[0].Source, err)
	}
}
