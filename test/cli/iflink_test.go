package cli

import (
	"strings"
	"testing"
)

// TestIfLinkMatchesVirsh: domif-getlink and domif-setlink through virsh
// and virtlxc on twin defined domains.
func TestIfLinkMatchesVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, n := range []string{twinV, twinM} {
		d.writeFile(n+".xml", strings.Replace(hostRootXML(n, idleScript), "    <console type='pty'/>\n",
			"    <interface type='ethernet'><mac address='52:54:00:aa:bb:01'/><target dev='vth-"+n+"'/></interface>\n    <console type='pty'/>\n", 1))
	}
	p := pair{t, d}
	for _, s := range [][]string{
		{"define", "DOM.xml"},
		{"domif-getlink", "DOM", "52:54:00:aa:bb:01"}, {"domif-getlink", "DOM", "52:54:00:AA:BB:1"},
		{"domif-getlink", "DOM", "vth-DOM"}, {"domif-getlink", "DOM", "nosuch"}, {"domif-getlink", "DOM", "52:54:00:aa:bb:99"},
		{"domif-getlink", "DOM", "52:54:00:aa:bb:01", "--persistent"},
		{"domif-setlink", "DOM", "52:54:00:aa:bb:01", "sideways"}, {"domif-setlink", "DOM", "nosuch", "up"},
		{"domif-setlink", "DOM", "52:54:00:AA:BB:01", "down", "--print-xml"},
		{"domif-setlink", "DOM", "vth-DOM", "down"},
		{"domif-getlink", "DOM", "52:54:00:aa:bb:01"}, {"domif-getlink", "DOM", "52:54:00:aa:bb:01", "--config"},
		{"dumpxml", "DOM", "--xpath", "/domain/devices/interface/link"},
	} {
		p.step(s...)
	}
	// With a <link> there already, virsh 9.0 adds a second state attribute
	// (and the update fails); virtlxc sets the one there.
	if r := d.virtlxc("domif-setlink", twinM, "vth-"+twinM, "up"); r.rc != 0 || r.stdout != "Device updated successfully\n\n" {
		t.Errorf("second domif-setlink: %+v", r)
	}
	if r := d.virtlxc("domif-getlink", twinM, "vth-"+twinM); r.stdout != "vth-"+twinM+" up\n" {
		t.Errorf("link after the second domif-setlink: %+v", r)
	}
	p.step("undefine", "DOM")
}
