package plan

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

// MetadataNS is virtlxc's own namespace inside a domain's <metadata>, for
// settings libvirt has no element for:
//
//	<metadata>
//	  <virtlxc:security xmlns:virtlxc='https://virtlxc.dev/xmlns/1.0'>
//	    <virtlxc:seccomp state='off'/>
//	  </virtlxc:security>
//	</metadata>
const MetadataNS = "https://virtlxc.dev/xmlns/1.0"

// Security is what <virtlxc:security> selects.
type Security struct {
	// Seccomp is true unless <virtlxc:seccomp state='off'/>: the default
	// seccomp filter is on.
	Seccomp bool
}

// securityXML is <virtlxc:security>; encoding/xml matches the namespace URI,
// whatever prefix the document used.
type securityXML struct {
	Seccomp *struct {
		State string `xml:"state,attr"`
	} `xml:"https://virtlxc.dev/xmlns/1.0 seccomp"`
}

// SecurityFromMetadata reads <virtlxc:security> from d's metadata (kept by
// domainxml as the printed <metadata> element). Missing metadata, element
// or attribute mean the defaults; an unknown state is an XML error.
func SecurityFromMetadata(d *domainxml.Domain) (Security, error) {
	sec := Security{Seccomp: true}
	if d.Metadata == nil || strings.TrimSpace(d.Metadata.XML) == "" {
		return sec, nil
	}
	x, err := findSecurity(d.Metadata.XML)
	if err != nil {
		return sec, virerr.New(virerr.ErrXMLError, virerr.FromDomain, "invalid virtlxc metadata: %s", err)
	}
	if x == nil || x.Seccomp == nil {
		return sec, nil
	}
	switch x.Seccomp.State {
	case "", "on":
	case "off":
		sec.Seccomp = false
	default:
		return sec, virerr.New(virerr.ErrXMLError, virerr.FromDomain,
			"invalid virtlxc seccomp state '%s', expected 'on' or 'off'", x.Seccomp.State)
	}
	return sec, nil
}

// findSecurity returns the first <security> element in MetadataNS inside
// the <metadata> element md, or nil.
func findSecurity(md string) (*securityXML, error) {
	dec := xml.NewDecoder(strings.NewReader(md))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parsing metadata: %w", err)
		}
		st, ok := tok.(xml.StartElement)
		if !ok || st.Name.Space != MetadataNS || st.Name.Local != "security" {
			continue
		}
		var x securityXML
		if err := dec.DecodeElement(&x, &st); err != nil {
			return nil, fmt.Errorf("parsing virtlxc:security: %w", err)
		}
		return &x, nil
	}
}

// planSecurity applies <virtlxc:security> to the spec.
func planSecurity(d *domainxml.Domain, c *spec.Container) error {
	sec, err := SecurityFromMetadata(d)
	if err != nil {
		return err
	}
	c.Seccomp = sec.Seccomp
	return nil
}
