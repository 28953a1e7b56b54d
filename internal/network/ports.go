package network

import (
	"fmt"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/virerr"
)

// Ports: each <interface type='network'> of a running domain holds a port
// of its network, as in libvirt's network driver (networkAllocatePort,
// networkNotifyPort, networkReleasePort). A network counts its ports (the
// live XML's connections='N') and, for a direct network, the ports on
// each device of its pool, from which it picks a new port's device.

// Port is one port of a network: its UUID, its owner (a domain) and the
// owner's interface MAC, and where it plugs in: a bridge, or (direct
// networks) a host device to make a macvlan on, in a macvlan mode.
type Port struct {
	UUID             string
	Owner, OwnerUUID string
	// Group is the portgroup the owner's interface names (printed only).
	Group     string
	MAC       string
	Bridge    string
	Dev, Mode string
	// Isolated and Bandwidth are the interface's <port isolated> and
	// <bandwidth>, shown in the port's XML. An interface that does not
	// say (IsolatedSet false) gets its network's <port isolated>.
	Isolated    bool
	IsolatedSet bool
	Bandwidth   *libvirtxml.DomainInterfaceBandwidth
	// VLAN is the interface's <vlan>, else its network's.
	VLAN *libvirtxml.DomainInterfaceVLan
}

// AllocatePort takes a new port on the active network name for req (its
// owner, MAC and options) and returns it with its UUID (req's, if it
// names one no port has).
func (r *Registry) AllocatePort(name string, req Port) (Port, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.getActive(name)
	if err != nil {
		return Port{}, err
	}
	p := req
	p.Bridge, p.Dev, p.Mode = "", "", ""
	if p.UUID == "" {
		p.UUID = domainxml.NewUUID()
	} else if _, taken := o.ports[p.UUID]; taken {
		return Port{}, virerr.New(virerr.ErrNetworkPortExist, virerr.FromNetwork, "Network port with UUID %s already exists", p.UUID)
	}
	n := o.live
	if !p.IsolatedSet && n.PortOptions != nil {
		p.Isolated = n.PortOptions.Isolated == "yes"
	}
	if p.VLAN == nil && n.VLAN != nil && len(n.VLAN.Tags) > 0 {
		p.VLAN = &libvirtxml.DomainInterfaceVLan{Trunk: n.VLAN.Trunk}
		for _, t := range n.VLAN.Tags {
			p.VLAN.Tags = append(p.VLAN.Tags, libvirtxml.DomainInterfaceVLanTag{ID: t.ID, NativeMode: t.NativeMode})
		}
	}
	if !Direct(n) {
		if n.Bridge == nil || n.Bridge.Name == "" {
			return Port{}, virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork, "network '%s' has no bridge", name)
		}
		p.Bridge = n.Bridge.Name
		o.addPort(p)
		return p, nil
	}
	if n.Forward == nil || len(n.Forward.Interfaces) == 0 {
		return Port{}, virerr.New(virerr.ErrInternalError, virerr.FromNetwork,
			"network '%s' uses a direct mode, but has no forward dev and no interface pool", name)
	}
	p.Mode = Mode(n)
	used := o.devConns()
	if p.Mode == "passthrough" {
		// A passthrough port has its device to itself.
		for _, ifc := range n.Forward.Interfaces {
			if used[ifc.Dev] == 0 {
				p.Dev = ifc.Dev
				break
			}
		}
		if p.Dev == "" {
			return Port{}, virerr.New(virerr.ErrInternalError, virerr.FromNetwork,
				"network '%s' requires exclusive access to interfaces, but none are available", name)
		}
	} else {
		// The least used device; the first of those on a tie.
		p.Dev = n.Forward.Interfaces[0].Dev
		for _, ifc := range n.Forward.Interfaces[1:] {
			if used[ifc.Dev] < used[p.Dev] {
				p.Dev = ifc.Dev
			}
		}
	}
	o.addPort(p)
	return p, nil
}

// ReclaimPort records a port a running domain already holds (found again
// when the daemon starts); one without a UUID (recorded by an older
// daemon) gets one.
func (r *Registry) ReclaimPort(name string, p Port) (Port, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.getActive(name)
	if err != nil {
		return Port{}, err
	}
	if p.UUID == "" {
		p.UUID = domainxml.NewUUID()
	}
	if p.Dev != "" {
		n := o.live
		inPool := false
		if n.Forward != nil {
			for _, ifc := range n.Forward.Interfaces {
				inPool = inPool || ifc.Dev == p.Dev
			}
		}
		switch {
		case !inPool:
			return Port{}, virerr.New(virerr.ErrInternalError, virerr.FromNetwork,
				"network '%s' doesn't have dev='%s' in use by network port '%s'", name, p.Dev, p.UUID)
		case Mode(n) == "passthrough" && o.devConns()[p.Dev] > 0:
			return Port{}, virerr.New(virerr.ErrInternalError, virerr.FromNetwork,
				"network '%s' claims dev='%s' is already in use by a different port", name, p.Dev)
		}
	}
	o.addPort(p)
	return p, nil
}

// ReleasePort gives back port uuid of network name. A port the network no
// longer has (deleted, or the network went down and forgot its ports) is
// no error.
func (r *Registry) ReleasePort(name, uuid string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if o := r.nets[name]; o != nil {
		delete(o.ports, uuid)
	}
}

// addPort records p; the caller holds r.mu.
func (o *object) addPort(p Port) {
	if o.ports == nil {
		o.ports = map[string]Port{}
	}
	o.ports[p.UUID] = p
}

// devConns counts the ports on each device of a direct network's pool;
// the caller holds r.mu.
func (o *object) devConns() map[string]int {
	m := map[string]int{}
	for _, p := range o.ports {
		if p.Dev != "" {
			m[p.Dev]++
		}
	}
	return m
}

// withConnections adds the port counts to a live network document as
// libvirt's virNetworkDefFormatBuf prints them: connections='N' on
// <network> (after its namespace declaration) and on each pool
// <interface>, only where N > 0.
func withConnections(doc []byte, conns int, devConns map[string]int) []byte {
	s := string(doc)
	if conns > 0 {
		at := len("<network")
		if strings.HasPrefix(s[at:], " xmlns:") {
			if q := strings.IndexByte(s[at+len(" xmlns:"):], '\''); q >= 0 {
				if end := strings.IndexByte(s[at+len(" xmlns:")+q+1:], '\''); end >= 0 {
					at += len(" xmlns:") + q + 1 + end + 1
				}
			}
		}
		s = s[:at] + fmt.Sprintf(" connections='%d'", conns) + s[at:]
	}
	for dev, n := range devConns {
		if n > 0 {
			tag := "<interface dev='" + attrEscaper.Replace(dev) + "'"
			s = strings.Replace(s, tag+"/>", fmt.Sprintf("%s connections='%d'/>", tag, n), 1)
		}
	}
	return []byte(s)
}

// attrEscaper escapes an attribute value as the formatter does.
var attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", "\"", "&quot;")
