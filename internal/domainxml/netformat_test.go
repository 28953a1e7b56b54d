package domainxml

import (
	"strings"
	"testing"
)

// An ethernet interface's host side keeps its addresses through a format
// and a parse (libvirtxml dropped them without a route), each with its
// family; <bandwidth> sits after the source, as libvirt 9.0 prints them.
func TestInterfaceFormatAsLibvirt(t *testing.T) {
	doc := "<domain type='lxc'><name>f</name><memory>1000</memory><os><type>exe</type><init>/bin/sh</init></os><devices>" +
		"<interface type='ethernet'><mac address='52:54:00:00:0e:01'/><source><ip address='10.3.3.1' prefix='24'/></source></interface>" +
		"<interface type='bridge'><mac address='52:54:00:00:0e:02'/><source bridge='br0'/><ip address='10.1.1.2' prefix='24'/><mtu size='1400'/><bandwidth><inbound average='100'/></bandwidth></interface>" +
		"<console type='pty'/></devices></domain>"
	want := []string{
		"<interface type='ethernet'>\n      <mac address='52:54:00:00:0e:01'/>\n      <source>\n        <ip address='10.3.3.1' family='ipv4' prefix='24'/>\n      </source>\n    </interface>",
		"<source bridge='br0'/>\n      <bandwidth>\n        <inbound average='100'/>\n      </bandwidth>\n      <ip address='10.1.1.2' family='ipv4' prefix='24'/>\n      <mtu size='1400'/>\n    </interface>",
	}
	out := parseFormat(t, doc, Options{})
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("formatted:\n%s\nlacks\n%s", out, w)
		}
	}
	if again := parseFormat(t, out, Options{}); again != out {
		t.Errorf("a second round differs:\n%s\nthen\n%s", out, again)
	}
}
