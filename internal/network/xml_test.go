package network

import (
	"strings"
	"testing"

	"virtlxc/internal/virerr"
)

const defaultXML = `<network>
  <name>default</name>
  <uuid>9a05da11-e96b-47f3-8253-a3a482e445f5</uuid>
  <forward mode='nat'>
    <nat>
      <port start='1024' end='65535'/>
    </nat>
  </forward>
  <bridge name='virbr0' stp='on' delay='0'/>
  <mac address='52:54:00:0a:cd:21'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
`

func TestRoundTrip(t *testing.T) {
	n, err := Parse([]byte(defaultXML))
	if err != nil {
		t.Fatal(err)
	}
	FillDefaults(n, func(string) string { t.Fatal("bridge name asked for"); return "" })
	out, err := Format(n)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != defaultXML {
		t.Errorf("round trip:\n%s\nwant\n%s", out, defaultXML)
	}
}

func TestDefaults(t *testing.T) {
	n, err := Parse([]byte(`<network><name>iso</name><ip address='10.9.0.1' prefix='24'/></network>`))
	if err != nil {
		t.Fatal(err)
	}
	FillDefaults(n, func(tmpl string) string { return strings.Replace(tmpl, "%d", "3", 1) })
	out, err := Format(n)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(out), "\n")
	if len(lines) != 9 || lines[0] != "<network>" || lines[1] != "  <name>iso</name>" ||
		!strings.HasPrefix(lines[2], "  <uuid>") || lines[3] != "  <bridge name='virbr3' stp='on' delay='0'/>" ||
		!strings.HasPrefix(lines[4], "  <mac address='52:54:00:") || lines[5] != "  <ip address='10.9.0.1' prefix='24'>" || lines[6] != "  </ip>" {
		t.Errorf("defaults:\n%s", out)
	}
	// A bridge-mode network gets neither bridge defaults nor a MAC.
	n, err = Parse([]byte(`<network><name>br</name><forward mode='bridge'/><bridge name='br0'/></network>`))
	if err != nil {
		t.Fatal(err)
	}
	FillDefaults(n, nil)
	out, _ = Format(n)
	if strings.Contains(string(out), "mac") || strings.Contains(string(out), "stp") {
		t.Errorf("bridge mode got defaults:\n%s", out)
	}
}

func TestAddress(t *testing.T) {
	for _, tc := range []struct {
		xml    string
		prefix int
	}{
		{`<ip address='10.0.0.1' netmask='255.255.0.0'/>`, 16},
		{`<ip address='10.0.0.1'/>`, 8},
		{`<ip address='172.16.0.1'/>`, 16},
		{`<ip address='192.168.1.1'/>`, 24},
		{`<ip address='fd00::1' prefix='64' family='ipv6'/>`, 64},
	} {
		n, err := Parse([]byte("<network><name>a</name>" + tc.xml + "</network>"))
		if err != nil {
			t.Fatalf("%s: %v", tc.xml, err)
		}
		a, err := Address(n.Name, n.IPs[0])
		if err != nil || a.Prefix != tc.prefix {
			t.Errorf("%s: %+v %v, want prefix %d", tc.xml, a, err, tc.prefix)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		xml  string
		code virerr.Code
		msg  string
	}{
		{`<network></network>`, virerr.ErrNoName, "missing name information"},
		{`<domain><name>a</name></domain>`, virerr.ErrXMLError, "XML error: unexpected root element <domain>, expecting <network>"},
		{`<network><name>a</name>`, virerr.ErrXMLError, "XML error: XML syntax error"},
		{`<network><name>a</name><uuid>zz</uuid></network>`, virerr.ErrInternalError, "internal error: malformed uuid element"},
		{`<network><name>a</name><ip address='1.2.3'/></network>`, virerr.ErrXMLError, "XML error: Invalid address '1.2.3' in network 'a'"},
		{`<network><name>a</name><ip address='1.2.3.4' netmask='255.0.255.0'/></network>`, virerr.ErrXMLError, "XML error: Invalid netmask"},
		{`<network><name>a</name><mac address='zz'/></network>`, virerr.ErrXMLError, "XML error: Invalid bridge mac address 'zz'"},
	} {
		_, err := Parse([]byte(tc.xml))
		if err == nil {
			t.Errorf("%s: no error", tc.xml)
			continue
		}
		if e := virerr.As(err); e.Code != tc.code || e.Domain != virerr.FromNetwork || !strings.HasPrefix(e.Message, tc.msg) {
			t.Errorf("%s: %d/%d %q, want %d %q", tc.xml, e.Code, e.Domain, e.Message, tc.code, tc.msg)
		}
	}
}

// TestLibvirtNetworkXML: what libvirt 9.0's network driver printed (virsh
// net-define, net-dumpxml --inactive) or refused for these definitions.
func TestLibvirtNetworkXML(t *testing.T) {
	format := func(body string) string {
		t.Helper()
		n, err := Parse([]byte("<network><name>nx</name>" + body + "</network>"))
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		out, err := Format(n)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	for body, want := range map[string]string{
		"<forward mode='passthrough'><interface dev='eth9'/></forward>":                                                    "<forward dev='eth9' mode='passthrough'>\n    <interface dev='eth9'/>\n  </forward>",
		"<forward mode='route' dev='eth0'/><ip address='10.5.0.1' prefix='16'/>":                                           "<forward dev='eth0' mode='route'>\n    <interface dev='eth0'/>\n  </forward>",
		"<bridge name='virbr9' stp='on' delay='0' zone='trusted'/>":                                                        "<bridge name='virbr9' zone='trusted' stp='on' delay='0'/>",
		"<dns><srv service='s' protocol='tcp' domain='d' target='x' port='1' priority='2' weight='3'/></dns>":              "<srv service='s' protocol='tcp' domain='d' target='x' port='1' priority='2' weight='3'/>",
		"<ip family='ipv6' address='fd00:1::1' prefix='64'><dhcp><range start='fd00:1::10' end='fd00:1::ff'/></dhcp></ip>": "<ip family='ipv6' address='fd00:1::1' prefix='64'>\n    <dhcp>",
		"<ip address='10.9.0.1' prefix='24'/>":                                                                             "<ip address='10.9.0.1' prefix='24'>\n  </ip>",
	} {
		if got := format(body); !strings.Contains(got, want) {
			t.Errorf("%s: want\n%s\nin\n%s", body, want, got)
		}
	}
	for body, want := range map[string]string{
		"<forward mode='nat'/><bridge name='virbr9'/>":                                                             "XML error: nat forwarding requested, but no IP address provided for network 'nx'",
		"<ip family='ipv6' address='fd00:1::1' prefix='64'><tftp root='/srv'/></ip>":                               "unsupported configuration: Unsupported <tftp> element in an IPv6 element in network 'nx'",
		"<forward mode='route' dev='eth0'><interface dev='eth1'/></forward><ip address='10.1.0.1' prefix='24'/>":   "XML error: <forward dev='eth0'> must match first <interface dev='eth1'/> in network nx",
		"<bridge name='virbr9'/><vlan><tag id='5'/></vlan>":                                                        "unsupported configuration: <vlan> element specified for network nx, whose type doesn't support vlan configuration",
		"<bridge name='virbr9'/><portgroup name='pg'><vlan><tag id='5'/></vlan></portgroup>":                       "unsupported configuration: <vlan> element specified for network nx, whose type doesn't support vlan configuration",
		"<ip address='10.7.0.1' netmask='255.255.255.0' prefix='24'/>":                                             "unsupported configuration: Network 'nx' IP address cannot have both a prefix and a netmask",
		"<bridge name='virbr9'/><portgroup name='pg'><bandwidth><inbound average='1000'/></bandwidth></portgroup>": "unsupported configuration: <bandwidth> in portgroup 'pg' of network 'nx' is not supported",
		"<ip address='10.7.0.1' prefix='24'><dhcp><range start='10.9.0.2' end='10.9.0.9'/></dhcp></ip>":            "internal error: range 10.9.0.2 - 10.9.0.9 is not entirely within network 10.7.0.1/24",
	} {
		_, err := Parse([]byte("<network><name>nx</name>" + body + "</network>"))
		if err == nil || err.Error() != want {
			t.Errorf("%s: got %v, want %q", body, err, want)
		}
	}
	// A network-wide <bandwidth> is kept (only a portgroup's is refused).
	format("<bridge name='virbr9'/><bandwidth><inbound average='1000'/></bandwidth><portgroup name='pg'/>")
	// A bridge network on Open vSwitch takes a <vlan>.
	format("<forward mode='bridge'/><bridge name='br0'/><virtualport type='openvswitch'/><vlan><tag id='5'/></vlan>")
}

// VALIDATE's schema check: an element network.rng does not allow under
// <network> is refused with libvirt 9.0's message; the known ones and the
// dnsmasq:options extension pass.
func TestCheckSchema(t *testing.T) {
	err := CheckSchema([]byte("<network><name>a</name><bogus/></network>"))
	if e := virerr.As(err); e == nil || e.Code != virerr.ErrXMLInvalidSchema || e.Domain != virerr.FromXML ||
		e.Message != "XML document failed to validate against schema: Unable to validate doc against /usr/share/libvirt/schemas/network.rng\nElement network has extra content: bogus\n" {
		t.Fatalf("CheckSchema: %v", err)
	}
	ok := "<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'><name>a</name><bridge name='b'/><ip address='10.0.0.1' prefix='24'/><dnsmasq:options/></network>"
	if err := CheckSchema([]byte(ok)); err != nil {
		t.Fatalf("CheckSchema(%s): %v", ok, err)
	}
}
