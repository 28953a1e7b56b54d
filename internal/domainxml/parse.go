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

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/virerr"
)

// Domain is a parsed domain definition (libvirtxml's model). One field
// differs from libvirtxml's meaning: Metadata.XML holds the whole
// <metadata> element as libvirt prints it (see metadata.go), not its inner
// XML.
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
	// HostArch fills a missing <type arch> and decides, with its 32-bit
	// alternative, which arches the capabilities offer; empty means this
	// machine's.
	HostArch string
	// NoDefaultArch leaves a missing <type arch> unset, as libvirt's
	// native-config import does (its definition never passes the XML
	// parser, which fills it).
	NoDefaultArch bool
	// Live keeps live-only state (id, target dev names with reserved
	// prefixes), as when a status file is read back.
	Live bool
	// Label names the document in syntax errors; empty means
	// "(domain_definition)" as libvirt prints for XML given as a string
	// (the daemon uses the file name when it reads a config file).
	Label string
	// SkipValidate skips the checks libvirt leaves to validation
	// (VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE), as libvirt does when it reads
	// back configs and status files at startup, so that a definition
	// accepted once does not vanish.
	SkipValidate bool
	// Logger receives the notes about dropped elements; nil discards them.
	Logger *slog.Logger
	// NoSecModel is a host that offers no security model (libvirt's test
	// capabilities); otherwise its model is "none", as virtlxcd's is, and
	// the one <seclabel> without a model takes it.
	NoSecModel bool
}

// Parse reads a domain definition, checks it as libvirt's parser and LXC
// callbacks do and fills libvirt's defaults. Errors are *virerr.Error with
// libvirt's codes, domains and messages.
func Parse(data []byte, opts Options) (*Domain, error) {
	label := opts.Label
	if label == "" {
		label = "(domain_definition)"
	}
	rootName, doc, err := checkSyntax(data, label)
	if err != nil {
		return nil, err
	}
	if rootName != "domain" {
		return nil, virerr.New(virerr.ErrXMLError, virerr.FromXML,
			"expecting root element of 'domain', not '%s'", rootName)
	}
	in, err := buildTree(doc)
	if err != nil {
		return nil, xmlError("%s", err.Error())
	}
	if opts.Validate {
		if err := validateSchema(in); err != nil {
			return nil, err
		}
	}
	p, err := parseDef(in, opts)
	if err != nil {
		return nil, err
	}
	normalizeInput(in, p)
	if !opts.Live {
		dropAliases(in)
	}
	d, err := readModel(in)
	if err != nil {
		return nil, err
	}
	if opts.Live {
		readDirectNetworks(in, d)
	}
	d.Metadata = nil
	if md, ok, err := extractMetadata(doc); err != nil {
		return nil, xmlError("%s", err.Error())
	} else if ok {
		d.Metadata = &libvirtxml.DomainMetadata{XML: md}
	}
	if !opts.Live {
		d.ID = nil
	}
	if err := postParse(d, p, opts); err != nil {
		return nil, err
	}
	if !opts.SkipValidate {
		if err := validateDef(d, p); err != nil {
			return nil, err
		}
	}
	logDropped(in, d, opts)
	if err := checkReadBack(d); err != nil {
		return nil, err
	}
	return d, nil
}

// readModel reads what libvirt's parser looks at into libvirtxml's model.
func readModel(in *node) (*Domain, error) {
	var b bytes.Buffer
	in.modelXML(&b, 0)
	d := &Domain{}
	if err := xml.Unmarshal(b.Bytes(), d); err != nil {
		return nil, unmarshalError(err)
	}
	fixCapabilityNames(in, d)
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

// logDropped notes what the model does not know and so drops, as libvirt
// silently ignores it.
func logDropped(in *node, d *Domain, opts Options) {
	if opts.Logger == nil {
		return
	}
	out, err := marshalTree(d)
	if err != nil {
		return
	}
	for _, it := range droppedItems(in, out) {
		opts.Logger.Warn("ignoring unknown XML "+it.String(), "domain", d.Name, "path", it.Path)
	}
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
	formatDirectNetworks(t, d)
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

// unmarshalError words what libvirtxml could not read. The values libvirt
// reads itself were checked before with libvirt's words; what is left are
// elements libvirt reads differently or not at all.
func unmarshalError(err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		return xmlError("Invalid value '%s': expected a number", ne.Num)
	}
	return xmlError("%s", err.Error())
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
