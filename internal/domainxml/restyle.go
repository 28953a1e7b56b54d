package domainxml

import (
	"bytes"
	"encoding/xml"
	"fmt"
)

// Restyle reprints an XML document (typically encoding/xml's output for one
// of libvirtxml's types) in libvirt's layout: two spaces per level,
// single-quoted attributes, childless elements as <x/>, text-only elements
// on one line, libvirt's escaping. Other libvirt object formatters (network
// XML) share it so every document the daemon prints looks like libvirt's.
func Restyle(raw []byte) ([]byte, error) {
	tree, err := buildTree(raw)
	if err != nil {
		return nil, fmt.Errorf("restyling XML: %w", err)
	}
	if tree == nil {
		return nil, fmt.Errorf("restyling XML: no root element")
	}
	var b bytes.Buffer
	writeNode(&b, tree, 0, "")
	return b.Bytes(), nil
}

// RestyleNetwork is Restyle for a network document, with the ways of
// libvirt's virNetworkDefFormat: an <ip> names its family first, lists
// <tftp> before <dhcp> and is never printed self-closed; <forward> names
// its dev before its mode.
func RestyleNetwork(raw []byte) ([]byte, error) {
	tree, err := buildTree(raw)
	if err != nil {
		return nil, fmt.Errorf("restyling network XML: %w", err)
	}
	if tree == nil {
		return nil, fmt.Errorf("restyling network XML: no root element")
	}
	prefixNamespace(tree, DnsmasqNamespaceURI, "dnsmasq")
	for _, c := range tree.children {
		switch c.name.Local {
		case "ip":
			attrFirst(c, "family")
			c.open = true
			for i, k := range c.children {
				if k.name.Local == "tftp" && i > 0 {
					c.children = append([]*node{k}, append(c.children[:i:i], c.children[i+1:]...)...)
					break
				}
			}
		case "forward":
			attrFirst(c, "dev")
		case "bridge":
			attrOrder(c, "name", "zone", "stp", "delay", "macTableManager")
		case "dns":
			for _, k := range c.children {
				if k.name.Local == "srv" {
					attrOrder(k, "service", "protocol", "domain", "target", "port", "priority", "weight")
				}
			}
		}
	}
	var b bytes.Buffer
	writeNode(&b, tree, 0, "")
	return b.Bytes(), nil
}

// DnsmasqNamespaceURI is the namespace of a network's <dnsmasq:options>.
const DnsmasqNamespaceURI = "http://libvirt.org/schemas/network/dnsmasq/1.0"

// prefixNamespace writes the elements under root in namespace uri with
// prefix, declared on root first, as libvirt does; nothing when none is.
func prefixNamespace(root *node, uri, prefix string) {
	found := false
	var walk func(n *node)
	walk = func(n *node) {
		if n.name.Space == uri {
			n.name = xml.Name{Local: prefix + ":" + n.name.Local}
			found = true
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(root)
	if found {
		root.attrs = append([]xml.Attr{{Name: xml.Name{Local: "xmlns:" + prefix}, Value: uri}}, root.attrs...)
	}
}

// attrFirst moves n's attribute name to the front.
func attrFirst(n *node, name string) {
	for i, a := range n.attrs {
		if a.Name.Local == name {
			n.attrs = append([]xml.Attr{a}, append(n.attrs[:i:i], n.attrs[i+1:]...)...)
			return
		}
	}
}

// attrOrder puts n's attributes named in names first, in that order.
func attrOrder(n *node, names ...string) {
	for i := len(names) - 1; i >= 0; i-- {
		attrFirst(n, names[i])
	}
}
