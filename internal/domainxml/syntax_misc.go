package domainxml

import (
	"fmt"
	"strings"
)

func trunc50(b []byte) string {
	if len(b) > 50 {
		b = b[:50]
	}
	return string(b)
}

// comment reads <!-- ... --> like xmlParseComment: an ASCII fast path,
// then character by character.
func (s *scanner) comment() bool {
	s.p += 4
	var buf []byte
	in := s.p
	for {
		for in < len(s.d) {
			c := s.d[in]
			if !((c > '-' && c <= 0x7f) || (c >= 0x20 && c < '-') || c == '\t' || c == '\n') {
				break
			}
			in++
		}
		if in > s.p {
			buf = append(buf, s.d[s.p:in]...)
		}
		s.p = in
		if s.at(in) == '\r' && s.at(in+1) == '\n' {
			s.p = in + 1
			in += 2
			continue
		}
		if s.at(in) != '-' || in >= len(s.d) {
			break
		}
		if s.at(in+1) == '-' {
			if s.at(in+2) == '>' {
				s.p = in + 3
				return true
			}
			if buf != nil {
				return s.fail("Double hyphen within comment: <!--" + trunc50(buf))
			}
			return s.fail("Double hyphen within comment")
		}
		in++
	}
	return s.commentComplex(buf)
}

func (s *scanner) commentComplex(buf []byte) bool {
	q, ql, ok := s.char(s.p)
	if !ok {
		return false
	}
	if ql == 0 {
		return s.fail("Comment not terminated")
	}
	if !isChar(q) {
		return s.fail(fmt.Sprintf("xmlParseComment: invalid xmlChar value %d", q))
	}
	s.p += ql
	r, rl, ok := s.char(s.p)
	if !ok {
		return false
	}
	if rl == 0 {
		return s.fail("Comment not terminated")
	}
	if !isChar(r) {
		return s.fail(fmt.Sprintf("xmlParseComment: invalid xmlChar value %d", q))
	}
	s.p += rl
	c, l, ok := s.char(s.p)
	if !ok {
		return false
	}
	if l == 0 {
		return s.fail("Comment not terminated")
	}
	for isChar(c) && (c != '>' || r != '-' || q != '-') {
		if r == '-' && q == '-' {
			return s.fail("Comment must not contain '--' (double-hyphen)")
		}
		buf = append(buf, string(q)...)
		q, r = r, c
		s.p += l
		if c, l, ok = s.char(s.p); !ok {
			return false
		}
		if l == 0 {
			c = 0
		}
	}
	switch {
	case c == 0:
		return s.fail("Comment not terminated \n<!--" + trunc50(buf))
	case !isChar(c):
		return s.fail(fmt.Sprintf("xmlParseComment: invalid xmlChar value %d", c))
	}
	s.p++
	return true
}

// pi reads a processing instruction (xmlParsePI, xmlParsePITarget).
func (s *scanner) pi() bool {
	s.p += 2
	target, ok := s.name(true)
	if !ok {
		if s.err != nil {
			return false
		}
		return s.fail("xmlParsePI : no target name")
	}
	if len(target) >= 3 && strings.EqualFold(target[:3], "xml") {
		if target == "xml" {
			return s.fail("XML declaration allowed only at the start of the document")
		}
		if len(target) == 3 {
			return s.fail("Invalid PI name")
		}
	}
	if s.hasPrefix("?>") {
		s.p += 2
		return true
	}
	if s.skipBlanks() == 0 {
		return s.fail("ParsePI: PI " + target + " space expected")
	}
	for {
		c, n, ok := s.char(s.p)
		if !ok {
			return false
		}
		if n == 0 || !isChar(c) || (c == '?' && s.at(s.p+1) == '>') {
			break
		}
		s.p += n
	}
	if s.cur() != '?' || s.p >= len(s.d) {
		return s.fail("ParsePI: PI " + target + " never end ...")
	}
	s.p += 2
	return true
}

// cdata reads <![CDATA[ ... ]]> (xmlParseCDSect).
func (s *scanner) cdata() bool {
	s.p += 9
	var buf []byte
	var w [3]rune
	for k := 0; ; k++ {
		c, n, ok := s.char(s.p)
		if !ok {
			return false
		}
		if n == 0 {
			c = 0
		}
		if k < 2 {
			if !isChar(c) {
				// XML_ERR_CDATA_NOT_FINISHED without a message
				// of its own in libxml2's table.
				return s.fail("Unregistered error message")
			}
		} else if !isChar(c) || (w[0] == ']' && w[1] == ']' && c == '>') {
			if c != '>' {
				return s.fail("CData section not finished\n" + trunc50(buf))
			}
			s.p++
			return true
		} else {
			buf = append(buf, string(w[0])...)
		}
		if k >= 2 {
			w[0] = w[1]
			w[1] = c
		} else {
			w[k] = c
		}
		s.p += n
	}
}
