package domainxml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"virtlxc/internal/virerr"
)

// MaxDocumentSize bounds an XML document accepted for parsing: libvirt's RPC
// layer carries strings of at most 4 MiB (REMOTE_STRING_MAX), so no valid
// client can send more.
const MaxDocumentSize = 4 << 20

// maxDepth bounds element nesting, as libxml2 does (xmlParserMaxDepth 256).
const maxDepth = 256

// checkSyntax reads the whole document once with its own tag matching so a
// malformed document is reported the way libxml2 reports it through libvirt:
// "(label):LINE: MESSAGE", the offending line and a caret under the column.
// It returns the name of the root element.
func checkSyntax(data []byte, label string) (string, error) {
	if len(data) > MaxDocumentSize {
		return "", virerr.New(virerr.ErrXMLError, virerr.FromXML,
			"document of %d bytes is larger than the %d bytes allowed", len(data), MaxDocumentSize)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	type open struct {
		name string
		line int
	}
	var stack []open
	root := ""
	for {
		tok, err := dec.RawToken()
		line, col := dec.InputPos()
		if err == io.EOF {
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				return "", syntaxError(data, label, line, col,
					fmt.Sprintf("Premature end of data in tag %s line %d", top.name, top.line))
			}
			if root == "" {
				return "", virerr.New(virerr.ErrXMLError, virerr.FromXML,
					"failed to parse xml document '%s'", label)
			}
			return root, nil
		}
		if err != nil {
			return "", syntaxError(data, label, line, col, goSyntaxMessage(err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := rawName(t.Name)
			if root == "" {
				root = t.Name.Local
			} else if len(stack) == 0 {
				return "", syntaxError(data, label, line, col, "Extra content at the end of the document")
			}
			if len(stack) >= maxDepth {
				return "", syntaxError(data, label, line, col,
					fmt.Sprintf("Excessive depth in document: %d use XML_PARSE_HUGE option", maxDepth))
			}
			seen := map[string]bool{}
			for _, a := range t.Attr {
				an := rawName(a.Name)
				if seen[an] {
					return "", syntaxError(data, label, line, col, fmt.Sprintf("Attribute %s redefined", an))
				}
				seen[an] = true
			}
			stack = append(stack, open{name, line})
		case xml.EndElement:
			name := rawName(t.Name)
			if len(stack) == 0 {
				return "", syntaxError(data, label, line, col, "Extra content at the end of the document")
			}
			top := stack[len(stack)-1]
			if top.name != name {
				return "", syntaxError(data, label, line, col,
					fmt.Sprintf("Opening and ending tag mismatch: %s line %d and %s", top.name, top.line, name))
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 && root != "" && len(bytes.TrimSpace(t)) > 0 {
				return "", syntaxError(data, label, line, col, "Extra content at the end of the document")
			}
		case xml.Directive:
			if bytes.Contains(bytes.ToUpper(t), []byte("ENTITY")) {
				// Internal entity declarations are the vehicle of
				// "billion laughs" attacks; libvirt's parser refuses
				// to expand them (XML_PARSE_NOENT is not set) and we
				// refuse the declaration outright.
				return "", syntaxError(data, label, line, col, "Entity declarations are not allowed")
			}
		}
	}
}

func rawName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// goSyntaxMessage turns encoding/xml's description into libxml2's wording
// where the two describe the same fault.
func goSyntaxMessage(err error) string {
	var se *xml.SyntaxError
	msg := err.Error()
	if errors.As(err, &se) {
		msg = se.Msg
	}
	switch {
	case strings.HasPrefix(msg, "invalid character entity"):
		ent := strings.TrimPrefix(msg, "invalid character entity ")
		ent = strings.Trim(ent, "&;")
		return fmt.Sprintf("Entity '%s' not defined", ent)
	case msg == "unexpected EOF":
		return "Premature end of data"
	}
	return msg
}

// syntaxError formats a libxml2-style parse error with the context line and
// a caret, as libvirt's catchXMLError does (code VIR_ERR_XML_DETAIL).
func syntaxError(data []byte, label string, line, col int, msg string) error {
	lines := strings.Split(string(data), "\n")
	ctx := ""
	if line >= 1 && line <= len(lines) {
		ctx = lines[line-1]
	}
	if len(ctx) > 80 {
		ctx = ctx[:80]
	}
	pos := col - 1
	if pos < 0 {
		pos = 0
	}
	if pos > len(ctx) {
		pos = len(ctx)
	}
	text := fmt.Sprintf("(%s):%d: %s\n%s\n%s^", label, line, msg, ctx, strings.Repeat("-", pos))
	return virerr.Raw(virerr.ErrXMLDetail, virerr.FromXML, text)
}
