package network

import (
	"strings"
	"testing"

	"virtlxc/internal/virerr"
)

// TestDirectNetworkChecks: libvirt 9.0's refusals of direct-mode networks
// (virNetworkForwardDefParseXML, virNetworkDefParseXML, networkValidate;
// messages and codes from its source).
func TestDirectNetworkChecks(t *testing.T) {
	for _, tc := range []struct {
		body string
		code virerr.Code
		msg  string
	}{
		{"<forward mode='bridge'><interface/></forward>", virerr.ErrXMLError,
			"XML error: Missing required dev attribute in <forward> <interface> element of network d"},
		{"<forward dev='eth1' mode='bridge'><interface dev='eth2'/></forward>", virerr.ErrXMLError,
			"XML error: <forward dev='eth1'> must match first <interface dev='eth2'/> in network d"},
		{"<forward mode='vepa'><interface dev='eth1'/><interface dev='eth2'/><interface dev='eth1'/></forward>", virerr.ErrXMLError,
			"XML error: interface 'eth1' can only be listed once in network d"},
		{"<forward dev='eth1' mode='private'><interface dev='eth1'/><interface dev='eth1'/></forward>", virerr.ErrXMLError,
			"XML error: interface 'eth1' can only be listed once in network d"},
		{"<forward dev='eth1' mode='private'/><bridge name='br0'/>", virerr.ErrXMLError,
			"XML error: bridge name not allowed in private mode (network 'd')"},
		{"<forward dev='eth1' mode='vepa'/><bridge zone='z'/>", virerr.ErrXMLError,
			"XML error: bridge zone not allowed in vepa mode (network 'd')"},
		{"<forward dev='eth1' mode='passthrough'/><bridge macTableManager='libvirt'/>", virerr.ErrXMLError,
			"XML error: bridge macTableManager setting not allowed in passthrough mode (network 'd')"},
		{"<forward dev='eth1' mode='bridge'/><bridge stp='on'/>", virerr.ErrXMLError,
			"XML error: bridge delay/stp/zone options only allowed in route, nat, and isolated mode, not in bridge (network 'd')"},
		{"<forward mode='bridge'/><bridge name='br0' delay='2'/>", virerr.ErrXMLError,
			"XML error: bridge delay/stp/zone options only allowed in route, nat, and isolated mode, not in bridge (network 'd')"},
		{"<forward dev='eth1' mode='bridge'/><bridge name='br0'/>", virerr.ErrXMLError,
			"XML error: A network with forward mode='bridge' can specify a bridge name or a forward dev, but not both (network 'd')"},
		{"<forward dev='eth1' mode='bridge'/><mtu size='9000'/>", virerr.ErrXMLError,
			"XML error: mtu size only allowed in open, route, nat, and isolated mode, not in bridge (network 'd')"},
		{"<forward dev='eth1' mode='bridge'/><mac address='52:54:00:00:00:01'/>", virerr.ErrConfigUnsupported,
			"unsupported configuration: Unsupported <mac> element in network d with forward mode='bridge'"},
		{"<forward dev='eth1' mode='private'/><ip address='10.1.0.1' prefix='24'/>", virerr.ErrConfigUnsupported,
			"unsupported configuration: Unsupported <ip> element in network d with forward mode='private'"},
		{"<forward dev='eth1' mode='vepa'/><dns><host ip='10.1.0.2'><hostname>h</hostname></host></dns>", virerr.ErrConfigUnsupported,
			"unsupported configuration: Unsupported <dns> element in network d with forward mode='vepa'"},
		{"<forward dev='eth1' mode='vepa'/><domain name='example.org'/>", virerr.ErrConfigUnsupported,
			"unsupported configuration: Unsupported <domain> element in network d with forward mode='vepa'"},
		{"<forward dev='eth1' mode='bridge'/><bandwidth><inbound average='100'/></bandwidth>", virerr.ErrConfigUnsupported,
			"unsupported configuration: Unsupported network-wide <bandwidth> element in network d with forward mode='bridge'"},
		{"<forward dev='eth1' mode='bridge'/><vlan><tag id='5'/></vlan>", virerr.ErrConfigUnsupported,
			"unsupported configuration: <vlan> element specified for network d, whose type doesn't support vlan configuration"},
		{"<forward mode='route'><interface dev='eth1'/><interface dev='eth2'/></forward><ip address='10.2.0.1' prefix='24'/>", virerr.ErrXMLError,
			"XML error: multiple forwarding interfaces specified for network 'd', only one is supported"},
		{"<forward dev='eth1' mode='open'/><ip address='10.2.0.1' prefix='24'/>", virerr.ErrXMLError,
			"XML error: forward dev not allowed for network 'd' with forward mode='open'"},
	} {
		_, err := Parse([]byte("<network><name>d</name>" + tc.body + "</network>"))
		if err == nil {
			t.Errorf("%s: no error", tc.body)
			continue
		}
		if e := virerr.As(err); e.Code != tc.code || e.Domain != virerr.FromNetwork || e.Message != tc.msg {
			t.Errorf("%s:\n got %d %q\nwant %d %q", tc.body, e.Code, e.Message, tc.code, tc.msg)
		}
	}
}

// TestDirectNetworkFormat: what libvirt keeps of a direct network. The
// pool is printed in full with the first interface as <forward dev>; no
// bridge, MAC or addresses are added.
func TestDirectNetworkFormat(t *testing.T) {
	for in, want := range map[string]string{
		"<forward dev='eth1' mode='bridge'/>":                                              "  <forward dev='eth1' mode='bridge'>\n    <interface dev='eth1'/>\n  </forward>\n",
		"<forward mode='private'><interface dev='eth1'/><interface dev='eth2'/></forward>": "  <forward dev='eth1' mode='private'>\n    <interface dev='eth1'/>\n    <interface dev='eth2'/>\n  </forward>\n",
		"<forward mode='vepa'/><dns><forwarder addr='10.0.0.1'/></dns>":                    "  <forward mode='vepa'/>\n",
	} {
		n, err := Parse([]byte("<network><name>d</name>" + in + "</network>"))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		FillDefaults(n, func(string) string { t.Fatal("a direct network got a bridge name"); return "" })
		if !Direct(n) {
			t.Errorf("%s: not direct", in)
		}
		out, err := Format(n)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), want) || strings.Contains(string(out), "<bridge") || strings.Contains(string(out), "<mac") {
			t.Errorf("%s: got\n%s\nwant it to contain\n%s", in, out, want)
		}
	}
}
