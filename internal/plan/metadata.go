package plan

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

// MetadataNS is virtlxc's own namespace inside a domain's <metadata>, for
// settings libvirt has no element for. libvirt keeps one top-level
// element per namespace, so they all live in <virtlxc:security>:
//
//	<metadata>
//	  <virtlxc:security xmlns:virtlxc='https://virtlxc.dev/xmlns/1.0'>
//	    <virtlxc:seccomp state='off'/>
//	    <virtlxc:pids max='512'/>
//	  </virtlxc:security>
//	</metadata>
const MetadataNS = "https://virtlxc.dev/xmlns/1.0"

// Security is what <virtlxc:security> selects.
type Security struct {
	// Seccomp is true unless <virtlxc:seccomp state='off'/>: the default
	// seccomp filter is on.
	Seccomp bool
	// PidsMax is <virtlxc:pids max='N'/>: at most N tasks (processes and
	// threads, the controller's included) in the container's cgroup, the
	// bound on a fork bomb; 0 means no limit (libvirt's LXC driver sets
	// none).
	PidsMax int64
}

// securityXML is <virtlxc:security>; encoding/xml matches the namespace URI,
// whatever prefix the document used.
type securityXML struct {
	Seccomp *struct {
		State string `xml:"state,attr"`
	} `xml:"https://virtlxc.dev/xmlns/1.0 seccomp"`
	Pids *struct {
		Max string `xml:"max,attr"`
	} `xml:"https://virtlxc.dev/xmlns/1.0 pids"`
}

// SecurityFromMetadata reads <virtlxc:security> from d's metadata (kept by
// domainxml as the printed <metadata> element). Missing metadata, element
// or attribute mean the defaults; an unknown state is an XML error.
func SecurityFromMetadata(d *domainxml.Domain) (Security, error) {
	sec := Security{Seccomp: true}
	if d.Metadata == nil || strings.TrimSpace(d.Metadata.XML) == "" {
		return sec, nil
	}
	var x securityXML
	found, err := findElement(d.Metadata.XML, "security", &x)
	if err != nil {
		return sec, virerr.New(virerr.ErrXMLError, virerr.FromDomain, "invalid virtlxc metadata: %s", err)
	}
	if !found {
		return sec, nil
	}
	if x.Seccomp != nil {
		switch x.Seccomp.State {
		case "", "on":
		case "off":
			sec.Seccomp = false
		default:
			return sec, virerr.New(virerr.ErrXMLError, virerr.FromDomain,
				"invalid virtlxc seccomp state '%s', expected 'on' or 'off'", x.Seccomp.State)
		}
	}
	if x.Pids != nil {
		n, err := strconv.ParseInt(strings.TrimSpace(x.Pids.Max), 10, 64)
		if err != nil || n <= 0 {
			return sec, virerr.New(virerr.ErrXMLError, virerr.FromDomain,
				"invalid virtlxc pids max '%s', expected a positive integer", x.Pids.Max)
		}
		sec.PidsMax = n
	}
	return sec, nil
}

// findElement decodes the first element named local in MetadataNS inside
// the <metadata> element md into v, and reports whether there was one.
func findElement(md, local string, v any) (bool, error) {
	dec := xml.NewDecoder(strings.NewReader(md))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("parsing metadata: %w", err)
		}
		st, ok := tok.(xml.StartElement)
		if !ok || st.Name.Space != MetadataNS || st.Name.Local != local {
			continue
		}
		if err := dec.DecodeElement(v, &st); err != nil {
			return false, fmt.Errorf("parsing virtlxc:%s: %w", local, err)
		}
		return true, nil
	}
}

// planSecurity applies <virtlxc:security> to the spec (the pids limit is
// the controller's, for the cgroup; a bad one fails here, at start).
func planSecurity(d *domainxml.Domain, c *spec.Container) error {
	sec, err := SecurityFromMetadata(d)
	if err != nil {
		return err
	}
	c.Seccomp = sec.Seccomp
	return nil
}
