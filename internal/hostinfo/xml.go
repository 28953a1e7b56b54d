package hostinfo

import (
	"fmt"
	"strings"
)

// xmlBuf writes libvirt-style XML: two spaces of indent per level, one
// element per line.
type xmlBuf struct {
	strings.Builder
	indent int
}

func (b *xmlBuf) in()    { b.indent += 2 }
func (b *xmlBuf) out()   { b.indent -= 2 }
func (b *xmlBuf) blank() { b.WriteByte('\n') }

func (b *xmlBuf) line(format string, args ...any) {
	b.WriteString(strings.Repeat(" ", b.indent))
	fmt.Fprintf(b, format, args...)
	b.WriteByte('\n')
}

// element writes <name attrs>children</name>, or <name attrs/> without
// children, and nothing at all when it has neither (virXMLFormatElement).
func (b *xmlBuf) element(name, attrs string, children []string) {
	switch {
	case len(children) == 0 && attrs == "":
	case len(children) == 0:
		b.line("<%s%s/>", name, attrs)
	default:
		b.line("<%s%s>", name, attrs)
		b.in()
		for _, c := range children {
			b.line("%s", c)
		}
		b.out()
		b.line("</%s>", name)
	}
}

// esc escapes text like libvirt's virBufferEscapeString: the five XML
// specials become entities and control characters other than tab, newline
// and carriage return are dropped.
func esc(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\'':
			b.WriteString("&apos;")
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
