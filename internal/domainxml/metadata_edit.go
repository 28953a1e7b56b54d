package domainxml

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"

	"virtlxc/internal/virerr"
)

// Editing a domain's <metadata> as virDomainDefSetMetadata and
// virXMLExtractNamespaceXML do, on the printed element Metadata.XML holds.

// parseMetadataText reads a printed <metadata> element ("" is none).
func parseMetadataText(md string) (*mdNode, error) {
	if md == "" {
		return &mdNode{kind: 'e', local: "metadata"}, nil
	}
	return readRoot([]byte(md))
}

// readRoot reads the root element of an XML document, and reports whether
// anything but the XML declaration came before it.
func readRoot(data []byte) (*mdNode, error) {
	n, _, err := readRootNode(data)
	return n, err
}

func readRootNode(data []byte) (*mdNode, bool, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	before := false
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return nil, before, xmlError("no root element")
		}
		if err != nil {
			return nil, before, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n, err := readMD(dec, t, data)
			return n, before, err
		case xml.ProcInst:
			before = before || t.Target != "xml"
		case xml.Comment, xml.Directive:
			before = true
		}
	}
}

// elementNS is the namespace URI of element n under scopes.
func (n *mdNode) elementNS(scopes [][]nsDecl) string {
	return lookupNS(append(scopes, n.decls), n.prefix)
}

// MetadataElement returns the first element of the printed <metadata> md
// in namespace uri, with that namespace taken off it as
// virXMLExtractNamespaceXML does: its elements and attributes in uri lose
// their prefix, the root its first declaration of uri. false means there
// is none.
func MetadataElement(md, uri string) (string, bool, error) {
	if md == "" {
		return "", false, nil
	}
	root, err := parseMetadataText(md)
	if err != nil {
		return "", false, err
	}
	outer := [][]nsDecl{root.decls}
	for _, k := range root.kids {
		if k.kind != 'e' || k.elementNS(outer) != uri {
			continue
		}
		k.dropNS(outer, uri)
		for i, d := range k.decls {
			if d.uri == uri {
				k.decls = append(k.decls[:i:i], k.decls[i+1:]...)
				break
			}
		}
		var b strings.Builder
		k.dump(&b, 0, true, true)
		return b.String(), true, nil
	}
	return "", false, nil
}

// dropNS takes namespace uri off n's elements and attributes.
func (n *mdNode) dropNS(scopes [][]nsDecl, uri string) {
	if n.kind != 'e' {
		return
	}
	inner := append(scopes, n.decls)
	if n.prefix != "" && lookupNS(inner, n.prefix) == uri {
		n.prefix = ""
	}
	for i, a := range n.attrs {
		if a.Name.Space != "" && lookupNS(inner, a.Name.Space) == uri {
			n.attrs[i].Name.Space = ""
		}
	}
	for _, k := range n.kids {
		k.dropNS(inner, uri)
	}
}

// SetMetadataElement is virDomainDefSetMetadata for an element: the
// elements of the printed <metadata> md in namespace uri are removed and,
// unless doc is "", doc's root element is added with every element of it
// in no namespace put in uri under prefix key. It returns the new printed
// <metadata>; "" stays "" when nothing is added.
func SetMetadataElement(md, doc, key, uri string) (string, error) {
	var add *mdNode
	if doc != "" {
		if _, _, err := checkSyntax([]byte(doc), "(metadata_xml)"); err != nil {
			return "", err
		}
		n, before, err := readRootNode([]byte(doc))
		if err != nil {
			return "", xmlError("%s", err.Error())
		}
		if !validNCName(key) {
			return "", virerr.New(virerr.ErrInternalError, virerr.FromNone, "failed to validate prefix for a new XML namespace")
		}
		for _, d := range n.decls {
			before = before || d.prefix == key
		}
		if before {
			return "", virerr.New(virerr.ErrInternalError, virerr.FromNone, "failed to create a new XML namespace")
		}
		n.decls = append(n.decls, nsDecl{key, uri})
		n.injectNS(nil, key)
		add = n
	}
	if md == "" && add == nil {
		return "", nil
	}
	root, err := parseMetadataText(md)
	if err != nil {
		return "", err
	}
	outer := [][]nsDecl{root.decls}
	kept := root.kids[:0]
	for _, k := range root.kids {
		if k.kind == 'e' && k.elementNS(outer) == uri {
			continue
		}
		kept = append(kept, k)
	}
	root.kids = kept
	if add != nil {
		root.kids = append(root.kids, add)
	}
	var b strings.Builder
	root.dump(&b, 1, true, true)
	return b.String(), nil
}

// injectNS puts every element of n in no namespace under prefix key
// (whose declaration n's root carries).
func (n *mdNode) injectNS(scopes [][]nsDecl, key string) {
	if n.kind != 'e' {
		return
	}
	inner := append(scopes, n.decls)
	if lookupNS(inner, n.prefix) == "" && (n.prefix == "" || !declared(inner, n.prefix)) {
		n.prefix = key
	}
	for _, k := range n.kids {
		k.injectNS(inner, key)
	}
}

// validNCName is xmlValidateNCName: a name without colons.
func validNCName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= 0xC0
		if i == 0 && !letter {
			return false
		}
		if !letter && !(r >= '0' && r <= '9') && r != '.' && r != '-' && r != 0xB7 {
			return false
		}
	}
	return true
}
