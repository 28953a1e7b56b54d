// Package network keeps libvirt's virtual network objects: their XML
// (libvirtxml's Network, printed in libvirt's layout), the defaults
// libvirt's network driver fills in, and a registry with define, undefine,
// start, destroy, autostart and lookups, persisted the way libvirt does
// (CONFIG/NAME.xml, AUTOSTART/NAME.xml links, STATE/NAME.xml while active).
//
// Starting an isolated (no <forward>), route, open or nat network creates
// its bridge with the network's addresses, firewall rules and dnsmasq
// (services.go); a bridge-mode network uses an existing bridge; a direct
// network (direct.go) creates nothing. Domains' interfaces take ports of
// active networks (ports.go).
package network

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/netdev"
	"virtlxc/internal/virerr"
)

// maxXML bounds the size of a network document.
const maxXML = 1 << 20

// forwardModes are the forward modes libvirt knows; the ones a network
// can be started with here are listed in startable.
var forwardModes = map[string]bool{
	"nat": true, "route": true, "open": true, "bridge": true, "private": true,
	"vepa": true, "passthrough": true, "hostdev": true,
}

// startable are the forward modes Start supports ("" is isolated).
var startable = map[string]bool{"": true, "nat": true, "route": true, "open": true, "bridge": true,
	"private": true, "vepa": true, "passthrough": true}

// Mode returns the network's forward mode, "" for an isolated network.
func Mode(n *libvirtxml.Network) string {
	if n.Forward == nil {
		return ""
	}
	if n.Forward.Mode == "" {
		return "nat" // libvirt's default for a <forward> without mode
	}
	return n.Forward.Mode
}

// managesBridge reports whether starting n creates its own bridge.
func managesBridge(n *libvirtxml.Network) bool {
	switch Mode(n) {
	case "", "nat", "route", "open":
		return true
	}
	return false
}

// xmlErr is a VIR_ERR_XML_ERROR from the network domain.
func xmlErr(format string, args ...any) error {
	return virerr.New(virerr.ErrXMLError, virerr.FromNetwork, format, args...)
}

// Parse reads a network document and checks it as libvirt's
// virNetworkDefParseXML does, without filling in defaults (see
// FillDefaults).
func Parse(data []byte) (*libvirtxml.Network, error) {
	if len(data) > maxXML {
		return nil, xmlErr("network XML larger than %d bytes", maxXML)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, virerr.Wrap(err, virerr.ErrXMLError, virerr.FromNetwork, "%s", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "network" {
				return nil, xmlErr("unexpected root element <%s>, expecting <network>", se.Name.Local)
			}
			break
		}
	}
	var raw rawNode
	if err := xml.Unmarshal(data, &raw); err != nil {
		return nil, virerr.Wrap(err, virerr.ErrXMLError, virerr.FromNetwork, "%s", err)
	}
	if err := checkNameUUID(&raw); err != nil {
		return nil, err
	}
	name := ""
	if nm := raw.first("name"); nm != nil {
		name = strings.TrimSpace(nm.Text)
	}
	if err := checkRaw(&raw, name); err != nil {
		return nil, err
	}
	n := &libvirtxml.Network{}
	if err := xml.Unmarshal(data, n); err != nil {
		return nil, virerr.Wrap(err, virerr.ErrXMLError, virerr.FromNetwork, "%s", err)
	}
	if err := check(n); err != nil {
		return nil, err
	}
	if err := checkPortGroupBandwidth(data, n.Name); err != nil {
		return nil, err
	}
	return n, nil
}

// checkPortGroupBandwidth refuses a <portgroup> with a <bandwidth>:
// libvirtxml's portgroup has no such field, so it would be dropped without
// a word (libvirt gives it to the ports of the group that set none).
func checkPortGroupBandwidth(data []byte, name string) error {
	if !bytes.Contains(data, []byte("<bandwidth")) {
		return nil
	}
	var doc struct {
		PortGroups []struct {
			Name      string    `xml:"name,attr"`
			Bandwidth *struct{} `xml:"bandwidth"`
		} `xml:"portgroup"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return virerr.Wrap(err, virerr.ErrXMLError, virerr.FromNetwork, "%s", err)
	}
	for _, pg := range doc.PortGroups {
		if pg.Bandwidth != nil {
			return virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork,
				"<bandwidth> in portgroup '%s' of network '%s' is not supported", pg.Name, name)
		}
	}
	return nil
}

// checkNameUUID is the start of virNetworkDefParseXML: a name without
// '/', a well-formed UUID if any.
func checkNameUUID(raw *rawNode) error {
	nm := raw.first("name")
	if nm == nil || strings.TrimSpace(nm.Text) == "" {
		return virerr.New(virerr.ErrNoName, virerr.FromNetwork, "")
	}
	if i := strings.IndexByte(nm.Text, '/'); i >= 0 {
		return virerr.New(virerr.ErrXMLDetail, virerr.FromXML, "invalid char in name: %c", nm.Text[i])
	}
	if u := raw.first("uuid"); u != nil && strings.TrimSpace(u.Text) != "" {
		if _, ok := domainxml.ParseUUID(strings.TrimSpace(u.Text)); !ok {
			return virerr.New(virerr.ErrInternalError, virerr.FromNetwork, "malformed uuid element")
		}
	}
	return nil
}

// check validates what needs the parsed network (checkRaw has checked the
// document as written) and normalizes it: the UUID and MAC in canonical
// form, the forward pool, each <ip>'s address, the routes, the per-mode
// rules and then libvirt's networkValidate.
func check(n *libvirtxml.Network) error {
	n.Name = strings.TrimSpace(n.Name)
	if n.UUID != "" {
		n.UUID, _ = domainxml.ParseUUID(n.UUID)
	}
	if n.MAC != nil && n.MAC.Address != "" {
		n.MAC.Address, _ = domainxml.ParseMAC(n.MAC.Address)
	}
	dhcp := map[bool]bool{} // by IPv4-ness: an <ip> of that family has DHCP
	for _, ip := range n.IPs {
		a, err := Address(n.Name, ip)
		if err != nil {
			return err
		}
		if ip.DHCP != nil && (len(ip.DHCP.Ranges) > 0 || len(ip.DHCP.Hosts) > 0) {
			v4 := a.IP.To4() != nil
			if dhcp[v4] {
				family := map[bool]string{true: "IPv4", false: "IPv6"}[v4]
				return virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork,
					"Multiple %s dhcp sections found -- dhcp is supported only for a single %s address on each network", family, family)
			}
			dhcp[v4] = true
		}
	}
	if _, err := checkRoutes(n); err != nil {
		return err
	}
	if err := checkForwardIfs(n); err != nil {
		return err
	}
	if err := checkModeOptions(n); err != nil {
		return err
	}
	// networkValidate, after the parse
	if err := validateModes(n); err != nil {
		return err
	}
	if hasVLAN(n) && !vlanCapable(n) {
		return virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork,
			"<vlan> element specified for network %s, whose type doesn't support vlan configuration", n.Name)
	}
	return nil
}

// hasVLAN reports whether the network or one of its portgroups has a
// <vlan> tag.
func hasVLAN(n *libvirtxml.Network) bool {
	if n.VLAN != nil && len(n.VLAN.Tags) > 0 {
		return true
	}
	for _, pg := range n.PortGroups {
		if pg.VLAN != nil && len(pg.VLAN.Tags) > 0 {
			return true
		}
	}
	return false
}

// vlanCapable is the networks libvirt accepts a <vlan> in: hostdev and
// passthrough ones, and bridge ones on an Open vSwitch.
func vlanCapable(n *libvirtxml.Network) bool {
	switch Mode(n) {
	case "hostdev", "passthrough":
		return true
	case "bridge":
		vp := n.VirtualPort
		return vp != nil && vp.Params != nil && vp.Params.OpenVSwitch != nil
	}
	return false
}

// IPAddress is one <ip> of a network as an address and prefix length.
type IPAddress struct {
	IP     net.IP
	Prefix int
}

// Address resolves an <ip> element: its address and its prefix (from
// prefix=, netmask=, or IPv4's classful default as libvirt's
// virSocketAddrPrefix gives it).
func Address(netName string, ip libvirtxml.NetworkIP) (IPAddress, error) {
	a := net.ParseIP(ip.Address)
	if a == nil {
		return IPAddress{}, xmlErr("Invalid address '%s' in network '%s'", ip.Address, netName)
	}
	v4 := a.To4() != nil
	if ip.Family == "ipv6" && v4 || ip.Family == "ipv4" && !v4 {
		return IPAddress{}, xmlErr("Family '%s' specified for <ip> in network '%s' doesn't match address", ip.Family, netName)
	}
	switch {
	case ip.Netmask != "" && ip.Prefix != 0:
		return IPAddress{}, virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork,
			"Network '%s' IP address cannot have both a prefix and a netmask", netName)
	case ip.Netmask != "":
		if !v4 {
			return IPAddress{}, xmlErr("netmask not supported for address '%s' in network '%s' (IPv4 only)", ip.Address, netName)
		}
		p := netdev.PrefixLen(ip.Netmask)
		if p < 0 {
			return IPAddress{}, xmlErr("Invalid netmask '%s' in network '%s'", ip.Netmask, netName)
		}
		return IPAddress{IP: a, Prefix: p}, nil
	case ip.Prefix != 0:
		if v4 && ip.Prefix > 32 || ip.Prefix > 128 {
			return IPAddress{}, xmlErr("Invalid prefix %d in network '%s'", ip.Prefix, netName)
		}
		return IPAddress{IP: a, Prefix: int(ip.Prefix)}, nil
	case v4:
		return IPAddress{IP: a, Prefix: classful(a.To4())}, nil
	}
	return IPAddress{IP: a, Prefix: 64}, nil
}

// classful is IPv4's default prefix for an address without a netmask.
func classful(a net.IP) int {
	switch {
	case a[0] < 128:
		return 8
	case a[0] < 192:
		return 16
	case a[0] < 224:
		return 24
	}
	return 32
}

// FillDefaults adds what libvirt's network driver fills in when a network
// is defined: a uuid, and for networks that own their bridge the bridge
// name (from bridgeName when absent or a virbr%d template), stp='on',
// delay='0' and a random MAC; a <forward/> without mode gets mode='nat'.
func FillDefaults(n *libvirtxml.Network, bridgeName func(template string) string) {
	if n.UUID == "" {
		n.UUID = domainxml.NewUUID()
	}
	if Mode(n) == "nat" {
		// <forward/> means nat, and libvirt says so; its default port
		// range (1024-65535) is the firewall's, not printed.
		n.Forward.Mode = "nat"
	}
	if !managesBridge(n) {
		return
	}
	if n.Bridge == nil {
		n.Bridge = &libvirtxml.NetworkBridge{}
	}
	if n.Bridge.Name == "" || strings.Contains(n.Bridge.Name, "%d") {
		tmpl := n.Bridge.Name
		if tmpl == "" {
			tmpl = "virbr%d"
		}
		n.Bridge.Name = bridgeName(tmpl)
	}
	if n.Bridge.STP == "" {
		n.Bridge.STP = "on"
	}
	if n.Bridge.Delay == "" {
		n.Bridge.Delay = "0"
	}
	if n.MAC == nil || n.MAC.Address == "" {
		n.MAC = &libvirtxml.NetworkMAC{Address: domainxml.NewMAC()}
	}
}

// Format prints n in libvirt's layout (virNetworkDefFormat's element
// order, single quotes, two-space indentation).
func Format(n *libvirtxml.Network) ([]byte, error) {
	raw, err := xml.Marshal(n)
	if err != nil {
		return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromNetwork, "formatting network XML: %s", err)
	}
	out, err := domainxml.RestyleNetwork(raw)
	if err != nil {
		return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromNetwork, "formatting network XML: %s", err)
	}
	return out, nil
}

// clone returns a deep copy of n (through its XML).
func clone(n *libvirtxml.Network) (*libvirtxml.Network, error) {
	raw, err := xml.Marshal(n)
	if err != nil {
		return nil, fmt.Errorf("copying network %s: %w", n.Name, err)
	}
	c := &libvirtxml.Network{}
	if err := xml.Unmarshal(raw, c); err != nil {
		return nil, fmt.Errorf("copying network %s: %w", n.Name, err)
	}
	return c, nil
}
