package firewall

import (
	"net/netip"
	"strings"
	"testing"
)

func TestTableNames(t *testing.T) {
	for in, want := range map[string]string{"virbr0": "virtlxc_virbr0", "br-lan.1": "virtlxc_br_2dlan_2e1"} {
		if got := Table(in); got != want {
			t.Errorf("Table(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRulesetNAT(t *testing.T) {
	n := Network{Bridge: "virbr0", Mode: "nat", Dev: "eth9", PortStart: 2000, PortEnd: 3000,
		Subnets: []netip.Prefix{netip.MustParsePrefix("192.168.122.0/24"), netip.MustParsePrefix("fd00:1::/64")}}
	got := Ruleset(n)
	hasAll(t, got,
		"table inet virtlxc_virbr0\ndelete table inet virtlxc_virbr0\ntable inet virtlxc_virbr0 {\n",
		"\t\tiifname \"eth9\" oifname \"virbr0\" ip daddr 192.168.122.0/24 ct state related,established accept\n",
		"\t\tiifname \"virbr0\" oifname \"eth9\" ip saddr 192.168.122.0/24 accept\n",
		"\t\tiifname \"eth9\" oifname \"virbr0\" ip6 daddr fd00:1::/64 accept\n",
		"\t\tiifname \"virbr0\" oifname \"virbr0\" accept\n\t\toifname \"virbr0\" reject\n\t\tiifname \"virbr0\" reject\n",
		"type nat hook postrouting priority srcnat;",
		"\t\tip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 oifname \"eth9\" meta l4proto { tcp, udp } masquerade to :2000-3000\n")
	if strings.Contains(got, "fd00:1::/64 ip daddr !=") || strings.Contains(got, "ip saddr fd00") {
		t.Errorf("IPv6 must not be masqueraded:\n%s", got)
	}
}

// TestRulesetSNATAndNAT6: an address range SNATs IPv4 (ports as given)
// instead of masquerading; ipv6='yes' masquerades IPv6 and lets only its
// replies in, as libvirt 9.0's iptables rules do.
func TestRulesetSNATAndNAT6(t *testing.T) {
	n := Network{Bridge: "vq1", Mode: "nat", PortStart: 2000, PortEnd: 3000, SNATStart: "10.50.0.10", SNATEnd: "10.50.0.20", NAT6: true,
		Subnets: []netip.Prefix{netip.MustParsePrefix("192.168.191.0/24"), netip.MustParsePrefix("fd00:193::/64")}}
	got := Ruleset(n)
	hasAll(t, got,
		"\t\tip saddr 192.168.191.0/24 ip daddr != 192.168.191.0/24 meta l4proto { tcp, udp } snat ip to 10.50.0.10-10.50.0.20:2000-3000\n",
		"\t\tip saddr 192.168.191.0/24 ip daddr != 192.168.191.0/24 snat ip to 10.50.0.10-10.50.0.20\n",
		"\t\toifname \"vq1\" ip6 daddr fd00:193::/64 ct state related,established accept\n",
		"\t\tip6 saddr fd00:193::/64 ip6 daddr ff02::/16 return\n",
		"\t\tip6 saddr fd00:193::/64 ip6 daddr != fd00:193::/64 meta l4proto { tcp, udp } masquerade to :2000-3000\n",
		"\t\tip6 saddr fd00:193::/64 ip6 daddr != fd00:193::/64 masquerade\n")
	n.SNATEnd = n.SNATStart
	if got := Ruleset(n); !strings.Contains(got, "snat ip to 10.50.0.10:2000-3000\n") {
		t.Errorf("a one-address range:\n%s", got)
	}
}

func TestRulesetIsolatedAndRoute(t *testing.T) {
	sub := []netip.Prefix{netip.MustParsePrefix("10.1.0.0/24")}
	iso := Ruleset(Network{Bridge: "b0", Subnets: sub})
	if strings.Contains(iso, "10.1.0.0/24") || strings.Contains(iso, "postrouting") {
		t.Errorf("isolated network forwards or NATs:\n%s", iso)
	}
	route := Ruleset(Network{Bridge: "b0", Mode: "route", Subnets: sub})
	if !strings.Contains(route, "\t\toifname \"b0\" ip daddr 10.1.0.0/24 accept\n") || strings.Contains(route, "masquerade") {
		t.Errorf("route ruleset:\n%s", route)
	}
	if Needed(Network{Mode: "open"}) || Needed(Network{Mode: "bridge"}) || !Needed(Network{}) {
		t.Error("Needed: open and bridge networks get no rules, isolated ones do")
	}
}

// hasAll fails t for each of wants the ruleset got lacks.
func hasAll(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("ruleset lacks %q:\n%s", want, got)
		}
	}
}
