package domainxml

import (
	"bytes"
	"encoding/xml"
	"slices"

	"libvirt.org/go/libvirtxml"
)

// formatInterfaces puts what libvirtxml's encoding gets wrong in each
// formatted <interface> right, as libvirt's virDomainNetDefFormat prints
// it:
//   - an ethernet interface's host-side <source>: libvirtxml only
//     encodes one with both <ip>s and <route>s (the addresses of one
//     without routes were dropped from every saved definition), and
//     libvirt prints each address's family;
//   - <bandwidth> and <port>, right after the source, <vlan> and
//     <virtualport>, before the <ip>s (libvirtxml prints them last).
func formatInterfaces(tree *node, d *Domain) {
	nodes := interfaceNodes(tree, d)
	for i, el := range nodes {
		n := d.Devices.Interfaces[i]
		if s := n.Source; s != nil && s.Ethernet != nil && len(s.Ethernet.IP)+len(s.Ethernet.Route) > 0 {
			if src := ethernetSource(s.Ethernet); src != nil {
				el.children = slices.DeleteFunc(el.children, func(x *node) bool { return x.name.Local == "source" })
				insertAfter(el, src, "mac")
			}
		}
		for _, name := range []string{"bandwidth", "port"} {
			if c := el.child(name); c != nil {
				el.children = slices.DeleteFunc(el.children, func(x *node) bool { return x == c })
				insertAfter(el, c, "mac", "source", "vlan", "virtualport", "bandwidth")
			}
		}
	}
}

// ethernetSource is the <source> node of an ethernet interface's host
// side, each address with its family as libvirt prints it; nil if it
// cannot be encoded.
func ethernetSource(eth *libvirtxml.DomainInterfaceSourceEthernet) *node {
	cp := *eth
	cp.IP = slices.Clone(eth.IP)
	for i := range cp.IP {
		if cp.IP[i].Family == "" {
			cp.IP[i].Family = ipFamily(cp.IP[i].Address)
		}
	}
	var b bytes.Buffer
	enc := xml.NewEncoder(&b)
	if err := enc.EncodeElement(&cp, xml.StartElement{Name: xml.Name{Local: "source"}}); err != nil || enc.Flush() != nil {
		return nil
	}
	n, err := buildTree(b.Bytes())
	if err != nil {
		return nil
	}
	return n
}

// insertAfter inserts c among el's children after the last child named
// one of after (first when there is none).
func insertAfter(el, c *node, after ...string) {
	at := 0
	for i, x := range el.children {
		if slices.Contains(after, x.name.Local) {
			at = i + 1
		}
	}
	el.children = slices.Insert(el.children, at, c)
}
