package network

import (
	"fmt"
	"strings"

	"virtlxc/internal/virerr"
)

// Ports: each <interface type='network'> of a running domain holds a port
// of its network, as in libvirt's network driver (networkAllocatePort,
// networkNotifyPort, networkReleasePort). A network counts its ports (the
// live XML's connections='N') and, for a direct network, the ports on
// each device of its pool, from which it picks a new port's device.

// Port is where an interface plugs in: a bridge, or (direct networks) a
// host device to make a macvlan on, in a macvlan mode.
type Port struct {
	Bridge    string
	Dev, Mode string
}

// AllocatePort takes a port on the active network name.
func (r *Registry) AllocatePort(name string) (Port, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.getActive(name, "network '"+name+"' is not active")
	if err != nil {
		return Port{}, err
	}
	n := o.live
	if !Direct(n) {
		if n.Bridge == nil || n.Bridge.Name == "" {
			return Port{}, virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork, "network '%s' has no bridge", name)
		}
		o.conns++
		return Port{Bridge: n.Bridge.Name}, nil
	}
	if n.Forward == nil || len(n.Forward.Interfaces) == 0 {
		return Port{}, virerr.New(virerr.ErrInternalError, virerr.FromNetwork,
			"network '%s' uses a direct mode, but has no forward dev and no interface pool", name)
	}
	mode := Mode(n)
	dev := ""
	if mode == "passthrough" {
		// A passthrough port has its device to itself.
		for _, ifc := range n.Forward.Interfaces {
			if o.devConns[ifc.Dev] == 0 {
				dev = ifc.Dev
				break
			}
		}
		if dev == "" {
			return Port{}, virerr.New(virerr.ErrInternalError, virerr.FromNetwork,
				"network '%s' requires exclusive access to interfaces, but none are available", name)
		}
	} else {
		// The least used device; the first of those on a tie.
		dev = n.Forward.Interfaces[0].Dev
		for _, ifc := range n.Forward.Interfaces[1:] {
			if o.devConns[ifc.Dev] < o.devConns[dev] {
				dev = ifc.Dev
			}
		}
	}
	o.take(dev)
	return Port{Dev: dev, Mode: mode}, nil
}

// ReclaimPort records a port a running domain already holds (found again
// when the daemon starts).
func (r *Registry) ReclaimPort(name string, p Port) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.getActive(name, "network '"+name+"' is not active")
	if err != nil {
		return err
	}
	if p.Dev == "" {
		o.conns++
		return nil
	}
	n := o.live
	inPool := false
	if n.Forward != nil {
		for _, ifc := range n.Forward.Interfaces {
			inPool = inPool || ifc.Dev == p.Dev
		}
	}
	switch {
	case !inPool:
		return virerr.New(virerr.ErrInternalError, virerr.FromNetwork,
			"network '%s' doesn't have dev='%s' in use by network port", name, p.Dev)
	case Mode(n) == "passthrough" && o.devConns[p.Dev] > 0:
		return virerr.New(virerr.ErrInternalError, virerr.FromNetwork,
			"network '%s' claims dev='%s' is already in use by a different port", name, p.Dev)
	}
	o.take(p.Dev)
	return nil
}

// ReleasePort gives back a port AllocatePort or ReclaimPort counted. A
// network that went down (and so forgot its ports) meanwhile is left
// alone.
func (r *Registry) ReleasePort(name string, p Port) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o := r.nets[name]
	if o == nil || o.live == nil {
		return
	}
	if o.conns > 0 {
		o.conns--
	}
	if p.Dev != "" && o.devConns[p.Dev] > 0 {
		o.devConns[p.Dev]--
	}
}

// take counts a port on pool device dev; the caller holds r.mu.
func (o *object) take(dev string) {
	if o.devConns == nil {
		o.devConns = map[string]int{}
	}
	o.conns++
	o.devConns[dev]++
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
