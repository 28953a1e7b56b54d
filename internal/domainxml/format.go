package domainxml

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// LXCNamespaceURI is the XML namespace of libvirt's LXC domain extension.
const LXCNamespaceURI = "http://libvirt.org/schemas/domain/lxc/1.0"

// node is one element of a document being re-formatted.
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	children []*node
	text     string
	raw      string // pre-formatted content (metadata), used as is
}

// buildTree reads an encoding/xml document into a tree, resolving namespaces
// and dropping namespace declarations (the formatter re-declares them).
func buildTree(data []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("re-reading formatted XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name}
			for _, a := range t.Attr {
				if a.Name.Local == "xmlns" || a.Name.Space == "xmlns" {
					continue
				}
				n.attrs = append(n.attrs, a)
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("re-reading formatted XML: no root element")
	}
	return root, nil
}

// escape escapes text and attribute values as libvirt's virBufferEscapeString
// does: the five XML specials become entities and other control characters
// except tab and newline are dropped.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\'':
			b.WriteString("&apos;")
		case '"':
			b.WriteString("&quot;")
		default:
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
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
		fmt.Fprintf(b, " %s='%s'", qname(a.Name), escape(a.Value))
	}
	if depth == 0 && usesLXCNamespace(n) {
		fmt.Fprintf(b, " xmlns:lxc='%s'", LXCNamespaceURI)
	}
	text := n.text
	if len(n.children) > 0 {
		text = strings.TrimSpace(text)
	}
	switch {
	case len(n.children) == 0 && text == "":
		if n.name.Local == "capabilities" && parent == "features" {
			// libvirt prints an empty capabilities policy with open and
			// close tags on separate lines.
			fmt.Fprintf(b, ">\n%s</%s>\n", ind, qname(n.name))
			return
		}
		b.WriteString("/>\n")
	case len(n.children) == 0:
		fmt.Fprintf(b, ">%s</%s>\n", escape(text), qname(n.name))
	default:
		b.WriteString(">\n")
		for _, c := range n.children {
			writeNode(b, c, depth+1, n.name.Local)
		}
		fmt.Fprintf(b, "%s</%s>\n", ind, qname(n.name))
	}
}
