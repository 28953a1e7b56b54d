package domainxml

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// node is one element of a document: the input as read, or a definition
// being formatted.
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	children []*node
	text     string // the element's own character data, concatenated
	parts    []part // its content in document order
	raw      string // pre-formatted content (metadata), used as is
	open     bool   // printed open and closed even when empty
}

// part is one piece of an element's content: text, a child element or a
// comment.
type part struct {
	text    string
	elem    *node
	comment bool
}

// buildTree reads an encoding/xml document into a tree, resolving namespaces
// and dropping namespace declarations (the formatter re-declares them).
func buildTree(data []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []*node
	var texts []*strings.Builder
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		var top *node
		if len(stack) > 0 {
			top = stack[len(stack)-1]
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
			if top != nil {
				top.children = append(top.children, n)
				top.parts = append(top.parts, part{elem: n})
			} else {
				root = n
			}
			stack = append(stack, n)
			texts = append(texts, &strings.Builder{})
		case xml.EndElement:
			top.text = texts[len(texts)-1].String()
			stack, texts = stack[:len(stack)-1], texts[:len(texts)-1]
		case xml.CharData:
			if top == nil {
				break
			}
			texts[len(texts)-1].Write(t)
			if k := len(top.parts) - 1; k >= 0 && top.parts[k].elem == nil && !top.parts[k].comment {
				top.parts[k].text += string(t)
			} else {
				top.parts = append(top.parts, part{text: string(t)})
			}
		case xml.Comment:
			if top != nil {
				top.parts = append(top.parts, part{text: string(t), comment: true})
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

// The lookups below follow libvirt's XPath expressions, which match elements
// and attributes without a namespace only.

// child is ./NAME[1].
func (n *node) child(local string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.name.Space == "" && c.name.Local == local {
			return c
		}
	}
	return nil
}

// all is ./NAME.
func (n *node) all(local string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, c := range n.children {
		if c.name.Space == "" && c.name.Local == local {
			out = append(out, c)
		}
	}
	return out
}

// find is the first node of ./A/B/... in document order.
func (n *node) find(path ...string) *node {
	if len(path) == 0 {
		return n
	}
	for _, c := range n.all(path[0]) {
		if f := c.find(path[1:]...); f != nil {
			return f
		}
	}
	return nil
}

// attr is ./@NAME: its value and whether it is there.
func (n *node) attr(local string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// str is XPath's string(NODE): all the text below it, in document order.
func (n *node) str() string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	n.writeText(&b)
	return b.String()
}

func (n *node) writeText(b *strings.Builder) {
	for _, p := range n.parts {
		switch {
		case p.elem != nil:
			p.elem.writeText(b)
		case !p.comment:
			b.WriteString(p.text)
		}
	}
}

// xstr is libvirt's virXPathString: string() of the node, with "" meaning
// absent.
func (n *node) xstr() (string, bool) {
	s := n.str()
	return s, s != ""
}

// firstContent is libvirt's nodes[i]->children->content: the content of the
// element's first child node once libxml2 has dropped a leading blank text
// node (xmlKeepBlanksDefault(0)); false when there is no child or it is an
// element.
func (n *node) firstContent() (string, bool) {
	parts := n.parts
	if len(parts) > 1 && parts[0].elem == nil && !parts[0].comment && strings.Trim(parts[0].text, " \t\n\r") == "" {
		parts = parts[1:]
	}
	if len(parts) == 0 || parts[0].elem != nil {
		return "", false
	}
	return parts[0].text, true
}

// modelXML writes the parts of the input libvirt's parser looks at, for
// libvirtxml to read: elements and attributes without a namespace (and the
// <lxc:namespace> extension), without comments, and <metadata> as an empty
// marker (it is read separately, see metadata.go). Reading this instead of
// the input keeps the model's device lists aligned with libvirt's.
func (n *node) modelXML(b *bytes.Buffer, depth int) {
	b.WriteByte('<')
	b.WriteString(n.name.Local)
	if n.name.Space != "" {
		b.WriteString(` xmlns="`)
		xml.EscapeText(b, []byte(n.name.Space))
		b.WriteByte('"')
	}
	for _, a := range n.attrs {
		if a.Name.Space != "" {
			continue
		}
		b.WriteString(" " + a.Name.Local + `="`)
		xml.EscapeText(b, []byte(a.Value))
		b.WriteByte('"')
	}
	b.WriteByte('>')
	if depth == 1 && n.name.Local == "metadata" {
		b.WriteString("</metadata>")
		return
	}
	inExt := n.name.Space == LXCNamespaceURI
	for _, p := range n.parts {
		switch {
		case p.elem != nil:
			c := p.elem
			ext := depth == 0 && c.name.Space == LXCNamespaceURI && c.name.Local == "namespace"
			if c.name.Space == "" || ext || inExt {
				c.modelXML(b, depth+1)
			}
		case !p.comment:
			xml.EscapeText(b, []byte(p.text))
		}
	}
	b.WriteString("</" + n.name.Local + ">")
}
