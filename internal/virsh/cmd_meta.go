package virsh

import (
	"os"
	"strings"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/virerr"
)

// Metadata kinds (virDomainMetadataType) and the inactive-XML query flag
// virsh's desc passes to GetMetadata.
const (
	metaDescription = 0
	metaTitle       = 1
	metaElement     = 2
	xmlInactiveFlag = 2
)

func optsLiveConfigCurrent(verb string) []OptDef {
	return []OptDef{
		optBool("live", verb+" running state"),
		optBool("config", verb+" persistent configuration"),
		optBool("current", verb+" current state configuration"),
	}
}

// metaFlags checks --live/--config/--current as VSH_EXCLUSIVE_OPTIONS_VAR.
func metaFlags(pc *ParsedCmd) (uint32, error) {
	for _, pair := range [][2]string{{"current", "live"}, {"current", "config"}} {
		if err := pc.Exclusive(pair[0], pair[1]); err != nil {
			return 0, err
		}
	}
	var flags uint32
	if pc.Bool("config") {
		flags |= 2
	}
	if pc.Bool("live") {
		flags |= 1
	}
	return flags, nil
}

func opt1(s *string) libvirt.OptString {
	if s == nil {
		return nil
	}
	return libvirt.OptString{*s}
}

func (c *Conn) getMetadata(dom libvirt.Domain, typ int32, uri *string, flags uint32) (string, error) {
	var ret libvirt.DomainGetMetadataRet
	err := c.call(proto.ProcDomainGetMetadata, &libvirt.DomainGetMetadataArgs{Dom: dom, Type: typ, Uri: opt1(uri), Flags: libvirt.DomainModificationImpact(flags)}, &ret)
	return ret.Metadata, err
}

func (c *Conn) setMetadata(dom libvirt.Domain, typ int32, md, key, uri *string, flags uint32) error {
	return c.call(proto.ProcDomainSetMetadata, &libvirt.DomainSetMetadataArgs{Dom: dom, Type: typ,
		Metadata: opt1(md), Key: opt1(key), Uri: opt1(uri), Flags: libvirt.DomainModificationImpact(flags)}, nil)
}

func cmdDesc() *CmdDef {
	return &CmdDef{
		Name: "desc", Group: "domain",
		Help: "show or set domain's description or title",
		Desc: "Allows setting or modifying the description or title of a domain.",
		Opts: append(append([]OptDef{optDomainFull()}, optsLiveConfigCurrent("modify/get")...),
			optBool("title", "modify/get the title instead of description"),
			optBool("edit", "open an editor to modify the description"),
			OptDef{Name: "new-desc", Type: OptArgv, Help: "message"}),
		Run: runDesc,
	}
}

func runDesc(s *Session, pc *ParsedCmd) error {
	flags, err := metaFlags(pc)
	if err != nil {
		return err
	}
	var query uint32
	if pc.Bool("config") {
		query = xmlInactiveFlag
	}
	dom, err := s.domainArg(pc, byAny)
	if err != nil {
		return err
	}
	title := pc.Bool("title")
	typ, what := int32(metaDescription), "description"
	if title {
		typ, what = metaTitle, "title"
	}
	words := pc.Argv("new-desc")
	arg := strings.Join(words, " ")
	cur, err := s.conn.getMetadata(dom, typ, nil, query)
	if libvirtCode(err) == virerr.ErrNoDomainMetadata {
		cur, err = "", nil
	}
	if err != nil {
		return err
	}
	if !pc.Bool("edit") && len(words) == 0 {
		if cur != "" {
			s.print(cur)
		} else if title {
			s.printExtra("No title for domain: %s", dom.Name)
		} else {
			s.printExtra("No description for domain: %s", dom.Name)
		}
		return nil
	}
	if len(words) == 0 {
		arg = cur
	}
	next := arg
	if pc.Bool("edit") {
		tmp, err := writeEditFile(s, arg)
		if err != nil {
			return err
		}
		defer os.Remove(tmp)
		if err := runEditor(s, tmp); err != nil {
			return err
		}
		edited, err := readBack(tmp)
		if err != nil {
			return err
		}
		if title {
			edited = strings.TrimSuffix(edited, "\n")
		}
		if edited == cur {
			s.printExtra("Domain %s not changed\n", what)
			return nil
		}
		next = edited
	}
	if err := s.conn.setMetadata(dom, typ, &next, nil, nil, flags); err != nil {
		return failed(err, "Failed to set new domain %s", what)
	}
	s.printExtra("Domain %s updated successfully", what)
	return nil
}

func cmdMetadata() *CmdDef {
	return &CmdDef{
		Name: "metadata", Group: "domain",
		Help: "show or set domain's custom XML metadata",
		Desc: "Shows or modifies the XML metadata of a domain.",
		Opts: append(append([]OptDef{optDomainFull(),
			{Name: "uri", Type: OptData, Required: true, Help: "URI of the namespace"}},
			optsLiveConfigCurrent("modify/get")...),
			optBool("edit", "use an editor to change the metadata"),
			OptDef{Name: "key", Type: OptString, NamedOnly: true, Help: "key to be used as a namespace identifier"},
			OptDef{Name: "set", Type: OptString, NamedOnly: true, Help: "new metadata to set"},
			optBool("remove", "remove the metadata corresponding to an uri")),
		Run: runMetadata,
	}
}

func runMetadata(s *Session, pc *ParsedCmd) error {
	flags, err := metaFlags(pc)
	if err != nil {
		return err
	}
	for _, pair := range [][2]string{{"edit", "set"}, {"remove", "set"}, {"remove", "edit"}} {
		if err := pc.Exclusive(pair[0], pair[1]); err != nil {
			return err
		}
	}
	dom, err := s.domainArg(pc, byAny)
	if err != nil {
		return err
	}
	uri, _, err := pc.String("uri")
	if err != nil {
		return err
	}
	key, hasKey, err := pc.String("key")
	if err != nil {
		return err
	}
	set, hasSet, err := pc.String("set")
	if err != nil {
		return err
	}
	edit, remove := pc.Bool("edit"), pc.Bool("remove")
	if (hasSet || edit) && !hasKey {
		return cmdErrorf("namespace key is required when modifying metadata")
	}
	var keyp *string
	if hasKey {
		keyp = &key
	}
	switch {
	case hasSet || remove:
		var md *string
		if hasSet {
			md = &set
		}
		if err := s.conn.setMetadata(dom, metaElement, md, keyp, &uri, flags); err != nil {
			return err
		}
		if remove {
			s.printExtra("Metadata removed\n")
		} else {
			s.printExtra("Metadata modified\n")
		}
	case edit:
		e := &editor{
			get: func() (string, error) {
				md, err := s.conn.getMetadata(dom, metaElement, &uri, flags)
				if err != nil {
					return "\n", nil
				}
				return md, nil
			},
			define: func(doc string) (string, error) {
				return "", s.conn.setMetadata(dom, metaElement, &doc, keyp, &uri, flags)
			},
			notChanged: "Metadata not changed%.0s",
			edited:     "Metadata modified\n%.0s",
		}
		return e.run(s)
	default:
		md, err := s.conn.getMetadata(dom, metaElement, &uri, flags)
		if err != nil {
			return err
		}
		s.printf("%s\n", md)
	}
	return nil
}
