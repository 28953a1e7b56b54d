package domainxml

import (
	"bytes"
	"fmt"
	"strings"

	"virtlxc/internal/virerr"
)

// error turns the first fatal error into libvirt's message, as
// catchXMLError builds it: "LABEL:LINE: MESSAGE", the line holding the input
// position and a caret under it (tabs kept so the caret lines up).
func (s *scanner) error() error {
	e := s.err
	cur := e.cur
	for cur > 0 && (s.at(cur) == '\n' || s.at(cur) == '\r') {
		cur--
	}
	for cur > 0 && s.at(cur) != '\n' && s.at(cur) != '\r' {
		cur--
	}
	if s.at(cur) == '\n' || s.at(cur) == '\r' {
		cur++
	}
	col := e.cur - cur
	end := cur
	for end < len(s.d) && s.d[end] != '\n' && s.d[end] != '\r' {
		end++
	}
	ctx := s.d[min(cur, end):end]
	var caret strings.Builder
	for n := 0; n < col && n < len(ctx); n++ {
		if ctx[n] == '\t' {
			caret.WriteByte('\t')
		} else {
			caret.WriteByte('-')
		}
	}
	caret.WriteByte('^')
	shown := string(ctx)
	if shown == "" {
		// libvirt prints its empty context buffer, a NULL, with "%s".
		shown = "(null)"
	}
	text := fmt.Sprintf("%s:%d: %s\n%s\n%s", s.label, s.lineOf(e.line), e.msg, shown, caret.String())
	return virerr.Raw(virerr.ErrXMLDetail, virerr.FromDomain, text)
}

// lineOf is libxml2's line number at offset i: one more than the newlines
// before it.
func (s *scanner) lineOf(i int) int {
	return 1 + bytes.Count(s.d[:min(i, len(s.d))], []byte{'\n'})
}

// normalized is the document encoding/xml should read: without what follows
// a NUL and with literal tabs, newlines and carriage returns in attribute
// values replaced by one space each ("\r\n" counting as one), which is what
// libxml2 does and encoding/xml does not.
func (s *scanner) normalized() []byte {
	if len(s.spans) == 0 && !s.foreignEnc {
		return s.d
	}
	out := make([]byte, 0, len(s.d))
	last := 0
	if s.foreignEnc {
		// libxml2 reads the document as UTF-8 anyway: drop the
		// declaration naming an encoding encoding/xml would refuse.
		out = append(out, bytes.Repeat([]byte{' '}, s.declEnd)...)
		last = s.declEnd
	}
	for _, sp := range s.spans {
		out = append(out, s.d[last:sp[0]]...)
		for i := sp[0]; i < sp[1]; i++ {
			switch c := s.d[i]; c {
			case '\r':
				if s.at(i+1) == '\n' {
					i++
				}
				out = append(out, ' ')
			case '\n', '\t':
				out = append(out, ' ')
			default:
				out = append(out, c)
			}
		}
		last = sp[1]
	}
	return append(out, s.d[last:]...)
}
