package domainxml

import "strings"

// xmlDecl reads <?xml version=... encoding=... standalone=...?> like
// xmlParseXMLDecl. It remembers where the declaration ends so the copy for
// encoding/xml can drop an encoding it would not know.
func (s *scanner) xmlDecl() bool {
	s.p += 5
	s.skipBlanks()
	version, ok := s.declVersion()
	if !ok {
		return false
	}
	if version == "" {
		return s.fail("Malformed declaration expecting version")
	}
	if !strings.HasPrefix(version, "1.") {
		return s.fail("Unsupported version '" + version + "'")
	}
	if !isBlank(s.cur()) {
		if s.hasPrefix("?>") {
			s.p += 2
			s.declEnd = s.p
			return true
		}
		return s.fail("Blank needed here")
	}
	s.skipBlanks()
	enc, ok := s.declValue("encoding")
	if !ok {
		return false
	}
	if enc != "" {
		// libxml2 reads a document given as a string as UTF-8
		// whatever encoding it names, but refuses names iconv
		// does not know.
		switch up := strings.ToUpper(enc); {
		case up == "UTF-8" || up == "UTF8":
		case up == "UTF-16" || up == "UTF16":
			s.foreignEnc = true
		case !knownEncoding(up):
			return s.fail("Unsupported encoding " + enc)
		default:
			s.foreignEnc = true
			if !isBlank(s.cur()) {
				if s.hasPrefix("?>") {
					s.p += 2
					s.declEnd = s.p
					return true
				}
				return s.fail("Blank needed here")
			}
		}
	}
	s.skipBlanks()
	if s.hasPrefix("standalone") {
		s.p += 10
		s.skipBlanks()
		if s.cur() != '=' {
			return s.fail("expected '='")
		}
		s.p++
		s.skipBlanks()
		q := s.cur()
		if q != '\'' && q != '"' {
			return s.fail(`String not started expecting ' or "`)
		}
		s.p++
		switch {
		case s.hasPrefix("no"):
			s.p += 2
		case s.hasPrefix("yes"):
			s.p += 3
		default:
			return s.fail("standalone accepts only 'yes' or 'no'")
		}
		if s.cur() != q {
			return s.fail(`String not closed expecting " or '`)
		}
		s.p++
	}
	s.skipBlanks()
	if !s.hasPrefix("?>") {
		return s.fail("parsing XML declaration: '?>' expected")
	}
	s.p += 2
	s.declEnd = s.p
	return true
}

// knownEncoding approximates iconv's list of encoding names, which ignores
// case and punctuation.
func knownEncoding(upper string) bool {
	n := encodingPunctuation.Replace(upper)
	for _, p := range []string{"UTF", "UCS", "ASCII", "USASCII", "ISO8859", "ISOLATIN", "LATIN",
		"CP", "WINDOWS", "IBM", "KOI8", "EUC", "SHIFTJIS", "SJIS", "GB", "BIG5", "ISO2022",
		"MAC", "TIS620", "HZ", "ARMSCII", "GEORGIAN", "VISCII", "TCVN", "JOHAB"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// declVersion reads version S? '=' S? quoted VersionNum ([0-9] '.' [0-9]*)
// as xmlParseVersionInfo does; "" means none could be read.
func (s *scanner) declVersion() (string, bool) {
	if !s.hasPrefix("version") {
		return "", true
	}
	s.p += len("version")
	s.skipBlanks()
	if s.cur() != '=' {
		return "", s.fail("expected '='")
	}
	s.p++
	s.skipBlanks()
	q := s.cur()
	if q != '\'' && q != '"' {
		return "", s.fail(`String not started expecting ' or "`)
	}
	s.p++
	start := s.p
	version := ""
	if c := s.cur(); c >= '0' && c <= '9' {
		s.p++
		if s.cur() == '.' {
			for s.p++; s.cur() >= '0' && s.cur() <= '9'; s.p++ {
			}
			version = string(s.d[start:s.p])
		}
	}
	if s.cur() != q {
		return "", s.fail(`String not closed expecting " or '`)
	}
	s.p++
	return version, true
}

// declValue reads NAME S? '=' S? quoted-value of the XML declaration; an
// absent optional pseudo-attribute gives "".
func (s *scanner) declValue(name string) (string, bool) {
	if !s.hasPrefix(name) {
		return "", true
	}
	s.p += len(name)
	s.skipBlanks()
	if s.cur() != '=' {
		return "", s.fail("expected '='")
	}
	s.p++
	s.skipBlanks()
	q := s.cur()
	if q != '\'' && q != '"' {
		return "", s.fail(`String not started expecting ' or "`)
	}
	s.p++
	start := s.p
	valid := func(c byte, first bool) bool { // EncName: [A-Za-z] ([A-Za-z0-9._] | '-')*
		letter := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		return letter || (!first && ((c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
	}
	for valid(s.cur(), s.p == start) {
		s.p++
	}
	if s.p == start {
		return "", s.fail("Invalid XML encoding name")
	}
	if s.cur() != q {
		return "", s.fail(`String not closed expecting " or '`)
	}
	s.p++
	return string(s.d[start : s.p-1]), true
}

// doctype reads <!DOCTYPE name ExternalID? [internal subset]? >. Entity
// declarations are refused: libvirt does not expand entities, and refusing
// them keeps "billion laughs" documents out.
func (s *scanner) doctype() bool {
	s.p += 9
	s.skipBlanks()
	if _, ok := s.name(true); !ok {
		if s.err != nil {
			return false
		}
		return s.fail("xmlParseDocTypeDecl : no DOCTYPE name !")
	}
	s.skipBlanks()
	switch {
	case s.hasPrefix("SYSTEM"):
		s.p += 6
		s.skipBlanks()
		if !s.literal() {
			return false
		}
	case s.hasPrefix("PUBLIC"):
		s.p += 6
		s.skipBlanks()
		if !s.literal() {
			return false
		}
		s.skipBlanks()
		if !s.literal() {
			return false
		}
	}
	s.skipBlanks()
	if s.cur() == '[' {
		s.p++
		if !s.internalSubset() {
			return false
		}
		s.p++
		s.skipBlanks()
	}
	if s.cur() != '>' {
		return s.fail("DOCTYPE improperly terminated")
	}
	s.p++
	return true
}

func (s *scanner) literal() bool {
	q := s.cur()
	if q != '\'' && q != '"' {
		return s.fail(`SystemLiteral " or ' expected`)
	}
	for s.p++; s.cur() != q; {
		c, n, ok := s.char(s.p)
		if !ok {
			return false
		}
		if n == 0 || !isChar(c) {
			return s.fail(`Unfinished System or Public ID " or ' expected`)
		}
		s.p += n
	}
	s.p++
	return true
}

// internalSubset skips markup declarations up to the closing ']'.
func (s *scanner) internalSubset() bool {
	for {
		s.skipBlanks()
		switch {
		case s.p >= len(s.d):
			return s.fail("DOCTYPE improperly terminated")
		case s.cur() == ']':
			return true
		case s.hasPrefix("<!ENTITY"):
			return s.fail("Entity declarations are not allowed")
		case s.hasPrefix("<!--"):
			if !s.comment() {
				return false
			}
		case s.hasPrefix("<?"):
			if !s.pi() {
				return false
			}
		case s.hasPrefix("<!"):
			var q byte
			for s.p++; s.p < len(s.d) && (q != 0 || s.cur() != '>'); s.p++ {
				switch c := s.cur(); {
				case q == 0 && (c == '\'' || c == '"'):
					q = c
				case c == q:
					q = 0
				}
			}
			if s.p >= len(s.d) {
				return s.fail("DOCTYPE improperly terminated")
			}
			s.p++
		case s.cur() == '%':
			s.p++
			if _, ok := s.name(true); !ok || s.cur() != ';' {
				return s.fail("PEReference: expecting ';'")
			}
			s.p++
		default:
			return s.fail("xmlParseInternalSubset: error detected in Markup declaration")
		}
	}
}
