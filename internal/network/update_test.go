package network

import (
	"strings"
	"testing"

	"virtlxc/internal/virerr"
)

const updXML = `<network><name>u</name><bridge name='virbr5'/><ip address='10.5.0.1' prefix='24'><dhcp><range start='10.5.0.10' end='10.5.0.20'/></dhcp></ip></network>`

// TestUpdate: virNetworkUpdate's semantics (libvirt 9.0's
// virNetworkDefUpdate* and networkUpdate): entries added first or last,
// modified, deleted, libvirt's refusals, and what a running network
// does after each section's change.
func TestUpdate(t *testing.T) {
	f := newFake()
	r, c := newTestRegistry(t, f)
	s := c.Services.(*fakeServices)
	startNet(t, r, updXML)
	up := func(command, section uint32, doc string, flags uint32) error {
		return r.Update("u", command, section, -1, doc, flags)
	}
	ok := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ok(up(UpdateAddLast, SectionIPDHCPHost, "<host mac='52:54:00:00:00:02' name='b' ip='10.5.0.52'/>", 0))
	ok(up(UpdateAddFirst, SectionIPDHCPHost, "<host mac='52:54:00:00:00:01' name='a' ip='10.5.0.51'/>", 0))
	ok(up(UpdateModify, SectionIPDHCPHost, "<host mac='52:54:00:00:00:02' name='b2' ip='10.5.0.53'/>", 0))
	x := liveXML(t, r, "u")
	if !strings.Contains(x, "<range start='10.5.0.10' end='10.5.0.20'/>\n      <host mac='52:54:00:00:00:01' name='a' ip='10.5.0.51'/>\n      <host mac='52:54:00:00:00:02' name='b2' ip='10.5.0.53'/>") {
		t.Errorf("live XML:\n%s", x)
	}
	if cfg, _ := r.XML("u", true); strings.Contains(string(cfg), "<host") {
		t.Errorf("a live update changed the config:\n%s", cfg)
	}
	if s.refreshed != 3 || s.restarted != 0 {
		t.Errorf("static hosts: %d refreshes, %d restarts; want 3, 0", s.refreshed, s.restarted)
	}
	ok(up(UpdateDelete, SectionIPDHCPHost, "<host name='a'/>", 0))
	ok(up(UpdateAddLast, SectionIPDHCPRange, "<range start='10.5.0.30' end='10.5.0.40'/>", UpdateAffectLive|UpdateAffectConfig))
	if s.restarted != 1 {
		t.Errorf("a new range restarted dnsmasq %d times", s.restarted)
	}
	if cfg, _ := r.XML("u", true); !strings.Contains(string(cfg), "<range start='10.5.0.30' end='10.5.0.40'/>") {
		t.Errorf("config:\n%s", cfg)
	}
	ok(up(UpdateAddLast, SectionDNSTXT, "<txt name='t' value='v'/>", 0))
	ok(up(UpdateAddLast, SectionDNSSRV, "<srv service='http' protocol='tcp' target='h' port='80'/>", 0))
	ok(up(UpdateAddLast, SectionDNSHost, "<host ip='10.5.0.9'><hostname>h</hostname></host>", 0))
	ok(up(UpdateDelete, SectionDNSHost, "<host><hostname>h</hostname></host>", 0))
	if s.restarted != 3 || s.refreshed != 6 {
		t.Errorf("DNS records: %d restarts, %d refreshes; want 3, 6", s.restarted, s.refreshed)
	}
	if conf := s.dnsmasq[r.files(r.nets["u"].live).Conf]; len(conf.TXT) != 1 || len(conf.SRV) != 1 || len(conf.V4.Ranges) != 2 {
		t.Errorf("dnsmasq now serves %+v", conf)
	}

	for _, tc := range []struct {
		command, section uint32
		doc              string
		flags            uint32
		code             virerr.Code
		msg              string
	}{
		{UpdateAddLast, SectionIPDHCPHost, "<host mac='52:54:00:00:00:03' name='b2' ip='10.5.0.60'/>", 0, virerr.ErrOperationInvalid,
			"there is an existing dhcp host entry in network 'u' that matches \"<host mac='52:54:00:00:00:03' name='b2' ip='10.5.0.60'/>\""},
		{UpdateAddLast, SectionIPDHCPHost, "<host name='c'/>", 0, virerr.ErrXMLError, "Missing IP address in static host definition for network 'u'"},
		{UpdateAddLast, SectionIPDHCPHost, "<host ip='10.5.0.61'/>", 0, virerr.ErrXMLError, "Static host definition in IPv4 network 'u' must have mac or name attribute"},
		{UpdateDelete, SectionIPDHCPHost, "<host/>", 0, virerr.ErrXMLError, "At least one of name, mac, or ip attribute must be specified for static host definition in network 'u' "},
		{UpdateModify, SectionIPDHCPHost, "<host mac='52:54:00:00:00:09' ip='10.5.0.62'/>", 0, virerr.ErrOperationInvalid,
			"couldn't locate an existing dhcp host entry with \"mac='52:54:00:00:00:09'\" \"name='(null)'\" \"ip='10.5.0.62'\" in network 'u'"},
		{UpdateAddLast, SectionIPDHCPHost, "<host mac='52:54:00:00:00:04' name='d' ip='fd00::4'/>", 0, virerr.ErrOperationInvalid,
			"the address family of a host entry IP must match the address family of the dhcp element's parent"},
		{UpdateAddLast, SectionIPDHCPRange, "<range start='10.5.0.30' end='10.5.0.40'/>", 0, virerr.ErrOperationInvalid,
			"there is an existing dhcp range entry in network 'u' that matches \"<range start='10.5.0.30' end='10.5.0.40'/>\""},
		{UpdateAddLast, SectionIPDHCPRange, "<range start='10.6.0.30' end='10.6.0.40'/>", 0, virerr.ErrInternalError,
			"range 10.6.0.30 - 10.6.0.40 is not entirely within network 10.5.0.1/24"},
		{UpdateDelete, SectionIPDHCPRange, "<range start='10.5.0.31' end='10.5.0.40'/>", 0, virerr.ErrOperationInvalid,
			"couldn't locate a matching dhcp range entry in network 'u'"},
		{UpdateModify, SectionDNSTXT, "<txt name='t' value='w'/>", 0, virerr.ErrOperationUnsupported, "DNS TXT records cannot be modified, only added or deleted"},
		{UpdateAddLast, SectionDNSTXT, "<txt name='t' value='w'/>", 0, virerr.ErrOperationInvalid, "there is already a DNS TXT record with name 't' in network u"},
		{UpdateAddLast, SectionDNSTXT, "<txt name='a b' value='w'/>", 0, virerr.ErrXMLDetail, "prohibited character in DNS TXT record name 'a b' of network u"},
		{UpdateAddLast, SectionDNSSRV, "<srv service='http' protocol='tcp'/>", 0, virerr.ErrOperationInvalid,
			"there is already at least one DNS SRV record matching all specified fields in network u"},
		{UpdateAddLast, SectionDNSSRV, "<srv service='x' protocol='udp' port='5'/>", 0, virerr.ErrXMLDetail,
			"DNS SRV port attribute not permitted without target for service 'x' in network 'u'"},
		{UpdateDelete, SectionDNSHost, "<host ip='10.5.0.99'/>", 0, virerr.ErrOperationInvalid, "couldn't locate a matching DNS HOST record in network u"},
		{UpdateAddLast, SectionDNSHost, "<host ip='10.5.0.98'/>", 0, virerr.ErrXMLDetail, "Missing hostname in network 'u' DNS HOST record"},
		{UpdateAddLast, SectionPortGroup, "<portgroup name='p'/>", 0, virerr.ErrOperationUnsupported, "can't update 'portgroup' section of network 'u'"},
		{UpdateAddLast, 99, "<x/>", 0, virerr.ErrOperationUnsupported, "can't update unrecognized section of network"},
		{7, SectionIPDHCPHost, "<host mac='52:54:00:00:00:05' name='e' ip='10.5.0.63'/>", 0, virerr.ErrOperationUnsupported, "unrecognized network update command code 7"},
		{UpdateAddLast, SectionDNSTXT, "<txt name='t' value='w'", 0, virerr.ErrXMLError, "(network_update_xml)"},
	} {
		err := up(tc.command, tc.section, tc.doc, tc.flags)
		if e := virerr.As(err); err == nil || e.Code != tc.code || !strings.Contains(e.Message, tc.msg) {
			t.Errorf("%d/%d %s: %v, want %d %q", tc.command, tc.section, tc.doc, err, tc.code, tc.msg)
		}
	}

	// A pool device with ports stays; one without goes, and <forward dev>
	// follows the pool's first device.
	name := startNet(t, r, "<network><name>mv</name><forward mode='bridge'><interface dev='e1'/><interface dev='e2'/></forward></network>")
	if _, err := r.AllocatePort(name, Port{}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, r.Update(name, UpdateDelete, SectionForwardInterface, -1, "<interface dev='e1'/>", 0), virerr.ErrOperationInvalid,
		"Requested operation is not valid: unable to delete interface 'e1' in network 'mv'. It is currently being used  by 1 domains.")
	ok(r.Update(name, UpdateDelete, SectionForwardInterface, -1, "<interface dev='e1'/>", UpdateAffectConfig))
	if cfg, _ := r.XML(name, true); !strings.Contains(string(cfg), "<forward dev='e2' mode='bridge'>\n    <interface dev='e2'/>\n  </forward>") {
		t.Errorf("config after deleting e1:\n%s", cfg)
	}
	ok(r.Update(name, UpdateAddFirst, SectionForwardInterface, -1, "<interface dev='e0'/>", 0))
	if x := liveXML(t, r, name); !strings.Contains(x, "<forward dev='e0' mode='bridge'>") {
		t.Errorf("live XML after adding e0 first:\n%s", x)
	}

	// Transient networks have no config; inactive ones no live state.
	if err := r.Destroy("u"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, up(UpdateAddLast, SectionDNSTXT, "<txt name='z' value='v'/>", UpdateAffectLive), virerr.ErrOperationInvalid,
		"Requested operation is not valid: network is not running")
	ok(up(UpdateAddLast, SectionDNSTXT, "<txt name='z' value='v'/>", 0)) // current: the config
	if cfg, _ := r.XML("u", true); !strings.Contains(string(cfg), "<txt name='z' value='v'/>") {
		t.Errorf("config:\n%s", cfg)
	}
	if _, err := r.CreateXML([]byte("<network><name>tr</name><bridge name='virbr6'/></network>")); err != nil {
		t.Fatal(err)
	}
	wantErr(t, r.Update("tr", UpdateAddLast, SectionDNSTXT, -1, "<txt name='z' value='v'/>", UpdateAffectConfig), virerr.ErrOperationInvalid,
		"Requested operation is not valid: cannot change persistent config of a transient network")
}
