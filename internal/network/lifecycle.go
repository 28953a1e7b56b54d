package network

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/netdev"
	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

// Start starts a defined, inactive network.
func (r *Registry) Start(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.get(name)
	if err != nil {
		return err
	}
	if o.live != nil {
		return invalid("network is already active")
	}
	if err := r.start(o); err != nil {
		return err
	}
	r.emit(o, EventStarted)
	return nil
}

// start brings o up and records its live definition; the caller holds
// r.mu.
func (r *Registry) start(o *object) error {
	n := o.def
	mode := Mode(n)
	if !startable[mode] {
		return virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork,
			"network '%s': forward mode '%s' is not supported by virtlxc", n.Name, mode)
	}
	live, err := clone(n)
	if err != nil {
		return virerr.Wrap(err, virerr.ErrInternalError, virerr.FromNetwork, "%s", err)
	}
	if mode == "nat" {
		// A running nat network shows the port range its masquerading
		// uses (virsh net-dumpxml of libvirt's default network); the
		// persistent definition does not.
		if live.Forward.NAT == nil {
			live.Forward.NAT = &libvirtxml.NetworkForwardNAT{}
		}
		if len(live.Forward.NAT.Ports) == 0 {
			live.Forward.NAT.Ports = []libvirtxml.NetworkForwardNATPort{{Start: 1024, End: 65535}}
		}
	}
	var br string
	if live.Bridge != nil {
		br = live.Bridge.Name
	}
	if Direct(n) {
		// Nothing to make: each port is a macvlan on a pool device,
		// made with the container (libvirt checks nothing here either).
	} else if managesBridge(n) {
		b, err := bridgeOf(live)
		if err != nil {
			return err
		}
		if exists, _, err := r.links.Exists(br); err != nil {
			return virerr.Wrap(err, virerr.ErrInternalError, virerr.FromNetwork, "%s", err)
		} else if exists {
			return virerr.New(virerr.ErrInternalError, virerr.FromNetwork,
				"Network is already in use by interface %s", br)
		}
		var routeErr *netdev.RouteError
		if err := r.links.CreateBridge(b); errors.As(err, &routeErr) {
			r.log.Error("static route of a network not added", "network", n.Name, "err", routeErr.Err)
		} else if err != nil {
			return virerr.Wrap(err, virerr.ErrInternalError, virerr.FromNetwork, "%s", err)
		}
	} else if _, isBridge, err := r.links.Exists(br); err != nil || !isBridge {
		if err == nil {
			err = fmt.Errorf("no bridge %s", br)
		}
		return virerr.Wrap(err, virerr.ErrInternalError, virerr.FromNetwork,
			"network '%s': bridge '%s' does not exist", n.Name, br)
	}
	if managesBridge(n) {
		if err := r.startServices(live); err != nil {
			_ = r.links.DeleteBridge(br)
			return err
		}
	}
	if err := r.saveState(live); err != nil {
		if managesBridge(n) {
			r.stopServices(live)
			_ = r.links.DeleteBridge(br)
		}
		return err
	}
	o.live = live
	o.ports = nil // libvirt's start drops every port
	return nil
}

// bridgeOf is the device a network owning its bridge creates.
func bridgeOf(n *libvirtxml.Network) (netdev.Bridge, error) {
	b := netdev.Bridge{Name: n.Bridge.Name}
	if n.MAC != nil {
		b.MAC = n.MAC.Address
	}
	if n.MTU != nil {
		b.MTU = int(n.MTU.Size)
	}
	for _, ip := range n.IPs {
		a, err := Address(n.Name, ip)
		if err != nil {
			return b, err
		}
		b.Addrs = append(b.Addrs, spec.Address{Address: a.IP.String(), Prefix: a.Prefix})
	}
	routes, err := checkRoutes(n)
	b.Routes = routes
	b.Bandwidth = bandwidthOf(n.Bandwidth)
	return b, err
}

// bandwidthOf is a network's <bandwidth> as a spec, nil for none (a
// direction without an average is no limit).
func bandwidthOf(b *libvirtxml.NetworkBandwidth) *spec.Bandwidth {
	if b == nil {
		return nil
	}
	rate := func(p *libvirtxml.NetworkBandwidthParams) *spec.Rate {
		if p == nil || p.Average == nil || *p.Average == 0 {
			return nil
		}
		r := &spec.Rate{Average: uint64(*p.Average)}
		if p.Peak != nil {
			r.Peak = uint64(*p.Peak)
		}
		if p.Burst != nil {
			r.Burst = uint64(*p.Burst)
		}
		return r
	}
	out := &spec.Bandwidth{In: rate(b.Inbound), Out: rate(b.Outbound)}
	if out.In == nil && out.Out == nil {
		return nil
	}
	return out
}

// Destroy stops an active network, removing what it started (dnsmasq
// and its leases, firewall rules, the bridge it created); a transient
// network disappears.
func (r *Registry) Destroy(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.getActive(name)
	if err != nil {
		return err
	}
	if managesBridge(o.live) {
		r.stopServices(o.live)
		if err := r.links.DeleteBridge(o.live.Bridge.Name); err != nil {
			return virerr.Wrap(err, virerr.ErrInternalError, virerr.FromNetwork, "%s", err)
		}
	}
	if err := os.Remove(r.statusFile(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.log.Warn("cannot remove network state", "network", name, "err", err)
	}
	o.live = nil
	o.ports = nil
	r.emit(o, EventStopped)
	if !o.persistent {
		delete(r.nets, name)
	}
	return nil
}

// SetAutostart marks a persistent network to start with the daemon.
func (r *Registry) SetAutostart(name string, on bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.getPersistent(name, "cannot set autostart for transient network"); err != nil {
		return err
	}
	if err := r.store.SetAutostart(name, on); err != nil {
		return virerr.Wrap(err, virerr.ErrOperationFailed, virerr.FromNetwork,
			"cannot change autostart of network '%s': %s", name, err)
	}
	return nil
}

func (r *Registry) statusFile(name string) string {
	return filepath.Join(r.stateDir, name+".xml")
}

// saveState writes the live definition to STATE/NAME.xml.
func (r *Registry) saveState(n *libvirtxml.Network) error {
	out, err := Format(n)
	if err == nil {
		if err = os.MkdirAll(r.stateDir, 0o700); err == nil {
			err = os.WriteFile(r.statusFile(n.Name), out, 0o600)
		}
	}
	if err != nil {
		return virerr.Wrap(err, virerr.ErrOperationFailed, virerr.FromNetwork,
			"cannot save state of network '%s': %s", n.Name, err)
	}
	return nil
}
