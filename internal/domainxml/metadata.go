package domainxml

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// The <metadata> element is kept the way libvirt keeps it: the first
// <metadata> child of <domain> is copied with libxml2's xmlCopyNode (which
// declares on the copy the namespaces it uses from outside), sanitized
// (virXMLNodeSanitizeNamespaces: only namespaced child elements, the first
// per namespace URI) and printed with xmlNodeDump. The model's
// Metadata.XML holds that printed <metadata> element itself, not its inner
// XML, so formatting needs no further knowledge of the input.

// mdNode is one node of the metadata subtree, with prefixes as written.
type mdNode struct {
	kind          byte // 'e'lement, 't'ext, 'd' CDATA, 'c'omment, 'p'rocessing instruction
	prefix, local string
	decls         []nsDecl
	attrs         []xml.Attr // Name.Space is the prefix as written
	kids          []*mdNode
	text          string // text, comment, PI instruction
}

type nsDecl struct{ prefix, uri string }

// extractMetadata reads the first no-namespace <metadata> child of the
// root and returns it printed as libvirt prints it, or false when there is
// none.
func extractMetadata(data []byte) (string, bool, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var scopes [][]nsDecl
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			decls, _ := splitDecls(t.Attr)
			scopes = append(scopes, decls)
			if len(scopes) == 2 && t.Name.Space == "" && t.Name.Local == "metadata" && lookupNS(scopes, "") == "" {
				md, err := readMD(dec, t, data)
				if err != nil {
					return "", false, err
				}
				outer := scopes[0]
				return formatMD(md, outer), true, nil
			}
		case xml.EndElement:
			scopes = scopes[:len(scopes)-1]
		}
	}
}

// splitDecls separates namespace declarations from other attributes. The
// declarations libxml2 drops (an empty prefixed URI, the xml prefix) are
// dropped.
func splitDecls(attrs []xml.Attr) ([]nsDecl, []xml.Attr) {
	var decls []nsDecl
	var rest []xml.Attr
	for _, a := range attrs {
		switch {
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			decls = append(decls, nsDecl{"", a.Value})
		case a.Name.Space == "xmlns":
			if a.Name.Local != "xml" && a.Name.Local != "xmlns" && a.Value != "" {
				decls = append(decls, nsDecl{a.Name.Local, a.Value})
			}
		default:
			rest = append(rest, a)
		}
	}
	return decls, rest
}

// lookupNS resolves prefix through scopes, innermost last; "" is no
// namespace.
func lookupNS(scopes [][]nsDecl, prefix string) string {
	if prefix == "xml" {
		return "http://www.w3.org/XML/1998/namespace"
	}
	for i := len(scopes) - 1; i >= 0; i-- {
		for _, d := range scopes[i] {
			if d.prefix == prefix {
				return d.uri
			}
		}
	}
	return ""
}

func declared(scopes [][]nsDecl, prefix string) bool {
	for _, s := range scopes {
		for _, d := range s {
			if d.prefix == prefix {
				return true
			}
		}
	}
	return prefix == "xml"
}

// readMD reads the element started by start, up to its end.
func readMD(dec *xml.Decoder, start xml.StartElement, data []byte) (*mdNode, error) {
	n := &mdNode{kind: 'e', prefix: start.Name.Space, local: start.Name.Local}
	n.decls, n.attrs = splitDecls(start.Attr)
	for {
		off := dec.InputOffset()
		tok, err := dec.RawToken()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			c, err := readMD(dec, t, data)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, c)
		case xml.EndElement:
			n.dropBlanks()
			return n, nil
		case xml.CharData:
			if bytes.HasPrefix(data[off:], []byte("<![CDATA[")) {
				n.kids = append(n.kids, &mdNode{kind: 'd', text: string(t)})
			} else if k := len(n.kids) - 1; k >= 0 && n.kids[k].kind == 't' {
				n.kids[k].text += string(t)
			} else {
				n.kids = append(n.kids, &mdNode{kind: 't', text: string(t)})
			}
		case xml.Comment:
			n.kids = append(n.kids, &mdNode{kind: 'c', text: string(t)})
		case xml.ProcInst:
			pi := &mdNode{kind: 'p', local: t.Target}
			if len(t.Inst) > 0 {
				pi.text = " " + strings.TrimLeft(string(t.Inst), " \t\n\r")
			}
			n.kids = append(n.kids, pi)
		}
	}
}

// dropBlanks removes the white-space text nodes libxml2 drops when blanks
// are not kept (areBlanks): those before any other text of the element,
// unless one is the element's only content.
func (n *mdNode) dropBlanks() {
	seen := false
	kept := n.kids[:0]
	for i, k := range n.kids {
		if k.kind == 't' {
			if !isBlankText(k.text) {
				seen = true
			} else if !seen && !(len(kept) == 0 && i == len(n.kids)-1) {
				continue
			}
		}
		kept = append(kept, k)
	}
	n.kids = kept
}

func isBlankText(s string) bool { return strings.Trim(s, " \t\n\r") == "" }

// formatMD copies, sanitizes and prints the metadata element.
func formatMD(md *mdNode, outer []nsDecl) string {
	scopes := [][]nsDecl{outer}
	var own []nsDecl
	own = append(own, md.decls...)
	copyScopes := [][]nsDecl{nil}
	md.reconcile(&own, copyScopes, scopes, true)
	md.decls = own
	// virXMLNodeSanitizeNamespaces
	seen := map[string]bool{}
	var kept []*mdNode
	for _, k := range md.kids {
		if k.kind != 'e' {
			continue
		}
		uri := lookupNS([][]nsDecl{outer, md.decls, k.decls}, k.prefix)
		if uri == "" || seen[uri] {
			continue
		}
		seen[uri] = true
		kept = append(kept, k)
	}
	md.kids = kept
	var b strings.Builder
	md.dump(&b, 1, true, true)
	return b.String()
}

// reconcile walks the copy in xmlStaticCopyNode's order and appends to
// rootDecls the declarations of prefixes used in it but declared outside
// it (on <domain>).
func (n *mdNode) reconcile(rootDecls *[]nsDecl, inCopy, outside [][]nsDecl, isRoot bool) {
	if n.kind != 'e' {
		return
	}
	if !isRoot {
		inCopy = append(inCopy, n.decls)
	}
	need := func(prefix string) {
		if prefix == "" || declared(inCopy, prefix) || declared([][]nsDecl{*rootDecls}, prefix) {
			return
		}
		if uri := lookupNS(outside, prefix); uri != "" {
			*rootDecls = append(*rootDecls, nsDecl{prefix, uri})
		}
	}
	need(n.prefix)
	for _, a := range n.attrs {
		need(a.Name.Space)
	}
	for _, k := range n.kids {
		k.reconcile(rootDecls, inCopy, outside, false)
	}
}

// dump prints a node as libxml2's xmlNodeDumpOutput does with format on and
// xmlIndentTreeOutput set: two spaces per level, elements holding text
// printed inline.
func (n *mdNode) dump(b *strings.Builder, level int, format, root bool) {
	indent := func() {
		if format && !root {
			b.WriteString(strings.Repeat("  ", min(level, 30)))
		}
	}
	switch n.kind {
	case 't':
		b.WriteString(escapeLibxmlText(n.text))
		return
	case 'd':
		if n.text == "" {
			b.WriteString("<![CDATA[]]>")
		} else {
			b.WriteString("<![CDATA[" + n.text + "]]>")
		}
		return
	case 'c':
		indent()
		b.WriteString("<!--" + n.text + "-->")
		return
	case 'p':
		indent()
		b.WriteString("<?" + n.local + n.text + "?>")
		return
	}
	indent()
	name := n.local
	if n.prefix != "" {
		name = n.prefix + ":" + n.local
	}
	b.WriteString("<" + name)
	for _, d := range n.decls {
		b.WriteString(" xmlns")
		if d.prefix != "" {
			b.WriteString(":" + d.prefix)
		}
		b.WriteString("=" + quoteLibxml(d.uri))
	}
	for _, a := range n.attrs {
		b.WriteString(" ")
		if a.Name.Space != "" {
			b.WriteString(a.Name.Space + ":")
		}
		b.WriteString(a.Name.Local + `="` + escapeLibxmlAttr(a.Value) + `"`)
	}
	if len(n.kids) == 0 {
		b.WriteString("/>")
		return
	}
	inner := format
	for _, k := range n.kids {
		if k.kind == 't' || k.kind == 'd' {
			inner = false
		}
	}
	b.WriteString(">")
	if inner {
		b.WriteString("\n")
	}
	for _, k := range n.kids {
		k.dump(b, level+1, inner, false)
		if inner {
			b.WriteString("\n")
		}
	}
	if inner {
		b.WriteString(strings.Repeat("  ", min(level, 30)))
	}
	b.WriteString("</" + name + ">")
}

// escapeLibxmlText is xmlEscapeContent.
func escapeLibxmlText(s string) string {
	return libxmlTextEscaper.Replace(s)
}

// escapeLibxmlAttr is xmlBufAttrSerializeTxtContent for a node without a
// document: non-ASCII characters become hexadecimal references.
func escapeLibxmlAttr(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString("&#10;")
		case r == '\r':
			b.WriteString("&#13;")
		case r == '\t':
			b.WriteString("&#9;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r >= utf8.RuneSelf:
			fmt.Fprintf(&b, "&#x%X;", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// quoteLibxml is xmlBufWriteQuotedString for a namespace URI, which libxml2
// writes without escaping; '&' and '<' are escaped here all the same so
// the output can be read back.
func quoteLibxml(s string) string {
	s = libxmlQuoteEscaper.Replace(s)
	switch {
	case strings.Contains(s, `"`) && strings.Contains(s, "'"):
		return `"` + strings.ReplaceAll(s, `"`, "&quot;") + `"`
	case strings.Contains(s, `"`):
		return "'" + s + "'"
	}
	return `"` + s + `"`
}
