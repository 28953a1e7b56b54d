package domainxml

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/virerr"
	"virtlxc/internal/xmlesc"
)

// Format prints d exactly as libvirt's virDomainDefFormat does.
func Format(d *Domain) ([]byte, error) {
	cp := *d
	if d.Metadata != nil {
		cp.Metadata = &libvirtxml.DomainMetadata{}
	}
	raw, err := xml.Marshal(&cp)
	if err != nil {
		return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromDomain, "formatting domain XML: %s", err)
	}
	tree, err := buildTree(raw)
	if err != nil {
		return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromDomain, "formatting domain XML: %s", err)
	}
	renameElements(tree)
	formatDirectNetworks(tree, d)
	formatInterfaces(tree, d)
	for _, c := range tree.children {
		switch {
		case c.name.Space != "":
		case c.name.Local == "metadata" && d.Metadata != nil:
			meta := d.Metadata.XML
			if meta == "" {
				meta = "<metadata/>"
			}
			c.raw = "  " + meta + "\n"
		case c.name.Local == "clock":
			order := []string{"offset", "adjustment", "basis", "timezone", "start"}
			slices.SortStableFunc(c.attrs, func(a, b xml.Attr) int {
				return slices.Index(order, a.Name.Local) - slices.Index(order, b.Name.Local)
			})
		case c.name.Local == "features":
			// libvirt prints features in its enumeration's order.
			slices.SortStableFunc(c.children, func(a, b *node) int {
				return slices.Index(features, a.name.Local) - slices.Index(features, b.name.Local)
			})
		}
	}
	var b bytes.Buffer
	writeNode(&b, tree, 0, "")
	return b.Bytes(), nil
}

// LXCNamespaceURI is the XML namespace of libvirt's LXC domain extension.
const LXCNamespaceURI = "http://libvirt.org/schemas/domain/lxc/1.0"

// escapeText escapes text as libvirt's virBufferEscapeString does: the
// five XML specials become entities and control characters other than
// tab, newline and carriage return are dropped. A carriage return is
// written as a reference, which libvirt does not do, because a raw one
// would read back as a newline.
func escapeText(s string) string {
	// xmlesc.String keeps a carriage return as it is; nothing else it
	// writes holds one.
	return strings.ReplaceAll(xmlesc.String(s), "\r", "&#13;")
}

// escapeAttr is escapeText for attribute values, where tabs and newlines
// are written as references too: read back raw they would become spaces.
func escapeAttr(s string) string {
	return attrControlEscaper.Replace(escapeText(s))
}

// minimalText and minimalAttr are for the values libvirt prints without
// escaping them (<initenv>, <inituser>, <initgroup> and the initenv name):
// only what would stop the output from reading back the same is escaped
// ('<', '&', the '>' of "]]>", carriage returns, and in the single-quoted
// attribute the quote, tabs and newlines), so the output is libvirt's
// whenever libvirt's can be read back.
func minimalText(s string) string {
	s = minimalTextEscaper.Replace(s)
	return strings.ReplaceAll(s, "]]>", "]]&gt;")
}

func minimalAttr(s string) string {
	return minimalAttrEscaper.Replace(s)
}

// qname is the element or attribute name as libvirt prints it: elements of
// the LXC namespace carry the lxc: prefix.
func qname(n xml.Name) string {
	if n.Space == LXCNamespaceURI {
		return "lxc:" + n.Local
	}
	return n.Local
}

func usesLXCNamespace(n *node) bool {
	if n.name.Space == LXCNamespaceURI {
		return true
	}
	for _, c := range n.children {
		if usesLXCNamespace(c) {
			return true
		}
	}
	return false
}

// writeNode prints n at the given depth in libvirt's layout: two spaces per
// level, single-quoted attributes, childless elements as <x/>, text-only
// elements on one line.
func writeNode(b *bytes.Buffer, n *node, depth int, parent string) {
	ind := strings.Repeat("  ", depth)
	if n.raw != "" {
		b.WriteString(n.raw)
		return
	}
	b.WriteString(ind)
	b.WriteByte('<')
	b.WriteString(qname(n.name))
	for _, a := range n.attrs {
		if parent == "os" && n.name.Local == "initenv" {
			fmt.Fprintf(b, " %s='%s'", qname(a.Name), minimalAttr(a.Value))
			continue
		}
		fmt.Fprintf(b, " %s='%s'", qname(a.Name), escapeAttr(a.Value))
	}
	if depth == 0 && usesLXCNamespace(n) {
		fmt.Fprintf(b, " xmlns:lxc='%s'", LXCNamespaceURI)
	}
	text := n.text
	if len(n.children) > 0 {
		text = strings.TrimSpace(text)
	}
	esc := escapeText
	if parent == "os" && (n.name.Local == "initenv" || n.name.Local == "inituser" || n.name.Local == "initgroup") {
		esc = minimalText
	}
	switch {
	case len(n.children) == 0 && text == "":
		// Printed open and closed even empty: <lxc:namespace> (entries of
		// type none only) and <bandwidth> (virNetDevBandwidthFormat).
		if n.open || n.name.Space == LXCNamespaceURI && n.name.Local == "namespace" || n.name.Local == "bandwidth" {
			fmt.Fprintf(b, ">\n%s</%s>\n", ind, qname(n.name))
			return
		}
		b.WriteString("/>\n")
	case len(n.children) == 0:
		fmt.Fprintf(b, ">%s</%s>\n", esc(text), qname(n.name))
	default:
		b.WriteString(">\n")
		for _, c := range n.children {
			writeNode(b, c, depth+1, n.name.Local)
		}
		fmt.Fprintf(b, "%s</%s>\n", ind, qname(n.name))
	}
}

// The replacers are built once: a strings.Replacer builds its tables on
// first use, and formatting a domain escapes every attribute.
var (
	attrControlEscaper  = strings.NewReplacer("\t", "&#9;", "\n", "&#10;")
	minimalTextEscaper  = strings.NewReplacer("&", "&amp;", "<", "&lt;", "\r", "&#13;")
	minimalAttrEscaper  = strings.NewReplacer("&", "&amp;", "<", "&lt;", "'", "&apos;", "\r", "&#13;", "\n", "&#10;", "\t", "&#9;")
	libxmlTextEscaper   = strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;", "\r", "&#13;")
	libxmlQuoteEscaper  = strings.NewReplacer("&", "&amp;", "<", "&lt;")
	encodingPunctuation = strings.NewReplacer("-", "", "_", "", ".", "", ":", "", " ", "")
)
