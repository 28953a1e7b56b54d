package domainxml

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// rawTree reads a fragment without resolving namespaces: prefixes stay as
// written and xmlns declarations stay attributes. The fragment may hold
// several top-level elements; they are the children of the returned node.
func rawTree(fragment string) (*node, error) {
	dec := xml.NewDecoder(strings.NewReader(fragment))
	top := &node{}
	stack := []*node{top}
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return top, nil
		}
		if err != nil {
			return nil, err
		}
		cur := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name, attrs: t.Attr}
			cur.children = append(cur.children, n)
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			cur.text += string(t)
		}
	}
}

// nsOf returns the namespace URI an element of the raw tree declares for its
// own prefix (or the default namespace when it has none).
func nsOf(n *node) string {
	for _, a := range n.attrs {
		if n.name.Space == "" && a.Name.Space == "" && a.Name.Local == "xmlns" {
			return a.Value
		}
		if n.name.Space != "" && a.Name.Space == "xmlns" && a.Name.Local == n.name.Space {
			return a.Value
		}
	}
	return ""
}

// sanitizeMetadata keeps what libvirt keeps of <metadata>: child elements
// that live in a namespace, only the first one per namespace.
func sanitizeMetadata(inner string) (string, error) {
	tree, err := rawTree(inner)
	if err != nil {
		return "", fmt.Errorf("metadata: %w", err)
	}
	seen := map[string]bool{}
	var b bytes.Buffer
	for _, c := range tree.children {
		ns := nsOf(c)
		if ns == "" || seen[ns] {
			continue
		}
		seen[ns] = true
		writeLibxml(&b, c, -1)
	}
	return b.String(), nil
}

// formatMetadata prints the <metadata> element at depth 1 the way libxml2's
// xmlNodeDump does for libvirt: double-quoted attributes, two spaces per level.
func formatMetadata(inner string) (string, error) {
	tree, err := rawTree(inner)
	if err != nil {
		return "", fmt.Errorf("metadata: %w", err)
	}
	if len(tree.children) == 0 {
		return "  <metadata/>\n", nil
	}
	var b bytes.Buffer
	b.WriteString("  <metadata>\n")
	for _, c := range tree.children {
		writeLibxml(&b, c, 2)
		b.WriteByte('\n')
	}
	b.WriteString("  </metadata>\n")
	return b.String(), nil
}

func rawQName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// writeLibxml serialises a raw-tree element; depth < 0 means compact output.
func writeLibxml(b *bytes.Buffer, n *node, depth int) {
	ind := ""
	if depth > 0 {
		ind = strings.Repeat("  ", depth)
	}
	b.WriteString(ind + "<" + rawQName(n.name))
	// libxml2 prints namespace declarations before the other attributes.
	for pass := 0; pass < 2; pass++ {
		for _, a := range n.attrs {
			isNS := a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns")
			if isNS == (pass == 0) {
				fmt.Fprintf(b, ` %s="%s"`, rawQName(a.Name), escapeLibxml(a.Value))
			}
		}
	}
	hasElems := len(n.children) > 0
	text := n.text
	if hasElems {
		text = strings.TrimSpace(text)
	}
	switch {
	case !hasElems && text == "":
		b.WriteString("/>")
	case !hasElems:
		b.WriteString(">" + escapeLibxmlText(text) + "</" + rawQName(n.name) + ">")
	default:
		b.WriteString(">")
		for _, c := range n.children {
			if depth >= 0 {
				b.WriteByte('\n')
				writeLibxml(b, c, depth+1)
			} else {
				writeLibxml(b, c, -1)
			}
		}
		if depth >= 0 {
			b.WriteString("\n" + ind)
		}
		b.WriteString("</" + rawQName(n.name) + ">")
	}
}

func escapeLibxml(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#10;", "\r", "&#13;", "\t", "&#9;")
	return r.Replace(s)
}

func escapeLibxmlText(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#13;")
	return r.Replace(s)
}
