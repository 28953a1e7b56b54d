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
	o, err := r.getActive(name, "network '"+name+"' is not active")
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
	o, err := r.getActive(name, "network '"+name+"' is not active")
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
	MAC struct {
		Address string `xml:"address,attr"`
	} `xml:"mac"`
	Bandwidth *libvirtxml.DomainInterfaceBandwidth `xml:"bandwidth"`
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
	d := portDoc{UUID: p.UUID, Bandwidth: p.Bandwidth}
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
