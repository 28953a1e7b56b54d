package virsh

import (
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// xnode is an element of a document parsed without blank text nodes, as
// virsh parses the domain XML before evaluating --xpath.
type xnode struct {
	name  string
	attrs []xml.Attr
	kids  []any // *xnode or string
}

func parseXNodes(doc string) (*xnode, error) { return parseXNodesBlanks(doc, false) }

// parseXNodesBlanks is parseXNodes keeping white-space text when
// keepBlanks is set, as libxml2 keeps it by default (virsh's
// virXMLParseStringCtxt): dumped again, elements keep their layout.
func parseXNodesBlanks(doc string, keepBlanks bool) (*xnode, error) {
	d := xml.NewDecoder(strings.NewReader(doc))
	root := &xnode{}
	stack := []*xnode{root}
	// libxml2's blank removal keeps white space that is all an element
	// holds (an empty network <ip> printed open and closed): it waits to
	// see whether the element ends right after it.
	pending := ""
	for {
		// Raw tokens keep prefixes as written: libxml2 prints them so.
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			pending = ""
			n := &xnode{name: qualified(t.Name), attrs: t.Attr}
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			if pending != "" && len(top.kids) == 0 {
				top.kids = append(top.kids, pending)
			}
			pending = ""
			stack = stack[:len(stack)-1]
		case xml.CharData:
			switch {
			case keepBlanks || strings.TrimSpace(string(t)) != "":
				top.kids = append(top.kids, string(t))
			case len(top.kids) == 0:
				pending = string(t)
			}
		}
	}
	return root, nil
}

// qualified is a raw token's name as written: "prefix:local".
func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func (n *xnode) text() string {
	var b strings.Builder
	for _, k := range n.kids {
		switch v := k.(type) {
		case string:
			b.WriteString(v)
		case *xnode:
			b.WriteString(v.text())
		}
	}
	return b.String()
}

var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#13;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#10;", "\r", "&#13;", "\t", "&#9;")
)

// dump serialises n as libxml2's xmlNodeDump with formatting: two spaces
// per level, attributes in double quotes, elements holding only text on
// one line.
func (n *xnode) dump(b *strings.Builder, level int) {
	b.WriteString("<" + n.name)
	for _, a := range n.attrs {
		b.WriteString(" " + qualified(a.Name) + `="` + attrEscaper.Replace(a.Value) + `"`)
	}
	if len(n.kids) == 0 {
		b.WriteString("/>")
		return
	}
	b.WriteString(">")
	onlyElements := true
	for _, k := range n.kids {
		if _, ok := k.(string); ok {
			onlyElements = false
		}
	}
	for _, k := range n.kids {
		switch v := k.(type) {
		case string:
			b.WriteString(textEscaper.Replace(v))
		case *xnode:
			if onlyElements {
				b.WriteString("\n" + strings.Repeat("  ", level+1))
			}
			v.dump(b, level+1)
		}
	}
	if onlyElements {
		b.WriteString("\n" + strings.Repeat("  ", level))
	}
	b.WriteString("</" + n.name + ">")
}

// xmlName is an element name step (or "*").
var xmlName = regexp.MustCompile(`^(\*|[A-Za-z_][A-Za-z0-9_.-]*)$`)

type xstep struct {
	descendant bool
	name       string
	index      int // 1-based position predicate, 0 for none
}

// evalXPath evaluates a simple location path (/a/b, //a, a[n], a final
// /@attr or /text()) and returns each match serialised as virsh prints
// it.
func evalXPath(doc, expr string, level int) ([]string, error) {
	bad := errors.New("XPath evaluation failed: unsupported expression '" + expr + "' (virtlxc supports /a/b, //a, [n], /@attr and /text())")
	if !strings.HasPrefix(expr, "/") {
		expr = "//" + expr
	}
	var steps []xstep
	final := ""
	for rest := expr; rest != ""; {
		desc := strings.HasPrefix(rest, "//")
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, "/"), "/")
		seg, tail, more := strings.Cut(rest, "/")
		rest = ""
		if more {
			rest = "/" + tail
		}
		if strings.HasPrefix(seg, "@") || seg == "text()" {
			if rest != "" {
				return nil, bad
			}
			final = seg
			if desc {
				steps = append(steps, xstep{descendant: true, name: "*"})
			}
			break
		}
		st := xstep{descendant: desc, name: seg}
		if i := strings.IndexByte(seg, '['); i >= 0 && strings.HasSuffix(seg, "]") {
			n, err := strconv.Atoi(seg[i+1 : len(seg)-1])
			if err != nil || n < 1 {
				return nil, bad
			}
			st.name, st.index = seg[:i], n
		}
		if !xmlName.MatchString(st.name) {
			return nil, bad
		}
		steps = append(steps, st)
	}
	root, err := parseXNodes(doc)
	if err != nil {
		return nil, err
	}
	cur := []*xnode{root}
	for _, st := range steps {
		var next []*xnode
		for _, n := range cur {
			next = append(next, matchStep(n, st)...)
		}
		cur = next
	}
	var out []string
	for _, n := range cur {
		switch {
		case final == "text()":
			for _, k := range n.kids {
				if t, ok := k.(string); ok {
					out = append(out, textEscaper.Replace(t))
				}
			}
		case strings.HasPrefix(final, "@"):
			for _, a := range n.attrs {
				if a.Name.Local == final[1:] {
					out = append(out, " "+a.Name.Local+`="`+attrEscaper.Replace(a.Value)+`"`)
				}
			}
		default:
			var b strings.Builder
			n.dump(&b, level)
			out = append(out, b.String())
		}
	}
	return out, nil
}

func matchStep(n *xnode, st xstep) []*xnode {
	var out []*xnode
	pos := 0
	for _, k := range n.kids {
		c, ok := k.(*xnode)
		if !ok {
			continue
		}
		if st.name == "*" || c.name == st.name {
			pos++
			if st.index == 0 || st.index == pos {
				out = append(out, c)
			}
		}
		if st.descendant {
			out = append(out, matchStep(c, st)...)
		}
	}
	return out
}
