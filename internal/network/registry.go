package network

import (
	"log/slog"
	"net"
	"sort"
	"sync"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/configstore"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/eventbus"
	"virtlxc/internal/netdev"
	"virtlxc/internal/virerr"
)

// Links is what the registry needs from the host's network stack; Host
// is the real one (netlink, in the caller's network namespace).
type Links interface {
	// CreateBridge creates a bridge with its addresses and brings it up.
	CreateBridge(b netdev.Bridge) error
	// DeleteBridge removes a bridge; a missing one is no error.
	DeleteBridge(name string) error
	// Exists reports whether a device exists and whether it is a bridge.
	Exists(name string) (exists, isBridge bool, err error)
	// SubnetInUse reports whether a route overlaps an IPv4 subnet.
	SubnetInUse(subnet *net.IPNet) (bool, error)
}

// Host is Links on the caller's network namespace through netdev.
type Host struct{}

// CreateBridge calls netdev.CreateBridge.
func (Host) CreateBridge(b netdev.Bridge) error { return netdev.CreateBridge(b) }

// DeleteBridge calls netdev.DeleteBridge.
func (Host) DeleteBridge(name string) error { return netdev.DeleteBridge(name) }

// SubnetInUse calls netdev.SubnetInUse.
func (Host) SubnetInUse(subnet *net.IPNet) (bool, error) { return netdev.SubnetInUse(subnet) }

// Exists calls netdev.LinkExists.
func (Host) Exists(name string) (bool, bool, error) { return netdev.LinkExists(name) }

// Config locates a registry's files.
type Config struct {
	// ConfigDir, AutostartDir and StateDir are paths.Layout's
	// NetworkConfigDir, NetworkAutostartDir and NetworkStateDir.
	ConfigDir, AutostartDir, StateDir string
	// DnsmasqDir holds dnsmasq's configuration, hosts and lease files
	// (paths.Layout's DnsmasqDir); dnsmasq's pid files go to StateDir.
	DnsmasqDir string
	// Links creates and removes bridges (Host{} when nil).
	Links Links
	// Services runs firewall rules and dnsmasq (Host{} when nil).
	Services Services
	// Log receives warnings (discarded when nil).
	Log *slog.Logger
}

// Info describes one network as the RPC procedures report it.
type Info struct {
	Name, UUID string
	Bridge     string
	Active     bool
	Persistent bool
	Autostart  bool
}

// object is one network: its persistent definition and, while active,
// its live one.
type object struct {
	def        *libvirtxml.Network // persistent (or, if transient, the live) definition
	live       *libvirtxml.Network // nil while inactive
	persistent bool
	// ports are the active network's ports by UUID (ports.go).
	ports map[string]Port
}

// Registry holds the networks of one daemon. It is safe for concurrent
// use; operations on networks are serialised.
type Registry struct {
	mu         sync.Mutex
	nets       map[string]*object
	store      *configstore.Store
	stateDir   string
	dnsmasqDir string
	links      Links
	services   Services
	events     *eventbus.Bus[Event]
	log        *slog.Logger
}

// NewRegistry returns an empty registry; Load fills it from disk.
func NewRegistry(c Config) *Registry {
	if c.Links == nil {
		c.Links = Host{}
	}
	if c.Services == nil {
		c.Services = Host{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return &Registry{
		nets:       map[string]*object{},
		store:      configstore.New(c.ConfigDir, c.AutostartDir, c.Log),
		stateDir:   c.StateDir,
		dnsmasqDir: c.DnsmasqDir,
		links:      c.Links,
		services:   c.Services,
		events:     eventbus.New[Event](),
		log:        c.Log,
	}
}

// noName is libvirt's error for a missing network name.
func noName(name string) error {
	return virerr.New(virerr.ErrNoNetwork, virerr.FromNetwork, "no network with matching name '%s'", name)
}

// noUUID is libvirt's error for a missing network uuid.
func noUUID(uuid string) error {
	return virerr.New(virerr.ErrNoNetwork, virerr.FromNetwork, "no network with matching uuid '%s'", uuid)
}

func invalid(format string, args ...any) error {
	return virerr.New(virerr.ErrOperationInvalid, virerr.FromNetwork, format, args...)
}

// info describes o; the caller holds r.mu.
func (r *Registry) info(o *object) Info {
	d := o.def
	if o.live != nil {
		d = o.live
	}
	i := Info{Name: d.Name, UUID: d.UUID, Active: o.live != nil, Persistent: o.persistent}
	if d.Bridge != nil {
		i.Bridge = d.Bridge.Name
	}
	if o.persistent {
		i.Autostart = r.store.Autostart(d.Name)
	}
	return i
}

// get finds name; the caller holds r.mu.
func (r *Registry) get(name string) (*object, error) {
	o := r.nets[name]
	if o == nil {
		return nil, noName(name)
	}
	return o, nil
}

// getActive is get for operations on an active network: an inactive one
// fails as libvirt's networkDestroy and port calls do ("network 'NAME' is
// not active").
func (r *Registry) getActive(name string) (*object, error) {
	o, err := r.get(name)
	if err != nil {
		return nil, err
	}
	if o.live == nil {
		return nil, invalid("network '%s' is not active", name)
	}
	return o, nil
}

// getPersistent is get for operations on a persistent definition only: a
// transient network fails with libvirt's operation-invalid message refused.
func (r *Registry) getPersistent(name, refused string) (*object, error) {
	o, err := r.get(name)
	if err == nil && !o.persistent {
		return nil, invalid("%s", refused)
	}
	return o, err
}

// LookupByName describes the network called name.
func (r *Registry) LookupByName(name string) (Info, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.get(name)
	if err != nil {
		return Info{}, err
	}
	return r.info(o), nil
}

// LookupByUUID describes the network with uuid (any spelling ParseUUID
// accepts).
func (r *Registry) LookupByUUID(uuid string) (Info, error) {
	u, ok := domainxml.ParseUUID(uuid)
	if !ok {
		return Info{}, noUUID(uuid)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range r.nets {
		if o.def.UUID == u {
			return r.info(o), nil
		}
	}
	return Info{}, noUUID(u)
}

// List describes every network, sorted by name.
func (r *Registry) List() []Info {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Info, 0, len(r.nets))
	for _, o := range r.nets {
		out = append(out, r.info(o))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// XML returns a network's definition in libvirt's format: the live one
// while active unless inactive asks for the persistent one.
func (r *Registry) XML(name string, inactive bool) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.get(name)
	if err != nil {
		return nil, err
	}
	d := o.def
	if o.live != nil && !inactive {
		out, err := Format(o.live)
		if err != nil {
			return nil, err
		}
		return withConnections(out, len(o.ports), o.devConns()), nil
	}
	return Format(d)
}

// Bridge returns the bridge of an active network (for interfaces of
// type='network').
func (r *Registry) Bridge(name string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.get(name)
	if err != nil {
		return "", err
	}
	if o.live == nil {
		return "", invalid("network '%s' is not active", name)
	}
	if o.live.Bridge == nil || o.live.Bridge.Name == "" {
		return "", virerr.New(virerr.ErrConfigUnsupported, virerr.FromNetwork,
			"network '%s' has no bridge", name)
	}
	return o.live.Bridge.Name, nil
}
