package driver

import (
	"fmt"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/virerr"
)

// Metadata kinds (virDomainMetadataType).
const (
	MetadataDescription = 0
	MetadataTitle       = 1
	MetadataElement     = 2
)

// invalidArg is virReportInvalidArg: VIR_ERR_INVALID_ARG, the message as
// given.
func invalidArg(format string, args ...any) error {
	return virerr.Raw(virerr.ErrInvalidArg, virerr.FromDomain, fmt.Sprintf(format, args...))
}

// checkMetadataArgs is virDomainSetMetadata's (and, set false,
// virDomainGetMetadata's) argument check.
func checkMetadataArgs(api string, typ int32, metadata, key, uri *string, set bool) error {
	switch typ {
	case MetadataTitle, MetadataDescription:
		if set && typ == MetadataTitle && metadata != nil && strings.Contains(*metadata, "\n") {
			return invalidArg("metadata title can't contain newlines")
		}
		if uri != nil {
			return invalidArg("uri in %s must be NULL", api)
		}
		if set && key != nil {
			return invalidArg("key in %s must be NULL", api)
		}
	case MetadataElement:
		if uri == nil {
			return invalidArg("uri in %s must not be NULL", api)
		}
		if set && metadata != nil && key == nil {
			return invalidArg("key in %s must not be NULL", api)
		}
	}
	return nil
}

// SetMetadata changes a domain's description, title or one namespace's
// element of its <metadata> (virDomainSetMetadata; metadata nil or ""
// removes it) in the live definition and/or the config, and emits
// METADATA_CHANGE.
func (d *Driver) SetMetadata(ref Ref, typ int32, metadata, key, uri *string, flags uint32) error {
	if err := checkMetadataArgs("virDomainSetMetadata", typ, metadata, key, uri, true); err != nil {
		return err
	}
	if err := CheckFlags(flags, AffectLive|AffectConfig, "lxcDomainSetMetadata"); err != nil {
		return err
	}
	dom, live, config, release, err := d.defsForJob(ref, flags)
	if err != nil {
		return err
	}
	defer release()
	if typ < MetadataDescription || typ > MetadataElement {
		return virerr.New(virerr.ErrInvalidArg, virerr.FromDomain, "unknown metadata type '%d'", typ)
	}
	text := ""
	if metadata != nil {
		text = *metadata
	}
	apply := func(def *domainxml.Domain) error {
		switch typ {
		case MetadataDescription:
			def.Description = text
		case MetadataTitle:
			def.Title = text
		default:
			cur := ""
			if def.Metadata != nil {
				cur = def.Metadata.XML
			}
			k := ""
			if key != nil {
				k = *key
			}
			md, err := domainxml.SetMetadataElement(cur, text, k, *uri)
			if err != nil {
				return err
			}
			def.Metadata = nil
			if md != "" {
				def.Metadata = &libvirtxml.DomainMetadata{XML: md}
			}
		}
		return nil
	}
	if live != nil {
		next := domainxml.Clone(live)
		if err := apply(next); err != nil {
			return err
		}
		*live = *next
		d.saveStatusLogged(dom)
	}
	if config != nil {
		cfg := domainxml.Clone(config)
		if err := apply(cfg); err != nil {
			return err
		}
		if err := d.commitConfig(dom, cfg); err != nil {
			return err
		}
	}
	ev := Event{Kind: EventMetadataChange, Domain: dom.ref(), MetadataType: typ}
	if uri != nil {
		ev.NSURI = *uri
		ev.HasNSURI = true
	}
	d.events.Emit(ev)
	return nil
}

// GetMetadata returns a domain's description, title or the element of
// its <metadata> in namespace uri (virDomainGetMetadata) from the live
// definition or the config.
func (d *Driver) GetMetadata(ref Ref, typ int32, uri *string, flags uint32) (string, error) {
	if err := checkMetadataArgs("virDomainGetMetadata", typ, nil, nil, uri, false); err != nil {
		return "", err
	}
	if err := CheckFlags(flags, AffectLive|AffectConfig, "virDomainObjGetMetadata"); err != nil {
		return "", err
	}
	if flags&(AffectLive|AffectConfig) == AffectLive|AffectConfig {
		return "", virerr.New(virerr.ErrInvalidArg, virerr.FromDomain,
			"Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive")
	}
	dom, live, config, err := d.lockedDefs(ref, flags)
	if err != nil {
		return "", err
	}
	defer dom.mu.Unlock()
	def := live
	if def == nil {
		def = config
	}
	if typ < MetadataDescription || typ > MetadataElement {
		return "", virerr.New(virerr.ErrInvalidArg, virerr.FromDomain, "unknown metadata type '%d'", typ)
	}
	var out string
	switch typ {
	case MetadataDescription:
		out = def.Description
	case MetadataTitle:
		out = def.Title
	default:
		if def.Metadata != nil {
			var err error
			if out, _, err = domainxml.MetadataElement(def.Metadata.XML, *uri); err != nil {
				return "", internalError(err, "metadata")
			}
		}
	}
	if out == "" {
		return "", virerr.New(virerr.ErrNoDomainMetadata, virerr.FromDomain, "Requested metadata element is not present")
	}
	return out, nil
}
