package domainxml

import (
	"bytes"
	"fmt"

	"virtlxc/internal/virerr"
)

// MaxDocumentSize bounds an XML document accepted for parsing: libvirt's RPC
// layer carries strings of at most 4 MiB (REMOTE_STRING_MAX), so no valid
// client can send more.
const MaxDocumentSize = 4 << 20

// maxDepth is libxml2's xmlParserMaxDepth: opening an element while more
// than this many are open is a fatal error.
const maxDepth = 256

// scanner checks that a document is well-formed the way libxml2 2.9 (the
// parser behind libvirt 9.0) does, and reports the first fatal error with
// libxml2's message at libxml2's input position, so the text libvirt builds
// from it (catchXMLError) can be reproduced byte for byte. It builds
// nothing; encoding/xml reads the document once it passes.
type scanner struct {
	d     []byte // the document, cut at its first NUL as libvirt's C string is
	p     int    // libxml2's ctxt->input->cur
	label string
	stack []openTag
	root  string     // local name of the root element
	spans [][2]int   // attribute values, for whitespace normalisation
	err   *synError  // the first fatal error
	tagAt int        // offset of the '<' of the start tag being read
	attrs []attrName // attributes of that start tag

	declEnd    int  // end of the XML declaration, if any
	foreignEnc bool // it names an encoding other than UTF-8
}

type openTag struct {
	name, prefix string // local name and prefix, as libxml2 splits them
	at           int    // offset of the '<'
}

type attrName struct{ prefix, local string }

// synError is one libxml2 fatal error: its message (without the final
// newline), the input position (ctxt->input->cur) and the position whose
// line libxml2 reports (usually the same).
type synError struct {
	msg       string
	cur, line int
}

func (s *scanner) at(i int) byte {
	if i < 0 || i >= len(s.d) {
		return 0
	}
	return s.d[i]
}

func (s *scanner) cur() byte { return s.at(s.p) }

func (s *scanner) hasPrefix(lit string) bool {
	return bytes.HasPrefix(s.d[min(s.p, len(s.d)):], []byte(lit))
}

func (s *scanner) fail(msg string) bool { return s.failAt(s.p, msg) }

func (s *scanner) failAt(pos int, msg string) bool {
	return s.failLine(pos, pos, msg)
}

func (s *scanner) failLine(pos, linePos int, msg string) bool {
	if s.err == nil {
		s.err = &synError{msg: msg, cur: pos, line: linePos}
	}
	return false
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *scanner) skipBlanks() int {
	n := 0
	for isBlank(s.cur()) {
		s.p++
		n++
	}
	return n
}

// checkSyntax reads a whole document once. It returns the local name of the
// root element and the document as encoding/xml should read it: cut at the
// first NUL, and with literal white space in attribute values turned into
// spaces as libxml2 normalises it.
func checkSyntax(data []byte, label string) (string, []byte, error) {
	if len(data) > MaxDocumentSize {
		return "", nil, virerr.New(virerr.ErrXMLError, virerr.FromDomain,
			"document of %d bytes is larger than the %d bytes allowed", len(data), MaxDocumentSize)
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		data = data[:i]
	}
	s := &scanner{d: data, label: label}
	if !s.document() {
		return "", nil, s.error()
	}
	return s.root, s.normalized(), nil
}

func (s *scanner) document() bool {
	if len(s.d) == 0 {
		return s.fail("Document is empty")
	}
	if s.hasPrefix("\xef\xbb\xbf") {
		s.p = 3
	}
	if s.hasPrefix("<?xml") && isBlank(s.at(s.p+5)) {
		if !s.xmlDecl() {
			return false
		}
		s.skipBlanks()
	}
	if !s.misc() {
		return false
	}
	if s.hasPrefix("<!DOCTYPE") {
		if !s.doctype() || !s.misc() {
			return false
		}
	}
	if s.cur() != '<' {
		return s.fail("Start tag expected, '<' not found")
	}
	if !s.element() || !s.misc() {
		return false
	}
	if s.p < len(s.d) {
		return s.fail("Extra content at the end of the document")
	}
	return true
}

// misc skips white space, comments and processing instructions.
func (s *scanner) misc() bool {
	for {
		s.skipBlanks()
		switch {
		case s.hasPrefix("<?"):
			if !s.pi() {
				return false
			}
		case s.hasPrefix("<!--"):
			if !s.comment() {
				return false
			}
		default:
			return true
		}
	}
}

// element reads the root element and everything in it, iteratively as
// libxml2's xmlParseElement and xmlParseContentInternal do.
func (s *scanner) element() bool {
	empty, ok := s.startTag()
	if !ok {
		return false
	}
	if empty {
		return true
	}
	for s.p < len(s.d) {
		var ok bool
		switch {
		case s.hasPrefix("<?"):
			ok = s.pi()
		case s.hasPrefix("<![CDATA["):
			ok = s.cdata()
		case s.hasPrefix("<!--"):
			ok = s.comment()
		case s.cur() == '<' && s.at(s.p+1) == '/':
			ok = s.endTag()
			if ok && len(s.stack) == 0 {
				return true
			}
		case s.cur() == '<':
			_, ok = s.startTag()
		case s.cur() == '&':
			ok = s.reference()
		default:
			ok = s.charData()
		}
		if !ok {
			return false
		}
	}
	top := s.stack[len(s.stack)-1]
	return s.fail(fmt.Sprintf("Premature end of data in tag %s line %d", top.name, s.lineOf(top.at)))
}

// startTag reads '<' QName (S Attribute)* S? ('>' | '/>') like
// xmlParseElementStart and xmlParseStartTag2.
func (s *scanner) startTag() (empty, ok bool) {
	if len(s.stack) > maxDepth {
		return false, s.fail(fmt.Sprintf("Excessive depth in document: %d use XML_PARSE_HUGE option", maxDepth))
	}
	s.tagAt = s.p
	s.p++
	local, prefix, ok := s.qname()
	if !ok {
		return false, s.fail("StartTag: invalid element name")
	}
	s.attrs = s.attrs[:0]
	var nsDecls []string
	s.skipBlanks()
	for c := s.cur(); c != '>' && !(c == '/' && s.at(s.p+1) == '>') && isByteChar(c) && s.p < len(s.d); c = s.cur() {
		alocal, aprefix, ok := s.qname()
		if !ok {
			return false, s.fail("error parsing attribute name")
		}
		s.skipBlanks()
		if s.cur() != '=' {
			return false, s.fail("Specification mandates value for attribute " + alocal)
		}
		s.p++
		s.skipBlanks()
		val, ok := s.attValue()
		if !ok {
			return false, false
		}
		switch {
		case aprefix == "" && alocal == "xmlns", aprefix == "xmlns":
			key := aprefix + ":" + alocal
			if aprefix == "xmlns" && (alocal == "xml" || alocal == "xmlns" || val == "") {
				break // namespace errors, not fatal: the declaration is dropped
			}
			for _, k := range nsDecls {
				if k == key {
					return false, s.fail("Attribute " + qualified(aprefix, alocal) + " redefined")
				}
			}
			nsDecls = append(nsDecls, key)
		default:
			s.attrs = append(s.attrs, attrName{aprefix, alocal})
		}
		if c := s.cur(); c == '>' || (c == '/' && s.at(s.p+1) == '>') {
			break
		}
		if s.skipBlanks() == 0 {
			return false, s.fail("attributes construct error")
		}
	}
	for i, a := range s.attrs {
		for _, b := range s.attrs[:i] {
			if a == b {
				return false, s.fail("Attribute " + qualified(a.prefix, a.local) + " redefined")
			}
		}
	}
	if s.root == "" {
		s.root = local
	}
	switch {
	case s.cur() == '/' && s.at(s.p+1) == '>':
		s.p += 2
		return true, true
	case s.cur() == '>':
		s.p++
		s.stack = append(s.stack, openTag{name: local, prefix: prefix, at: s.tagAt})
		return false, true
	}
	return false, s.fail(fmt.Sprintf("Couldn't find end of Start Tag %s line %d", local, s.lineOf(s.tagAt)))
}

func qualified(prefix, local string) string {
	if prefix == "" {
		return local
	}
	return prefix + ":" + local
}

// endTag reads '</' QName S? '>' like xmlParseEndTag2.
func (s *scanner) endTag() bool {
	top := s.stack[len(s.stack)-1]
	s.p += 2
	want := qualified(top.prefix, top.name)
	matched := false
	got := "unparsable"
	if s.hasPrefix(want) && (s.at(s.p+len(want)) == '>' || isBlank(s.at(s.p+len(want)))) {
		s.p += len(want)
		matched = true
	} else if top.prefix != "" {
		if local, prefix, ok := s.qname(); ok {
			matched = local == top.name && prefix == top.prefix
			got = local
		}
	} else if name, ok := s.name(true); ok {
		matched = name == top.name
		got = name
	}
	s.skipBlanks()
	if s.cur() != '>' {
		return s.fail("expected '>'")
	}
	s.p++
	if !matched {
		return s.fail(fmt.Sprintf("Opening and ending tag mismatch: %s line %d and %s", top.name, s.lineOf(top.at), got))
	}
	s.stack = s.stack[:len(s.stack)-1]
	return true
}

// charData reads text like xmlParseCharData: ASCII runs on the fast path,
// where libxml2 has not yet moved its input position when it finds "]]>",
// then the rest character by character.
func (s *scanner) charData() bool {
	start := s.p
	in := s.p
	for in < len(s.d) {
		c := s.d[in]
		switch {
		case c == '<' || c == '&':
			s.p = in
			return true
		case c == ']' && s.at(in+1) == ']' && s.at(in+2) == '>':
			return s.failLine(start, in, "Sequence ']]>' not allowed in content")
		case c == '\r' && s.at(in+1) == '\n':
			start = in + 1
			in += 2
			continue
		case c >= 0x20 && c <= 0x7f, c == '\t', c == '\n':
			in++
			continue
		}
		break
	}
	s.p = in
	for s.p < len(s.d) {
		c, n, ok := s.char(s.p)
		if !ok {
			return false
		}
		if n == 0 {
			// libxml2 reads nothing here and its content loop
			// notices it made no progress.
			return s.fail("internal error: detected an error in element content\n")
		}
		if !isChar(c) {
			return s.fail(fmt.Sprintf("PCDATA invalid Char value %d", c))
		}
		if c == '<' || c == '&' {
			return true
		}
		if c == ']' && s.at(s.p+1) == ']' && s.at(s.p+2) == '>' {
			return s.fail("Sequence ']]>' not allowed in content")
		}
		s.p += n
	}
	return true
}
