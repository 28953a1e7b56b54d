package network

import (
	"encoding/xml"
	"sort"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/virerr"
)

// The network port API (virsh net-port-list, net-port-dumpxml,
// net-port-delete): libvirt 9.0's networkListAllPorts,
// networkPortLookupByUUID, networkPortGetXMLDesc and networkPortDelete.

// Ports lists the ports of the active network name by UUID.
func (r *Registry) Ports(name string) ([]Port, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.getActive(name)
	if err != nil {
		return nil, err
	}
	out := make([]Port, 0, len(o.ports))
	for _, p := range o.ports {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UUID < out[j].UUID })
	return out, nil
}

// portOf finds port uuid of the active network name; the caller holds
// r.mu.
func (r *Registry) portOf(name, uuid string) (*object, Port, error) {
	o, err := r.getActive(name)
	if err != nil {
		return nil, Port{}, err
	}
	p, ok := o.ports[uuid]
	if !ok {
		return nil, Port{}, virerr.New(virerr.ErrNoNetworkPort, virerr.FromNetwork, "Network port with UUID %s does not exist", uuid)
	}
	return o, p, nil
}

// PortByUUID returns port uuid of the active network name.
func (r *Registry) PortByUUID(name, uuid string) (Port, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, p, err := r.portOf(name, uuid)
	return p, err
}

// DeletePort releases port uuid of the active network name; its owner's
// interface stays as it is, as with libvirt.
func (r *Registry) DeletePort(name, uuid string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, _, err := r.portOf(name, uuid)
	if err != nil {
		return err
	}
	delete(o.ports, uuid)
	return nil
}

// portDoc is a port as virNetworkPortDefFormatBuf prints it.
type portDoc struct {
	XMLName xml.Name `xml:"networkport"`
	UUID    string   `xml:"uuid"`
	Owner   struct {
		Name string `xml:"name"`
		UUID string `xml:"uuid"`
	} `xml:"owner"`
	Group string `xml:"group,omitempty"`
	MAC   struct {
		Address string `xml:"address,attr"`
	} `xml:"mac"`
	Bandwidth *libvirtxml.DomainInterfaceBandwidth `xml:"bandwidth"`
	VLAN      *libvirtxml.DomainInterfaceVLan      `xml:"vlan"`
	Port      *struct {
		Isolated string `xml:"isolated,attr"`
	} `xml:"port"`
	Plug struct {
		Type            string `xml:"type,attr"`
		Bridge          string `xml:"bridge,attr,omitempty"`
		MACTableManager string `xml:"macTableManager,attr,omitempty"`
		Dev             string `xml:"dev,attr,omitempty"`
		Mode            string `xml:"mode,attr,omitempty"`
	} `xml:"plug"`
}

// PortXML returns port uuid of the active network name in libvirt's
// format: its plug is 'network' on a bridge of libvirt's own, 'bridge' on
// a host bridge, 'direct' on a pool device.
func (r *Registry) PortXML(name, uuid string) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, p, err := r.portOf(name, uuid)
	if err != nil {
		return nil, err
	}
	d := portDoc{UUID: p.UUID, Group: p.Group, Bandwidth: p.Bandwidth, VLAN: p.VLAN}
	d.Owner.Name, d.Owner.UUID = p.Owner, p.OwnerUUID
	d.MAC.Address = p.MAC
	if p.Isolated {
		d.Port = &struct {
			Isolated string `xml:"isolated,attr"`
		}{Isolated: "yes"}
	}
	switch n := o.live; {
	case p.Dev != "":
		d.Plug.Type, d.Plug.Dev, d.Plug.Mode = "direct", p.Dev, p.Mode
	case managesBridge(n):
		d.Plug.Type, d.Plug.Bridge = "network", p.Bridge
	default:
		d.Plug.Type, d.Plug.Bridge = "bridge", p.Bridge
	}
	if n := o.live; n.Bridge != nil && p.Dev == "" {
		d.Plug.MACTableManager = n.Bridge.MACTableManager
	}
	raw, err := xml.Marshal(&d)
	if err != nil {
		return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromNetwork, "formatting network port XML: %s", err)
	}
	out, err := domainxml.Restyle(raw)
	if err != nil {
		return nil, virerr.Wrap(err, virerr.ErrInternalError, virerr.FromNetwork, "formatting network port XML: %s", err)
	}
	return out, nil
}

// PortCreateReclaim is VIR_NETWORK_PORT_CREATE_RECLAIM: the port document
// names where the port plugs in, as a running owner already uses it.
const PortCreateReclaim = 1

// CreatePort adds a port described by a networkport document to the
// active network name (libvirt's networkPortCreateXML): a new one, or
// with reclaim one its owner already uses (its plug given).
func (r *Registry) CreatePort(name, doc string, reclaim bool) (Port, error) {
	p, plug, err := parsePort(doc)
	if err != nil {
		return Port{}, err
	}
	if _, err := r.getActiveLocked(name); err != nil {
		return Port{}, err
	}
	switch {
	case plug == "" && reclaim:
		return Port{}, virerr.New(virerr.ErrInvalidArg, virerr.FromNetwork, "Port reclaim requested but plug type is none")
	case plug != "" && !reclaim:
		return Port{}, virerr.New(virerr.ErrInvalidArg, virerr.FromNetwork, "Port reclaim not requested but plug type is not none")
	case reclaim:
		return r.ReclaimPort(name, p)
	}
	return r.AllocatePort(name, p)
}

// getActiveLocked is getActive taking r.mu.
func (r *Registry) getActiveLocked(name string) (*object, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.getActive(name)
}

// parsePort reads a networkport document as virNetworkPortDefParseXML
// does; plug is its plug type ("" for none).
func parsePort(doc string) (Port, string, error) {
	var d portDoc
	if err := xml.Unmarshal([]byte(doc), &d); err != nil {
		return Port{}, "", virerr.Wrap(err, virerr.ErrXMLError, virerr.FromNetwork, "%s", err)
	}
	internal := func(format string, args ...any) (Port, string, error) {
		return Port{}, "", virerr.New(virerr.ErrInternalError, virerr.FromNetwork, format, args...)
	}
	uuid, ok := domainxml.ParseUUID(d.UUID)
	switch {
	case d.UUID == "":
		return internal("network port has no uuid")
	case !ok:
		return internal("Unable to parse UUID '%s'", d.UUID)
	case d.Owner.Name == "":
		return internal("network port has no owner name")
	case d.Owner.UUID == "":
		return internal("network port has no owner UUID")
	}
	owner, ok := domainxml.ParseUUID(d.Owner.UUID)
	if !ok {
		return internal("Unable to parse UUID '%s'", d.Owner.UUID)
	}
	if d.MAC.Address == "" {
		return internal("network port has no mac")
	}
	mac, ok := domainxml.ParseMAC(d.MAC.Address)
	if !ok {
		return internal("Unable to parse MAC '%s'", d.MAC.Address)
	}
	p := Port{UUID: uuid, Owner: d.Owner.Name, OwnerUUID: owner, Group: d.Group, MAC: mac, Bandwidth: d.Bandwidth, VLAN: d.VLAN}
	if d.Port != nil && d.Port.Isolated != "" {
		p.Isolated, p.IsolatedSet = d.Port.Isolated == "yes", true
	}
	switch d.Plug.Type {
	case "":
	case "network", "bridge":
		if d.Plug.Bridge == "" {
			return Port{}, "", xmlErr("Missing network port bridge name")
		}
		p.Bridge = d.Plug.Bridge
	case "direct":
		if d.Plug.Dev == "" {
			return Port{}, "", xmlErr("Missing network port link device name")
		}
		mode := d.Plug.Mode
		if mode == "" {
			mode = "vepa" // libvirt's first macvlan mode
		}
		if _, ok := map[string]bool{"vepa": true, "private": true, "bridge": true, "passthrough": true}[mode]; !ok {
			return Port{}, "", xmlErr("Invalid mode setting '%s' in network port", d.Plug.Mode)
		}
		p.Dev, p.Mode = d.Plug.Dev, mode
	case "hostdev-pci":
		return Port{}, "", virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork, "network port plug type 'hostdev-pci' is not supported by virtlxc")
	default:
		return Port{}, "", xmlErr("Invalid value for attribute 'type' in element 'plug': '%s'.", d.Plug.Type)
	}
	return p, d.Plug.Type, nil
}
