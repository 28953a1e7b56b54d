// Package xmlesc escapes text as libvirt's virBufferEscapeString does, for
// the XML documents and output virtlxc prints the way libvirt and virsh
// print them.
package xmlesc

import "strings"

// String escapes s like virBufferEscapeString: the five XML specials
// become entities and control characters other than tab, newline and
// carriage return are dropped.
func String(s string) string {
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
