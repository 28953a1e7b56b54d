package domainxml

import "fmt"

// isChar is XML's Char production (libxml2's IS_CHAR).
func isChar(c rune) bool {
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
		(c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff)
}

// isByteChar is libxml2's IS_BYTE_CHAR.
func isByteChar(c byte) bool { return c >= 0x20 || c == 0x9 || c == 0xa || c == 0xd }

// char decodes the character at i as libxml2's xmlCurrentChar does. n is its
// length in bytes ("\r\n" is one newline of length 2); n == 0 means end of
// input, which is also what libxml2 makes of a broken sequence in the last
// three bytes. ok is false when a fatal error was recorded.
func (s *scanner) char(i int) (c rune, n int, ok bool) {
	b := s.at(i)
	switch {
	case i >= len(s.d):
		return 0, 0, true
	case b >= 0x20 && b <= 0x7f:
		return rune(b), 1, true
	case b == '\r':
		if s.at(i+1) == '\n' {
			return '\n', 2, true
		}
		return '\n', 1, true
	case b < 0x80:
		return rune(b), 1, true
	}
	cont := func(k int) bool { return s.at(i+k)&0xc0 == 0x80 }
	var v rune
	switch {
	case b&0x40 == 0 || b == 0xc0 || !cont(1):
		return s.badUTF8(i)
	case b&0xe0 != 0xe0:
		v, n = rune(b&0x1f)<<6|rune(s.at(i+1)&0x3f), 2
		if v < 0x80 {
			return s.badUTF8(i)
		}
	case !cont(2):
		return s.badUTF8(i)
	case b&0xf0 != 0xf0:
		v, n = rune(b&0xf)<<12|rune(s.at(i+1)&0x3f)<<6|rune(s.at(i+2)&0x3f), 3
		if v < 0x800 {
			return s.badUTF8(i)
		}
	case b&0xf8 != 0xf0 || !cont(3):
		return s.badUTF8(i)
	default:
		v = rune(b&0x7)<<18 | rune(s.at(i+1)&0x3f)<<12 | rune(s.at(i+2)&0x3f)<<6 | rune(s.at(i+3)&0x3f)
		n = 4
		if v < 0x10000 {
			return s.badUTF8(i)
		}
	}
	if !isChar(v) {
		return v, n, s.failAt(i, fmt.Sprintf("Char 0x%X out of allowed range", v))
	}
	return v, n, true
}

func (s *scanner) badUTF8(i int) (rune, int, bool) {
	if len(s.d)-i < 4 {
		return 0, 0, true
	}
	return 0, 0, s.failAt(i, fmt.Sprintf("Input is not proper UTF-8, indicate encoding !\nBytes: 0x%02X 0x%02X 0x%02X 0x%02X",
		s.d[i], s.d[i+1], s.d[i+2], s.d[i+3]))
}

func isNameStart(c rune, colon bool) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
		(c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) ||
		(c >= 0x370 && c <= 0x37d) || (c >= 0x37f && c <= 0x1fff) || (c >= 0x200c && c <= 0x200d) ||
		(c >= 0x2070 && c <= 0x218f) || (c >= 0x2c00 && c <= 0x2fef) || (c >= 0x3001 && c <= 0xd7ff) ||
		(c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd) || (c >= 0x10000 && c <= 0xeffff)
}

func isNameChar(c rune, colon bool) bool {
	return isNameStart(c, colon) || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == 0xb7 ||
		(c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040)
}

// name reads an XML Name (colon true, xmlParseName) or NCName. Nothing is
// consumed when there is none.
func (s *scanner) name(colon bool) (string, bool) {
	start := s.p
	i := s.p
	for {
		c, n, ok := s.char(i)
		if !ok {
			return "", false
		}
		if n == 0 || (i == start && !isNameStart(c, colon)) || !isNameChar(c, colon) {
			break
		}
		i += n
	}
	if i == start {
		return "", false
	}
	s.p = i
	return string(s.d[start:i]), true
}

// qname reads a qualified name as xmlParseQName does, returning its local
// part and prefix; malformed QNames are namespace errors, which libxml2 does
// not treat as fatal, so they come back whole as a local name.
func (s *scanner) qname() (local, prefix string, ok bool) {
	l, ok := s.name(false)
	if !ok {
		if s.err == nil && s.cur() == ':' {
			if full, ok := s.name(true); ok {
				return full, "", true
			}
		}
		return "", "", false
	}
	if s.cur() != ':' {
		return l, "", true
	}
	s.p++
	l2, ok := s.name(false)
	if !ok {
		if s.err != nil {
			return "", "", false
		}
		tok := s.nmtoken()
		return l + ":" + tok, "", s.err == nil
	}
	if s.cur() == ':' {
		s.p++
		rest, _ := s.name(true)
		return l2 + ":" + rest, l, s.err == nil
	}
	return l2, l, true
}

func (s *scanner) nmtoken() string {
	start := s.p
	for {
		c, n, ok := s.char(s.p)
		if !ok || n == 0 || !isNameChar(c, true) {
			return string(s.d[start:s.p])
		}
		s.p += n
	}
}

// attValue reads a quoted attribute value (xmlParseAttValueInternal and
// xmlParseAttValueComplex) and returns it undecoded.
func (s *scanner) attValue() (string, bool) {
	q := s.cur()
	if q != '"' && q != '\'' {
		return "", s.fail(`AttValue: " or ' expected`)
	}
	start := s.p + 1
	i := start
	for i < len(s.d) && s.d[i] != q && s.d[i] >= 0x20 && s.d[i] <= 0x7f && s.d[i] != '&' && s.d[i] != '<' {
		i++
	}
	if s.at(i) != q || i >= len(s.d) {
		s.p = start
		var c rune
		for s.p < len(s.d) && s.cur() != q {
			var n int
			var ok bool
			if c, n, ok = s.char(s.p); !ok {
				return "", false
			}
			if n == 0 || !isChar(c) || c == '<' {
				break
			}
			if c == '&' {
				if !s.reference() {
					return "", false
				}
				continue
			}
			s.p += n
		}
		switch {
		case s.cur() == '<':
			return "", s.fail("Unescaped '<' not allowed in attributes values")
		case s.cur() != q || s.p >= len(s.d):
			if c != 0 && !isChar(c) {
				return "", s.fail("invalid character in attribute value")
			}
			return "", s.fail("AttValue: ' expected")
		}
		i = s.p
	}
	s.p = i + 1
	s.spans = append(s.spans, [2]int{start, i})
	return string(s.d[start:i]), true
}

// reference reads a character or entity reference (xmlParseCharRef,
// xmlParseEntityRef). Only the five predefined entities exist: entity
// declarations are refused (see doctype).
func (s *scanner) reference() bool {
	if s.at(s.p+1) == '#' {
		return s.charRef()
	}
	s.p++
	name, ok := s.name(true)
	if !ok {
		if s.err != nil {
			return false
		}
		return s.fail("xmlParseEntityRef: no name")
	}
	if s.cur() != ';' {
		return s.fail("EntityRef: expecting ';'")
	}
	s.p++
	switch name {
	case "lt", "gt", "amp", "apos", "quot":
		return true
	}
	return s.fail("Entity '" + name + "' not defined")
}

func (s *scanner) charRef() bool {
	hex := s.at(s.p+2) == 'x'
	var val rune
	base := rune(10)
	s.p += 2
	if hex {
		base = 16
		s.p++
	}
	for count := 0; s.cur() != ';'; count++ {
		if count > 20 {
			count = 0
		}
		count++
		c := s.cur()
		switch {
		case c >= '0' && c <= '9':
			val = val*base + rune(c-'0')
		case hex && c >= 'a' && c <= 'f' && count < 20:
			val = val*16 + rune(c-'a') + 10
		case hex && c >= 'A' && c <= 'F' && count < 20:
			val = val*16 + rune(c-'A') + 10
		case hex:
			return s.fail("CharRef: invalid hexadecimal value")
		default:
			return s.fail("CharRef: invalid decimal value")
		}
		if val > 0x110000 {
			val = 0x110000
		}
		s.p++
	}
	s.p++
	switch {
	case val >= 0x110000:
		return s.fail("xmlParseCharRef: character reference out of bounds")
	case !isChar(val):
		return s.fail(fmt.Sprintf("xmlParseCharRef: invalid xmlChar value %d", val))
	}
	return true
}
