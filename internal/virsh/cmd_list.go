package virsh

import (
	"encoding/xml"
	"sort"
	"strings"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
)

// CONNECT_LIST_ALL_DOMAINS filter flags (virConnectListAllDomainsFlags).
const (
	listActive        = 1
	listInactive      = 2
	listPersistent    = 4
	listTransient     = 8
	listRunning       = 16
	listPaused        = 32
	listShutoff       = 64
	listOther         = 128
	listManagedSave   = 256
	listNoManagedSave = 512
	listAutostart     = 1024
	listNoAutostart   = 2048
	listHasSnapshot   = 4096
	listNoSnapshot    = 8192
	listHasCheckpoint = 16384
	listNoCheckpoint  = 32768
)

var listFilters = []struct {
	opt  string
	flag uint32
	help string
}{
	{"inactive", 0, "list inactive domains"},
	{"all", 0, "list inactive & active domains"},
	{"transient", listTransient, "list transient domains"},
	{"persistent", listPersistent, "list persistent domains"},
	{"with-snapshot", listHasSnapshot, "list domains with existing snapshot"},
	{"without-snapshot", listNoSnapshot, "list domains without a snapshot"},
	{"with-checkpoint", listHasCheckpoint, "list domains with existing checkpoint"},
	{"without-checkpoint", listNoCheckpoint, "list domains without a checkpoint"},
	{"state-running", listRunning, "list domains in running state"},
	{"state-paused", listPaused, "list domains in paused state"},
	{"state-shutoff", listShutoff, "list domains in shutoff state"},
	{"state-other", listOther, "list domains in other states"},
	{"autostart", listAutostart, "list domains with autostart enabled"},
	{"no-autostart", listNoAutostart, "list domains with autostart disabled"},
	{"with-managed-save", listManagedSave, "list domains with managed save state"},
	{"without-managed-save", listNoManagedSave, "list domains without managed save"},
}

func cmdList() *CmdDef {
	var opts []OptDef
	for _, f := range listFilters {
		opts = append(opts, optBool(f.opt, f.help))
	}
	opts = append(opts,
		optBool("uuid", "list uuid's only"),
		optBool("name", "list domain names only"),
		optBool("id", "list domain IDs only"),
		optBool("table", "list table (default)"),
		optBool("managed-save", "mark inactive domains with managed save state"),
		optBool("title", "show domain title"),
	)
	return &CmdDef{
		Name: "list", Group: "monitor",
		Help: "list domains",
		Desc: "Returns list of domains.",
		Opts: opts,
		Run:  runList,
	}
}

// listFlags computes CONNECT_LIST_ALL_DOMAINS's flags from the options.
func listFlags(pc *ParsedCmd) uint32 {
	flags := uint32(listActive)
	if pc.Bool("inactive") || pc.Bool("state-shutoff") {
		flags = listInactive
	}
	if pc.Bool("all") {
		flags = listInactive | listActive
	}
	for _, f := range listFilters {
		if f.flag != 0 && pc.Bool(f.opt) {
			flags |= f.flag
		}
	}
	return flags
}

// sortDomains orders domains as virsh's virshDomainSorter: running ones by
// id, then inactive ones by name, case-insensitively.
func sortDomains(doms []libvirt.Domain) {
	sort.SliceStable(doms, func(i, j int) bool {
		a, b := doms[i], doms[j]
		switch {
		case a.ID != -1 && b.ID != -1:
			return uint32(a.ID) < uint32(b.ID)
		case a.ID != -1:
			return true
		case b.ID != -1:
			return false
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	})
}

func (c *Conn) listAllDomains(flags uint32) ([]libvirt.Domain, error) {
	var ret libvirt.ConnectListAllDomainsRet
	err := c.call(proto.ProcConnectListAllDomains, &libvirt.ConnectListAllDomainsArgs{NeedResults: 1, Flags: libvirt.ConnectListAllDomainsFlags(flags)}, &ret)
	return ret.Domains, err
}

func runList(s *Session, pc *ParsedCmd) error {
	optUUID, optName, optID := pc.Bool("uuid"), pc.Bool("name"), pc.Bool("id")
	optTitle, optTable, managed := pc.Bool("title"), pc.Bool("table"), pc.Bool("managed-save")
	for _, o := range []string{"name", "uuid", "id"} {
		if err := pc.Exclusive("table", o); err != nil {
			return err
		}
	}
	if !optUUID && !optName && !optID {
		optTable = true
	}
	c := s.conn
	doms, err := c.listAllDomains(listFlags(pc))
	if err != nil {
		return failed(err, "Failed to list domains")
	}
	sortDomains(doms)
	var table *Table
	if optTable {
		cols := []string{"Id", "Name", "State"}
		if optTitle {
			cols = append(cols, "Title")
		}
		table = NewTable(cols...)
	}
	for _, dom := range doms {
		if !optTable {
			var parts []string
			if optUUID {
				parts = append(parts, formatUUID(dom.UUID))
			}
			if optID {
				if dom.ID == -1 && !optUUID && !optName {
					continue
				}
				parts = append(parts, idString(dom))
			}
			if optName {
				parts = append(parts, dom.Name)
			}
			s.print(strings.Join(parts, " ") + "\n")
			continue
		}
		state, _, err := c.domainState(dom)
		if err != nil {
			continue // removed meanwhile
		}
		stateStr := StateString(state)
		if managed && state == stateShutoff {
			var ms libvirt.DomainHasManagedSaveImageRet
			if c.call(proto.ProcDomainHasManagedSaveImage, &libvirt.DomainHasManagedSaveImageArgs{Dom: dom}, &ms) == nil && ms.Result > 0 {
				stateStr = "saved"
			}
		}
		row := []string{idString(dom), dom.Name, stateStr}
		if optTitle {
			title, err := c.domainTitle(dom)
			if err != nil {
				return err
			}
			row = append(row, title)
		}
		table.Add(row...)
	}
	if optTable {
		s.print(table.Render(!s.Quiet))
	}
	return nil
}

// errNoDomainMetadata is VIR_ERR_NO_DOMAIN_METADATA.
const errNoDomainMetadata = 80

// domainTitle is virsh's virshGetDomainDescription for the title:
// DOMAIN_GET_METADATA, falling back to the XML's <title>.
func (c *Conn) domainTitle(dom libvirt.Domain) (string, error) {
	var ret libvirt.DomainGetMetadataRet
	err := c.call(proto.ProcDomainGetMetadata, &libvirt.DomainGetMetadataArgs{Dom: dom, Type: metaTitle}, &ret)
	switch {
	case err == nil:
		return ret.Metadata, nil
	case libvirtCode(err) == errNoDomainMetadata:
		return "", nil
	case !isNoSupport(err):
		return "", err
	}
	doc, err := c.domainXML(dom, 0)
	if err != nil {
		return "", err
	}
	var v struct {
		Title string `xml:"title"`
	}
	if err := xml.Unmarshal([]byte(doc), &v); err != nil {
		return "", err
	}
	return v.Title, nil
}
