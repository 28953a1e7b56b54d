package network

import (
	"testing"

	"libvirt.org/go/libvirtxml"
)

// TestNATLikeLibvirt: <nat><address> and <nat ipv6='yes'> as a libvirt
// 9.0 daemon took them (testdata/nat: the errors it gave; for the others,
// its iptables rules SNATed IPv4 to the address range, or masqueraded
// IPv6 only with ipv6='yes').
func TestNATLikeLibvirt(t *testing.T) {
	want := map[string]struct {
		start, end string
		nat6       bool
	}{
		"q1": {"10.50.0.10", "10.50.0.20", false}, "q2": {"10.50.0.10", "10.50.0.10", false},
		"q3": {"", "", true}, "q6": {"", "", false},
	}
	eachLibvirtCase(t, "testdata/nat", nil, func(t *testing.T, base string, n *libvirtxml.Network) {
		w, ok := want[n.Name]
		if !ok {
			t.Fatalf("no expectation for %s", n.Name)
		}
		if f := firewallOf(n); f.SNATStart != w.start || f.SNATEnd != w.end || f.NAT6 != w.nat6 {
			t.Errorf("firewall %+v, want SNAT %s-%s, IPv6 NAT %v", f, w.start, w.end, w.nat6)
		}
	})
}
