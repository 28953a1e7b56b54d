package network

import (
	"encoding/xml"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/virerr"
)

// virNetworkUpdate (virsh net-update): one section of a network changed
// in its live definition, its persistent one or both. The semantics and
// messages are libvirt 9.0's (virNetworkObjUpdate,
// virNetworkDefUpdateSection, networkUpdate).

// Update commands (virNetworkUpdateCommand).
const (
	UpdateModify   = 1
	UpdateDelete   = 2
	UpdateAddLast  = 3
	UpdateAddFirst = 4
)

// Update sections (virNetworkUpdateSection).
const (
	SectionBridge           = 1
	SectionDomain           = 2
	SectionIP               = 3
	SectionIPDHCPHost       = 4
	SectionIPDHCPRange      = 5
	SectionForward          = 6
	SectionForwardInterface = 7
	SectionForwardPF        = 8
	SectionPortGroup        = 9
	SectionDNSHost          = 10
	SectionDNSTXT           = 11
	SectionDNSSRV           = 12
)

// Update flags (virNetworkUpdateFlags); 0 is "current": the live
// definition of an active network, else the persistent one.
const (
	UpdateAffectLive   = 1
	UpdateAffectConfig = 2
)

// sectionNames are the sections as libvirt's messages name them.
var sectionNames = map[uint32]string{SectionBridge: "bridge", SectionDomain: "domain", SectionIP: "ip",
	SectionForward: "forward", SectionForwardPF: "forward-pf", SectionPortGroup: "portgroup"}

// Update applies command to section of network name's definitions as
// flags say, then does what the change needs while the network runs:
// dnsmasq's hosts files reread (static hosts, DNS hosts) or dnsmasq
// restarted (ranges, TXT and SRV records, which are in its
// configuration), the firewall rules applied again.
func (r *Registry) Update(name string, command, section uint32, parentIndex int, doc string, flags uint32) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.get(name)
	if err != nil {
		return err
	}
	active := o.live != nil
	if flags&(UpdateAffectLive|UpdateAffectConfig) == 0 {
		if active {
			flags |= UpdateAffectLive
		} else {
			flags |= UpdateAffectConfig
		}
	}
	if !active && flags&UpdateAffectLive != 0 {
		return invalid("network is not running")
	}
	if flags&UpdateAffectConfig != 0 && !o.persistent {
		return invalid("cannot change persistent config of a transient network")
	}
	var live, cfg *libvirtxml.Network
	if flags&UpdateAffectLive != 0 {
		if live, err = r.updated(o.live, o.devConns(), command, section, parentIndex, doc); err != nil {
			return err
		}
	}
	if flags&UpdateAffectConfig != 0 {
		if cfg, err = r.updated(o.def, nil, command, section, parentIndex, doc); err != nil {
			return err
		}
		out, err := Format(cfg)
		if err != nil {
			return err
		}
		if err := r.store.Save(name, out); err != nil {
			return virerr.Wrap(err, virerr.ErrOperationFailed, virerr.FromNetwork,
				"cannot save config of network '%s': %s", name, err)
		}
		o.def = cfg
	}
	if live == nil {
		return nil
	}
	old := o.live
	o.live = live
	if !o.persistent {
		o.def = live
	}
	if err := r.applyLive(old, live, section); err != nil {
		return err
	}
	return r.saveState(live)
}

// updated returns a copy of n with the change made and checked again as
// a whole (libvirt's format/parse cycle). devConns are the live
// definition's port counts (a pool device in use cannot go).
func (r *Registry) updated(n *libvirtxml.Network, devConns map[string]int, command, section uint32, parentIndex int, doc string) (*libvirtxml.Network, error) {
	c, err := clone(n)
	if err != nil {
		return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromNetwork, "%s", err)
	}
	el, err := updateElement(doc)
	if err != nil {
		return nil, err
	}
	if err := updateSection(c, command, section, parentIndex, el, devConns); err != nil {
		return nil, err
	}
	if err := check(c); err != nil {
		return nil, err
	}
	return c, nil
}

// element is the XML snippet of an update: its element name and its text.
type element struct {
	name string
	raw  []byte
}

// updateElement reads the snippet's root element name.
func updateElement(doc string) (element, error) {
	dec := xml.NewDecoder(strings.NewReader(doc))
	for {
		tok, err := dec.Token()
		if err != nil {
			return element{}, virerr.Wrap(err, virerr.ErrXMLError, virerr.FromNetwork, "(network_update_xml): %s", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			return element{name: se.Name.Local, raw: []byte(doc)}, nil
		}
	}
}

// decode reads the snippet as section want into v.
func (e element) decode(netName, want string, v any) error {
	if e.name != want {
		return xmlErr("unexpected element <%s>, expecting <%s>, while updating network '%s'", e.name, want, netName)
	}
	if err := xml.Unmarshal(e.raw, v); err != nil {
		return virerr.Wrap(err, virerr.ErrXMLError, virerr.FromNetwork, "%s", err)
	}
	return nil
}

// updateSection is virNetworkDefUpdateSection on n.
func updateSection(n *libvirtxml.Network, command, section uint32, parentIndex int, el element, devConns map[string]int) error {
	switch section {
	case SectionIPDHCPHost:
		return updateDHCPHost(n, command, parentIndex, el)
	case SectionIPDHCPRange:
		return updateDHCPRange(n, command, parentIndex, el)
	case SectionForwardInterface:
		return updateForwardInterface(n, command, el, devConns)
	case SectionDNSHost:
		return updateDNSHost(n, command, el)
	case SectionDNSTXT:
		return updateDNSTXT(n, command, el)
	case SectionDNSSRV:
		return updateDNSSRV(n, command, el)
	}
	if s, ok := sectionNames[section]; ok {
		return virerr.New(virerr.ErrOperationUnsupported, virerr.FromNetwork,
			"can't update '%s' section of network '%s'", s, n.Name)
	}
	return virerr.New(virerr.ErrOperationUnsupported, virerr.FromNetwork, "can't update unrecognized section of network")
}

// unknownCommand is libvirt's error for a command code it does not know.
func unknownCommand(command uint32) error {
	return virerr.New(virerr.ErrOperationUnsupported, virerr.FromNetwork, "unrecognized network update command code %d", command)
}

// isAdd reports whether command adds an entry.
func isAdd(command uint32) bool { return command == UpdateAddFirst || command == UpdateAddLast }

// insert adds v to list at the front (add-first) or the end.
func insert[T any](list []T, v T, command uint32) []T {
	if command == UpdateAddFirst {
		return append([]T{v}, list...)
	}
	return append(list, v)
}

// editList adds v to list (add-first, add-last) or deletes its entry idx,
// as libvirt's updates of lists do: an add refuses an entry that matches
// (found > 0: dup), a delete needs one that does (missing) and, where
// several can, only one (multiple, nil where at most one can match).
func editList[T any](list []T, v T, command uint32, found, idx int, dup, missing, multiple error) ([]T, error) {
	switch {
	case isAdd(command):
		if found > 0 {
			return nil, dup
		}
		return insert(list, v, command), nil
	case command == UpdateDelete:
		if found == 0 {
			return nil, missing
		}
		if found > 1 && multiple != nil {
			return nil, multiple
		}
		return append(list[:idx:idx], list[idx+1:]...), nil
	}
	return nil, unknownCommand(command)
}

// applyLive does what a changed section of a running network needs
// (networkUpdate's second half); old is the definition before.
func (r *Registry) applyLive(old, live *libvirtxml.Network, section uint32) error {
	if !managesBridge(live) {
		return nil
	}
	switch section {
	case SectionIP, SectionIPDHCPRange, SectionIPDHCPHost, SectionForward, SectionForwardInterface:
		if Mode(live) == "" || Mode(live) == "nat" || Mode(live) == "route" {
			if err := r.services.ApplyFirewall(firewallOf(live)); err != nil {
				return virerr.Wrap(err, virerr.ErrInternalError, virerr.FromNetwork, "network '%s': %s", live.Name, err)
			}
		}
	}
	c, needed, err := dnsmasqOf(live)
	if err != nil {
		return err
	}
	restart := func() error {
		if !needed {
			return r.services.StopDnsmasq(r.files(live))
		}
		return r.services.RestartDnsmasq(c, r.files(live))
	}
	fail := func(e error) error {
		if e == nil {
			return nil
		}
		return virerr.Wrap(e, virerr.ErrInternalError, virerr.FromNetwork, "network '%s': %s", live.Name, e)
	}
	switch section {
	case SectionIPDHCPRange, SectionDNSTXT, SectionDNSSRV:
		return fail(restart())
	case SectionIPDHCPHost:
		if dhcpActive(old) != dhcpActive(live) {
			return fail(restart())
		}
		return fail(r.services.RefreshDnsmasq(c, r.files(live)))
	case SectionDNSHost:
		return fail(r.services.RefreshDnsmasq(c, r.files(live)))
	}
	return nil
}

// dhcpActive reports whether n serves DHCP on IPv4 (an address with
// ranges, hosts or a TFTP root), networkUpdate's test for a restart.
func dhcpActive(n *libvirtxml.Network) bool {
	for _, ip := range n.IPs {
		if strings.Contains(ip.Address, ":") {
			continue
		}
		if ip.TFTP != nil || ip.DHCP != nil && (len(ip.DHCP.Ranges) > 0 || len(ip.DHCP.Hosts) > 0) {
			return true
		}
	}
	return false
}
