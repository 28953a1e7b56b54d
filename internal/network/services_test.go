package network

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"virtlxc/internal/dnsmasq"
	"virtlxc/internal/firewall"
	"virtlxc/internal/virerr"
)

const natXML = `<network>
  <name>default</name>
  <forward mode='nat'><nat><port start='2000' end='3000'/></nat></forward>
  <bridge name='virbr0'/>
  <domain name='lab' localOnly='yes'/>
  <dns><host ip='192.168.122.1'><hostname>gw</hostname></host></dns>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
      <host mac='52:54:00:00:00:07' name='seven' ip='192.168.122.7'/>
    </dhcp>
  </ip>
</network>`

func TestNATNetworkServices(t *testing.T) {
	f := newFake()
	r, c := newTestRegistry(t, f)
	s := c.Services.(*fakeServices)
	if _, err := r.Define([]byte(natXML)); err != nil {
		t.Fatal(err)
	}
	if err := r.Start("default"); err != nil {
		t.Fatal(err)
	}
	fw, ok := s.tables["virbr0"]
	if !ok || !s.forwarding || fw.Mode != "nat" || fw.PortStart != 2000 || fw.PortEnd != 3000 ||
		len(fw.Subnets) != 1 || fw.Subnets[0] != netip.MustParsePrefix("192.168.122.0/24") {
		t.Fatalf("firewall %+v forwarding %v", fw, s.forwarding)
	}
	if len(s.dnsmasq) != 1 {
		t.Fatalf("dnsmasq: %+v", s.dnsmasq)
	}
	for conf, d := range s.dnsmasq {
		if !strings.HasSuffix(conf, "lib/dnsmasq/default.conf") || d.Interface != "virbr0" || d.V4 == nil || len(d.V4.Ranges) != 1 ||
			d.V4.Prefix != 24 || len(d.V4.Hosts) != 1 || d.V4.Hosts[0].Name != "seven" || d.V6 != nil || d.Isolated || d.Domain != "lab" || !d.LocalOnly ||
			len(d.DNSHosts) != 1 || d.DNSHosts[0].Names[0] != "gw" {
			t.Fatalf("dnsmasq config %s: %+v", conf, d)
		}
	}
	if err := r.Destroy("default"); err != nil {
		t.Fatal(err)
	}
	if len(s.tables) != 0 || len(s.dnsmasq) != 0 || len(f.bridges) != 0 {
		t.Fatalf("left behind: %v %v %v", s.tables, s.dnsmasq, f.bridges)
	}
}

func TestServicesFailureUndoesStart(t *testing.T) {
	f := newFake()
	r, c := newTestRegistry(t, f)
	s := c.Services.(*fakeServices)
	s.failStart = errors.New("dnsmasq: address in use")
	if _, err := r.Define([]byte(natXML)); err != nil {
		t.Fatal(err)
	}
	wantErr(t, r.Start("default"), virerr.ErrInternalError, "internal error: network 'default': dnsmasq: address in use")
	if info, _ := r.LookupByName("default"); info.Active {
		t.Fatal("network active after a failed start")
	}
	if len(s.tables) != 0 || len(f.bridges) != 0 {
		t.Fatalf("left behind: %v %v", s.tables, f.bridges)
	}
}

func TestIsolatedAndDNSOff(t *testing.T) {
	n, err := Parse([]byte(`<network><name>q</name><bridge name='b'/><dns enable='no'/><ip address='10.0.0.1' prefix='24'/></network>`))
	if err != nil {
		t.Fatal(err)
	}
	if _, needed, err := dnsmasqOf(n); err != nil || needed {
		t.Errorf("DNS off, no DHCP: dnsmasq needed=%v err=%v", needed, err)
	}
	n, _ = Parse([]byte(isoXML))
	n.Bridge = nil
	FillDefaults(n, func(string) string { return "virbr5" })
	if _, needed, _ := dnsmasqOf(n); !needed {
		t.Error("an isolated network with an address serves DNS")
	}
	if fw := firewallOf(n); fw.Mode != "" || len(fw.Subnets) != 1 {
		t.Errorf("isolated firewall: %+v", fw)
	}
}

func TestLoadRestartsServices(t *testing.T) {
	f := newFake()
	r, c := newTestRegistry(t, f)
	s := c.Services.(*fakeServices)
	for _, x := range []string{natXML, isoXML} {
		if _, err := r.Define([]byte(x)); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"default", "iso"} {
		if err := r.Start(n); err != nil {
			t.Fatal(err)
		}
	}
	isoBridge, _ := r.Bridge("iso")
	delete(f.bridges, isoBridge) // iso's bridge went away with the daemon
	s.dnsmasq = map[string]dnsmasq.Config{}
	s.tables = map[string]firewall.Network{}
	r2 := NewRegistry(c)
	if err := r2.Load(); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.tables["virbr0"]; !ok || len(s.dnsmasq) != 1 {
		t.Fatalf("default's services not resumed: %v %v", s.tables, s.dnsmasq)
	}
	if _, ok := s.tables[isoBridge]; ok {
		t.Fatal("rules put back for a network whose bridge is gone")
	}
	// Autostart happens once per boot: a destroyed autostart network
	// stays down when the daemon restarts.
	if err := r2.SetAutostart("default", true); err != nil {
		t.Fatal(err)
	}
	if err := r2.Destroy("default"); err != nil {
		t.Fatal(err)
	}
	r3 := NewRegistry(c)
	if err := r3.Load(); err != nil {
		t.Fatal(err)
	}
	if info, _ := r3.LookupByName("default"); info.Active {
		t.Fatal("an autostart network was started again by a daemon restart")
	}
}

func TestInstallDefault(t *testing.T) {
	f := newFake()
	f.routes["192.168.122.0/24"] = true // taken, as the package's script checks
	r, c := newTestRegistry(t, f)
	if err := r.InstallDefault(); err != nil {
		t.Fatal(err)
	}
	info, err := r.LookupByName("default")
	if err != nil || !info.Active || !info.Persistent || !info.Autostart || info.Bridge != "virbr0" {
		t.Fatalf("default: %+v %v", info, err)
	}
	x, _ := r.XML("default", true)
	for _, want := range []string{"<forward mode='nat'/>", "<ip address='192.168.123.1' netmask='255.255.255.0'>",
		"<range start='192.168.123.2' end='192.168.123.254'/>"} {
		if !strings.Contains(string(x), want) {
			t.Errorf("default network lacks %q:\n%s", want, x)
		}
	}
	// Running, it shows the port range it masquerades with.
	if x, _ := r.XML("default", false); !strings.Contains(string(x), "<forward mode='nat'>\n    <nat>\n      <port start='1024' end='65535'/>") {
		t.Errorf("running default network lacks its port range:\n%s", x)
	}
	if s := c.Services.(*fakeServices); len(s.dnsmasq) != 1 || s.tables["virbr0"].Mode != "nat" {
		t.Errorf("default network services: %v %v", s.dnsmasq, s.tables)
	}
	// A second call (the next daemon start) changes nothing.
	if err := r.InstallDefault(); err != nil {
		t.Fatal(err)
	}
}

func TestLifecycleEvents(t *testing.T) {
	r, _ := newTestRegistry(t, newFake())
	sub := r.Subscribe()
	defer sub.Close()
	if _, err := r.Define([]byte(isoXML)); err != nil {
		t.Fatal(err)
	}
	steps := []func() error{
		func() error { return r.Start("iso") },
		func() error { return r.Undefine("iso") }, // active: stays, transient
		func() error { return r.Destroy("iso") },
		func() error { _, err := r.CreateXML([]byte(`<network><name>t</name></network>`)); return err },
		func() error { return r.Destroy("t") },
	}
	for _, f := range steps {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	want := []Event{{Name: "iso", Type: EventDefined}, {Name: "iso", Type: EventStarted}, {Name: "iso", Type: EventUndefined},
		{Name: "iso", Type: EventStopped}, {Name: "t", Type: EventStarted}, {Name: "t", Type: EventStopped}}
	for i, w := range want {
		ev := <-sub.C
		if ev.Name != w.Name || ev.Type != w.Type || ev.UUID == "" {
			t.Errorf("event %d = %+v, want %s %d", i, ev, w.Name, w.Type)
		}
	}
}
