// Package domainxml parses, checks, fills defaults in and formats libvirt
// domain XML for type='lxc', the way libvirt 9.0's domain parser and LXC
// driver callbacks do. It is the only package that imports libvirtxml; the
// rest of virtlxc sees the model through the Domain alias.
package domainxml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"log/slog"
	"runtime"
	"strconv"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/virerr"
)

// Domain is a parsed domain definition (libvirtxml's model).
type Domain = libvirtxml.Domain

// DefaultEmulator is libvirt's controller path in the upstream build; a
// definition naming it means "virtlxc's own controller".
const DefaultEmulator = "/usr/libexec/libvirt_lxc"

// Options controls parsing.
type Options struct {
	// Validate rejects every element and attribute the model does not know
	// (VIR_DOMAIN_DEFINE_VALIDATE, virsh define --validate). Without it they
	// are dropped and logged, as libvirt does.
	Validate bool
	// Emulator fills a missing <emulator>; empty means DefaultEmulator.
	Emulator string
	// HostArch fills a missing <type arch>; empty means this machine's.
	HostArch string
	// Live keeps live-only state (id, target dev names with reserved
	// prefixes), as when a status file is read back.
	Live bool
	// Label names the document in syntax errors; empty means
	// "domain_definition" as libvirt prints for XML given as a string.
	Label string
	// Logger receives the notes about dropped elements; nil discards them.
	Logger *slog.Logger
}

// Parse reads a domain definition, checks it as libvirt's parser and LXC
// callbacks do and fills libvirt's defaults. Errors are *virerr.Error with
// libvirt's codes and messages.
func Parse(data []byte, opts Options) (*Domain, error) {
	label := opts.Label
	if label == "" {
		label = "domain_definition"
	}
	rootName, err := checkSyntax(data, label)
	if err != nil {
		return nil, err
	}
	if rootName != "domain" {
		return nil, xmlError("unexpected root element <%s>, expecting <domain>", rootName)
	}
	in, err := buildTree(data)
	if err != nil {
		return nil, xmlError("%s", err.Error())
	}
	d := &Domain{}
	if err := xml.Unmarshal(data, d); err != nil {
		return nil, unmarshalError(err)
	}
	fixCapabilityNames(in, d)
	if d.Metadata != nil {
		clean, err := sanitizeMetadata(d.Metadata.XML)
		if err != nil {
			return nil, xmlError("%s", err.Error())
		}
		d.Metadata.XML = clean
	}
	if err := checkDropped(in, d, opts); err != nil {
		return nil, err
	}
	if !opts.Live {
		d.ID = nil
	}
	if err := postParse(d, opts); err != nil {
		return nil, err
	}
	if err := checkReadBack(d); err != nil {
		return nil, err
	}
	return d, nil
}

// checkReadBack refuses a definition whose formatted form would not parse
// again: libvirtxml reads some incomplete elements leniently (a <hostdev>
// without mode) that it then cannot read back, and a config that cannot be
// read back must never be written.
func checkReadBack(d *Domain) error {
	out, err := Format(d)
	if err != nil {
		return err
	}
	var again Domain
	if err := xml.Unmarshal(out, &again); err != nil {
		return unmarshalError(err)
	}
	return nil
}

// checkDropped finds what the model lost: an error under Validate, a log
// line otherwise.
func checkDropped(in *node, d *Domain, opts Options) error {
	out, err := marshalTree(d)
	if err != nil {
		return err
	}
	items := droppedItems(in, out)
	if len(items) == 0 {
		return nil
	}
	if opts.Validate {
		var lines []string
		for _, it := range items {
			lines = append(lines, "Unknown "+it.String()+" at "+it.Path)
		}
		return virerr.New(virerr.ErrXMLInvalidSchema, virerr.FromXML,
			"Unable to validate doc against the LXC domain schema\n%s", strings.Join(lines, "\n"))
	}
	if opts.Logger != nil {
		for _, it := range items {
			opts.Logger.Warn("ignoring unknown XML "+it.String(), "domain", d.Name, "path", it.Path)
		}
	}
	return nil
}

// marshalTree formats d with encoding/xml and reads it back as a tree with
// libvirt's element names.
func marshalTree(d *Domain) (*node, error) {
	raw, err := xml.Marshal(d)
	if err != nil {
		return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromDomain, "formatting domain XML: %s", err)
	}
	t, err := buildTree(raw)
	if err != nil {
		return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromDomain, "%s", err)
	}
	renameElements(t)
	return t, nil
}

// renameElements mends element names libvirtxml spells differently from
// libvirt (its DACReadSearch field is tagged "dac_read_Search").
func renameElements(n *node) {
	if n.name.Local == "dac_read_Search" {
		n.name.Local = "dac_read_search"
	}
	for _, c := range n.children {
		renameElements(c)
	}
}

// fixCapabilityNames reads <dac_read_search> from the input tree, which
// libvirtxml misses because of its misspelt tag.
func fixCapabilityNames(in *node, d *Domain) {
	if d.Features == nil || d.Features.Capabilities == nil {
		return
	}
	for _, f := range in.children {
		if f.name.Local != "features" {
			continue
		}
		for _, c := range f.children {
			if c.name.Local != "capabilities" {
				continue
			}
			for _, cap := range c.children {
				if cap.name.Local == "dac_read_search" {
					st := &libvirtxml.DomainFeatureCapability{}
					for _, a := range cap.attrs {
						if a.Name.Local == "state" {
							st.State = a.Value
						}
					}
					d.Features.Capabilities.DACReadSearch = st
				}
			}
		}
	}
}

// unmarshalError words encoding/xml's conversion errors as libvirt's parser
// words its own.
func unmarshalError(err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		return xmlError("Invalid value '%s': expected a non-negative integer", ne.Num)
	}
	return xmlError("%s", err.Error())
}

func xmlError(format string, args ...any) error {
	return virerr.New(virerr.ErrXMLError, virerr.FromDomain, format, args...)
}

// Format prints d exactly as libvirt's virDomainDefFormat does.
func Format(d *Domain) ([]byte, error) {
	meta := ""
	cp := *d
	if d.Metadata != nil {
		m, err := formatMetadata(d.Metadata.XML)
		if err != nil {
			return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromDomain, "%s", err)
		}
		meta = m
		cp.Metadata = &libvirtxml.DomainMetadata{}
	}
	raw, err := xml.Marshal(&cp)
	if err != nil {
		return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromDomain, "formatting domain XML: %s", err)
	}
	tree, err := buildTree(raw)
	if err != nil {
		return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromDomain, "%s", err)
	}
	renameElements(tree)
	if meta != "" {
		for _, c := range tree.children {
			if c.name.Local == "metadata" && c.name.Space == "" {
				c.raw = meta
			}
		}
	}
	var b bytes.Buffer
	writeNode(&b, tree, 0, "")
	return b.Bytes(), nil
}

// hostArch is libvirt's name for this machine's architecture.
func hostArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64"
	case "386":
		return "i686"
	case "arm64":
		return "aarch64"
	case "ppc64le":
		return "ppc64le"
	case "s390x":
		return "s390x"
	case "riscv64":
		return "riscv64"
	}
	return runtime.GOARCH
}
