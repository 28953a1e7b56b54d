package hostinfo

import (
	"fmt"
	"strings"

	"virtlxc/internal/xmlesc"
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

// esc escapes text like libvirt's virBufferEscapeString.
func esc(s string) string { return xmlesc.String(s) }
