package network

import (
	"net"
	"strconv"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/netdev"
	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

// checkRoutes validates a network's static <route>s as libvirt 9.0 does
// (virNetDevIPRouteParseXML, then the gateway's reachability): the
// messages are its own (checked against a libvirt 9.0 daemon,
// testdata/routes). It returns them as the bridge's routes.
func checkRoutes(n *libvirtxml.Network) ([]spec.Route, error) {
	var out []spec.Route
	for _, r := range n.Routes {
		rt, err := checkRoute(n.Name, r)
		if err != nil {
			return nil, err
		}
		if !gatewayReachable(n, net.ParseIP(rt.Gateway)) {
			return nil, virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork,
				"unreachable static route gateway '%s' specified for network '%s'", rt.Gateway, n.Name)
		}
		out = append(out, rt)
	}
	return out, nil
}

// checkRoute is virNetDevIPRouteCreate for one route of network name.
func checkRoute(name string, r libvirtxml.NetworkRoute) (spec.Route, error) {
	fail := func(format string, args ...any) (spec.Route, error) {
		return spec.Route{}, xmlErr("%s: "+format, append([]any{name}, args...)...)
	}
	metric := 1 // what libvirt gives a route without one
	if r.Metric != "" {
		m, err := strconv.ParseUint(r.Metric, 10, 32)
		switch {
		case err != nil:
			return spec.Route{}, xmlErr("Invalid value for attribute 'metric' in element 'route': '%s'. Expected non-negative integer value", r.Metric)
		case m == 0:
			return spec.Route{}, xmlErr("Invalid value for attribute 'metric' in element 'route': Zero is not permitted")
		}
		metric = int(m)
	}
	if r.Address == "" {
		return fail("Missing required address attribute in route definition")
	}
	if r.Gateway == "" {
		return fail("Missing required gateway attribute in route definition")
	}
	addr, gw := net.ParseIP(r.Address), net.ParseIP(r.Gateway)
	if addr == nil {
		return fail("Bad network address '%s' in route definition", r.Address)
	}
	if gw == nil {
		return fail("Bad gateway address '%s' in route definition", r.Gateway)
	}
	prefix := int(r.Prefix)
	switch r.Family {
	case "", "ipv4":
		which := map[bool]string{true: "No family specified", false: "IPv4 family specified"}[r.Family == ""]
		if addr.To4() == nil {
			return fail("%s for non-IPv4 address '%s' in route definition", which, r.Address)
		}
		if gw.To4() == nil {
			return fail("%s for non-IPv4 gateway '%s' in route definition", which, r.Address)
		}
		if r.Netmask != "" {
			m := net.ParseIP(r.Netmask)
			if m == nil {
				return fail("Bad netmask address '%s' in route definition", r.Netmask)
			}
			if m.To4() == nil {
				return fail("Invalid netmask '%s' for address '%s' (both must be IPv4)", r.Netmask, r.Address)
			}
			if r.Prefix != 0 {
				return fail("Route definition cannot have both a prefix and a netmask")
			}
			if prefix = netdev.PrefixLen(r.Netmask); prefix < 0 {
				return spec.Route{}, virerr.New(virerr.ErrInternalError, virerr.FromNetwork,
					"%s: Error converting address '%s' with netmask '%s' to network-address in route definition", name, r.Address, r.Netmask)
			}
		}
		if prefix > 32 {
			return fail("Invalid prefix %d specified in route definition, must be 0 - 32", prefix)
		}
	case "ipv6":
		if addr.To4() != nil {
			return fail("ipv6 family specified for non-IPv6 address '%s' in route definition", r.Address)
		}
		if r.Netmask != "" {
			return fail("Specifying netmask invalid for IPv6 address '%s' in route definition", r.Address)
		}
		if gw.To4() != nil {
			return fail("ipv6 specified for non-IPv6 gateway address '%s' in route definition", r.Gateway)
		}
		if prefix > 128 {
			return fail("Invalid prefix %d specified in route definition, must be 0 - 128", prefix)
		}
	default:
		return fail("Unrecognized family '%s' in route definition", r.Family)
	}
	bits := 128
	if addr.To4() != nil {
		addr, bits = addr.To4(), 32
	}
	if !addr.Mask(net.CIDRMask(prefix, bits)).Equal(addr) {
		return fail("Address '%s' in route definition is not a network address", r.Address)
	}
	return spec.Route{Address: addr.String(), Prefix: prefix, Gateway: gw.String(), Metric: metric}, nil
}

// gatewayReachable reports whether gw is inside one of n's <ip> networks.
func gatewayReachable(n *libvirtxml.Network, gw net.IP) bool {
	for _, ip := range n.IPs {
		a, err := Address(n.Name, ip)
		if err != nil || (a.IP.To4() == nil) != (gw.To4() == nil) {
			continue
		}
		bits := 128
		if a.IP.To4() != nil {
			bits = 32
		}
		if (&net.IPNet{IP: a.IP.Mask(net.CIDRMask(a.Prefix, bits)), Mask: net.CIDRMask(a.Prefix, bits)}).Contains(gw) {
			return true
		}
	}
	return false
}
