package network

import (
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/virerr"
)

// startNet defines and starts a network for a ports test.
func startNet(t *testing.T, r *Registry, xml string) string {
	t.Helper()
	info, err := r.Define([]byte(xml))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(info.Name); err != nil {
		t.Fatal(err)
	}
	return info.Name
}

// liveXML is a network's live document.
func liveXML(t *testing.T, r *Registry, name string) string {
	t.Helper()
	out, err := r.XML(name, false)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestPorts: libvirt's networkAllocatePort and networkReleasePort. A
// bridge network counts its ports; a direct network hands out the least
// used device of its pool (the first on a tie), a passthrough one only an
// unused device, and the live XML shows the counts.
func TestPorts(t *testing.T) {
	f := newFake()
	r, _ := newTestRegistry(t, f)
	wantErr(t, func() error { _, err := r.AllocatePort("nope", Port{}); return err }(), virerr.ErrNoNetwork, "Network not found: no network with matching name 'nope'")
	if _, err := r.Define([]byte(isoXML)); err != nil {
		t.Fatal(err)
	}
	wantErr(t, func() error { _, err := r.AllocatePort("iso", Port{}); return err }(), virerr.ErrOperationInvalid,
		"Requested operation is not valid: network 'iso' is not active")
	if err := r.Start("iso"); err != nil {
		t.Fatal(err)
	}
	p, err := r.AllocatePort("iso", Port{})
	if err != nil || p.Bridge == "" || p.Dev != "" {
		t.Fatalf("bridge port %+v, %v", p, err)
	}
	if x := liveXML(t, r, "iso"); !strings.HasPrefix(x, "<network connections='1'>\n") {
		t.Errorf("live XML:\n%s", x)
	}
	if x, _ := r.XML("iso", true); strings.Contains(string(x), "connections") {
		t.Errorf("inactive XML shows connections:\n%s", x)
	}
	r.ReleasePort("iso", p.UUID)
	if x := liveXML(t, r, "iso"); strings.Contains(x, "connections") {
		t.Errorf("released, live XML:\n%s", x)
	}

	br := startNet(t, r, "<network><name>mv</name><forward mode='bridge'><interface dev='eth1'/><interface dev='eth2'/></forward></network>")
	var got []string
	var ports []Port
	for i := 0; i < 3; i++ {
		p, err := r.AllocatePort(br, Port{})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Dev+"/"+p.Mode)
		ports = append(ports, p)
	}
	if strings.Join(got, " ") != "eth1/bridge eth2/bridge eth1/bridge" {
		t.Errorf("devices handed out: %v", got)
	}
	x := liveXML(t, r, br)
	for _, want := range []string{"<network connections='3'>", "<forward dev='eth1' mode='bridge'>",
		"<interface dev='eth1' connections='2'/>", "<interface dev='eth2' connections='1'/>"} {
		if !strings.Contains(x, want) {
			t.Errorf("live XML lacks %q:\n%s", want, x)
		}
	}
	r.ReleasePort(br, ports[1].UUID)
	if p, _ := r.AllocatePort(br, Port{}); p.Dev != "eth2" {
		t.Errorf("after eth2's port went, the next got %q", p.Dev)
	}

	pt := startNet(t, r, "<network><name>pt</name><forward mode='passthrough'><interface dev='eth3'/><interface dev='eth4'/></forward></network>")
	a, _ := r.AllocatePort(pt, Port{})
	b, _ := r.AllocatePort(pt, Port{})
	if a.Dev != "eth3" || b.Dev != "eth4" || a.Mode != "passthrough" {
		t.Errorf("passthrough ports %+v %+v", a, b)
	}
	wantErr(t, func() error { _, err := r.AllocatePort(pt, Port{}); return err }(), virerr.ErrInternalError,
		"internal error: network 'pt' requires exclusive access to interfaces, but none are available")
	wantErr(t, func() error { _, err := r.ReclaimPort(pt, a); return err }(), virerr.ErrInternalError,
		"internal error: network 'pt' claims dev='eth3' is already in use by a different port")
	r.ReleasePort(pt, a.UUID)
	if _, err := r.ReclaimPort(pt, a); err != nil {
		t.Fatal(err)
	}
	wantErr(t, func() error { _, err := r.ReclaimPort(pt, Port{UUID: "u9", Dev: "eth9"}); return err }(), virerr.ErrInternalError,
		"internal error: network 'pt' doesn't have dev='eth9' in use by network port 'u9'")

	none := startNet(t, r, "<network><name>none</name><forward mode='vepa'/></network>")
	wantErr(t, func() error { _, err := r.AllocatePort(none, Port{}); return err }(), virerr.ErrInternalError,
		"internal error: network 'none' uses a direct mode, but has no forward dev and no interface pool")

	// Restarting a network forgets its ports, as libvirt's does.
	if err := r.Destroy(br); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(br); err != nil {
		t.Fatal(err)
	}
	if x := liveXML(t, r, br); strings.Contains(x, "connections") {
		t.Errorf("restarted network kept its ports:\n%s", x)
	}
}

// TestPortAPI: the ports of a network listed, looked up, shown in
// libvirt's networkport XML and deleted.
func TestPortAPI(t *testing.T) {
	f := newFake()
	r, _ := newTestRegistry(t, f)
	startNet(t, r, isoXML)
	avg := 100
	p, err := r.AllocatePort("iso", Port{Owner: "c1", OwnerUUID: "5c3d4f3e-8f3d-4b3c-9d2e-0a1b2c3d4e5f", MAC: "52:54:00:00:00:01",
		Isolated: true, Bandwidth: &libvirtxml.DomainInterfaceBandwidth{Inbound: &libvirtxml.DomainInterfaceBandwidthParams{Average: &avg}}})
	if err != nil {
		t.Fatal(err)
	}
	x, err := r.PortXML("iso", p.UUID)
	if err != nil {
		t.Fatal(err)
	}
	want := "<networkport>\n  <uuid>" + p.UUID + "</uuid>\n  <owner>\n    <name>c1</name>\n    <uuid>5c3d4f3e-8f3d-4b3c-9d2e-0a1b2c3d4e5f</uuid>\n  </owner>\n" +
		"  <mac address='52:54:00:00:00:01'/>\n  <bandwidth>\n    <inbound average='100'/>\n  </bandwidth>\n  <port isolated='yes'/>\n" +
		"  <plug type='network' bridge='" + p.Bridge + "'/>\n</networkport>\n"
	if string(x) != want {
		t.Errorf("port XML:\n%s\nwant\n%s", x, want)
	}
	startNet(t, r, "<network><name>mv</name><forward dev='eth1' mode='vepa'/></network>")
	q, err := r.AllocatePort("mv", Port{Owner: "c2", OwnerUUID: "5c3d4f3e-8f3d-4b3c-9d2e-0a1b2c3d4e60", MAC: "52:54:00:00:00:02"})
	if err != nil {
		t.Fatal(err)
	}
	if x, _ := r.PortXML("mv", q.UUID); !strings.Contains(string(x), "  <plug type='direct' dev='eth1' mode='vepa'/>\n") {
		t.Errorf("direct port XML:\n%s", x)
	}
	if ports, err := r.Ports("mv"); err != nil || len(ports) != 1 || ports[0].UUID != q.UUID {
		t.Errorf("ports of mv: %+v %v", ports, err)
	}
	if err := r.DeletePort("mv", q.UUID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, func() error { _, err := r.PortByUUID("mv", q.UUID); return err }(), virerr.ErrNoNetworkPort,
		"network port not found: Network port with UUID "+q.UUID+" does not exist")
	if x := liveXML(t, r, "mv"); strings.Contains(x, "connections") {
		t.Errorf("a deleted port is still counted:\n%s", x)
	}
	r.ReleasePort("mv", q.UUID) // its owner stops later: nothing happens
	if err := r.Destroy("mv"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, func() error { _, err := r.Ports("mv"); return err }(), virerr.ErrOperationInvalid,
		"Requested operation is not valid: network 'mv' is not active")
}

// TestCreatePort: virNetworkPortDefParseXML's refusals and
// networkPortCreateXML's reclaim rules.
func TestCreatePort(t *testing.T) {
	f := newFake()
	r, _ := newTestRegistry(t, f)
	startNet(t, r, "<network><name>mv</name><forward dev='eth1' mode='bridge'/></network>")
	const u, o = "0c6b3a4e-5f2d-4a1b-9c8d-7e6f5a4b3c2d", "1d7c4b5f-6a3e-4b2c-8d9e-0f1a2b3c4d5e"
	doc := func(body string) string { return "<networkport>" + body + "</networkport>" }
	full := "<uuid>" + u + "</uuid><owner><name>x</name><uuid>" + o + "</uuid></owner><mac address='52:54:00:00:00:0a'/>"
	for _, tc := range []struct {
		body    string
		reclaim bool
		code    virerr.Code
		msg     string
	}{
		{"", false, virerr.ErrInternalError, "internal error: network port has no uuid"},
		{"<uuid>zz</uuid>", false, virerr.ErrInternalError, "internal error: Unable to parse UUID 'zz'"},
		{"<uuid>" + u + "</uuid>", false, virerr.ErrInternalError, "internal error: network port has no owner name"},
		{"<uuid>" + u + "</uuid><owner><name>x</name></owner>", false, virerr.ErrInternalError, "internal error: network port has no owner UUID"},
		{"<uuid>" + u + "</uuid><owner><name>x</name><uuid>" + o + "</uuid></owner>", false, virerr.ErrInternalError, "internal error: network port has no mac"},
		{full + "<plug type='direct'/>", true, virerr.ErrXMLError, "XML error: Missing network port link device name"},
		{full + "<plug type='direct' dev='eth1' mode='odd'/>", true, virerr.ErrXMLError, "XML error: Invalid mode setting 'odd' in network port"},
		{full + "<plug type='direct' dev='eth1'/>", false, virerr.ErrInvalidArg, "invalid argument: Port reclaim not requested but plug type is not none"},
		{full, true, virerr.ErrInvalidArg, "invalid argument: Port reclaim requested but plug type is none"},
	} {
		_, err := r.CreatePort("mv", doc(tc.body), tc.reclaim)
		wantErr(t, err, tc.code, tc.msg)
	}
	p, err := r.CreatePort("mv", doc(full), false)
	if err != nil || p.UUID != u || p.Dev != "eth1" || p.Owner != "x" {
		t.Fatalf("created %+v, %v", p, err)
	}
	_, err = r.CreatePort("mv", doc(full), false)
	// libvirt's table wraps its message so: "network port %s exists already".
	wantErr(t, err, virerr.ErrNetworkPortExist, "network port Network port with UUID "+u+" already exists exists already")
	if err := r.DeletePort("mv", u); err != nil {
		t.Fatal(err)
	}
	if p, err := r.CreatePort("mv", doc(full+"<plug type='direct' dev='eth1' mode='bridge'/>"), true); err != nil || p.Dev != "eth1" {
		t.Fatalf("reclaimed %+v, %v", p, err)
	}
}
