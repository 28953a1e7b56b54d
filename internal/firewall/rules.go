// Package firewall writes the packet filter rules of a virtual network
// with nftables: one table per network bridge ("inet virtlxc_BRIDGE"),
// so a network's rules are added and removed as a whole and never mix
// with anyone else's. The rules follow what libvirt's network driver
// installs (with iptables in libvirt 9.0): forwarding limited to the
// network's subnets, replies allowed back in, traffic between the
// bridge's ports accepted, everything else to or from the bridge
// rejected, and for NAT networks masquerading of the subnet's traffic
// leaving it, with ports mapped into the <nat><port> range.
//
// Ruleset is pure; Apply and Remove run nft(8) from Debian's nftables.
package firewall

import (
	"fmt"
	"net/netip"
	"strings"
)

// Network is what the rules of one network depend on.
type Network struct {
	// Bridge is the network's bridge device.
	Bridge string
	// Mode is the forward mode: "nat", "route", "open" or "" (isolated).
	Mode string
	// Subnets are the networks of the bridge's addresses (masked).
	Subnets []netip.Prefix
	// Dev restricts forwarding to one outgoing device (<forward dev>).
	Dev string
	// PortStart and PortEnd are the NAT port range (0: libvirt's
	// 1024-65535).
	PortStart, PortEnd int
	// SNATStart and SNATEnd are the <nat><address> range: IPv4 traffic
	// leaving gets a source address from it (SNAT) instead of the
	// outgoing device's (masquerade). Empty: masquerade.
	SNATStart, SNATEnd string
	// NAT6 is <nat ipv6='yes'>: IPv6 subnets are masqueraded too.
	NAT6 bool
}

// Table is the nftables table (family inet) holding bridge's rules.
func Table(bridge string) string {
	var b strings.Builder
	b.WriteString("virtlxc_")
	for _, r := range bridge {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, "_%02x", r)
		}
	}
	return b.String()
}

// Needed reports whether n gets rules at all: libvirt installs none for
// forward mode 'open' (and bridge-mode networks own no bridge).
func Needed(n Network) bool {
	switch n.Mode {
	case "", "nat", "route":
		return true
	}
	return false
}

// Ruleset returns the nft script that (re)creates n's table atomically:
// it declares the table, deletes it, and adds it again with its chains,
// so applying it twice leaves one copy.
func Ruleset(n Network) string {
	t := Table(n.Bridge)
	br := quote(n.Bridge)
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("table inet %s", t)
	w("delete table inet %s", t)
	w("table inet %s {", t)
	w("\tchain forward {")
	w("\t\ttype filter hook forward priority filter; policy accept;")
	// rule writes one rule from its non-empty parts.
	rule := func(parts ...string) {
		var nz []string
		for _, p := range parts {
			if p != "" {
				nz = append(nz, p)
			}
		}
		w("\t\t%s", strings.Join(nz, " "))
	}
	inDev, outDev := "", ""
	if n.Dev != "" {
		inDev, outDev = "iifname "+quote(n.Dev), "oifname "+quote(n.Dev)
	}
	for _, p := range n.Subnets {
		fam, sub := family(p), p.String()
		switch {
		case n.Mode == "nat" && (p.Addr().Is4() || n.NAT6):
			// Replies to connections the subnet made, and the
			// subnet's own traffic out.
			rule(inDev, "oifname", br, fam, "daddr", sub, "ct state related,established accept")
			rule("iifname", br, outDev, fam, "saddr", sub, "accept")
		case n.Mode == "nat" || n.Mode == "route":
			rule(inDev, "oifname", br, fam, "daddr", sub, "accept")
			rule("iifname", br, outDev, fam, "saddr", sub, "accept")
		}
	}
	w("\t\tiifname %s oifname %s accept", br, br)
	w("\t\toifname %s reject", br)
	w("\t\tiifname %s reject", br)
	w("\t}")
	if n.Mode == "nat" {
		start, end := n.PortStart, n.PortEnd
		if start == 0 && end == 0 {
			start, end = 1024, 65535
		}
		w("\tchain postrouting {")
		w("\t\ttype nat hook postrouting priority srcnat; policy accept;")
		for _, p := range n.Subnets {
			sub := p.String()
			if !p.Addr().Is4() {
				if !n.NAT6 {
					continue // libvirt NATs IPv6 only when asked to
				}
				rule("ip6 saddr", sub, "ip6 daddr ff02::/16 return")
				rule("ip6 saddr", sub, "ip6 daddr !=", sub, outDev, fmt.Sprintf("meta l4proto { tcp, udp } masquerade to :%d-%d", start, end))
				rule("ip6 saddr", sub, "ip6 daddr !=", sub, outDev, "masquerade")
				continue
			}
			rule("ip saddr", sub, "ip daddr 224.0.0.0/24 return")
			rule("ip saddr", sub, "ip daddr 255.255.255.255 return")
			ports, other := fmt.Sprintf("masquerade to :%d-%d", start, end), "masquerade"
			if n.SNATStart != "" {
				to := n.SNATStart
				if n.SNATEnd != "" && n.SNATEnd != n.SNATStart {
					to += "-" + n.SNATEnd
				}
				ports, other = fmt.Sprintf("snat ip to %s:%d-%d", to, start, end), "snat ip to "+to
			}
			rule("ip saddr", sub, "ip daddr !=", sub, outDev, "meta l4proto { tcp, udp }", ports)
			rule("ip saddr", sub, "ip daddr !=", sub, outDev, other)
		}
		w("\t}")
	}
	w("}")
	return b.String()
}

// family is nft's address family keyword for p.
func family(p netip.Prefix) string {
	if p.Addr().Is4() {
		return "ip"
	}
	return "ip6"
}

// quote is a device name as an nft string literal.
func quote(dev string) string {
	return `"` + quoteStripper.Replace(dev) + `"`
}

// quoteStripper drops what would end an nft string literal early.
var quoteStripper = strings.NewReplacer(`"`, "", `\`, "")
