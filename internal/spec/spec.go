// Package spec is the fully resolved description of one container, computed
// from the domain XML by the controller and consumed by the init stage inside
// the new namespaces. It is plain data (JSON on the wire between the two) and
// imports nothing of virtlxc.
package spec

// Container is everything the init stage needs, already decided: no XML
// parsing, no defaults and no policy happen inside the container.
type Container struct {
	Name     string `json:"name"`
	UUID     string `json:"uuid"`
	Hostname string `json:"hostname"`

	Root Root `json:"root"`
	// Staging is an empty host directory the root is bound onto while the
	// container's tree is built (pivot_root cannot pivot onto "/" itself).
	Staging string  `json:"staging"`
	Mounts  []Mount `json:"mounts,omitempty"` // <filesystem>s other than /, in XML order

	// Consoles is the number of console ptys to create in the container's
	// devpts; the first is init's stdin/stdout/stderr and /dev/console.
	Consoles int `json:"consoles"`
	// DevptsGID is the gid devpts gives new ptys (5, or its mapping).
	DevptsGID int `json:"devpts_gid"`
	// Devices are extra nodes created in /dev (hostdevs, disks).
	Devices []Device `json:"devices,omitempty"`

	Init  []string `json:"init"` // argv; argv[0] resolved inside the root
	Env   []string `json:"env"`
	Cwd   string   `json:"cwd"`
	User  string   `json:"user,omitempty"`  // <inituser>: name or number
	Group string   `json:"group,omitempty"` // <initgroup>

	// PassFDs is how many fds (3, 4, …) init inherits (socket activation).
	PassFDs int `json:"pass_fds"`

	// CapPolicy and CapStates are <features><capabilities>.
	CapPolicy string            `json:"cap_policy,omitempty"`
	CapStates map[string]string `json:"cap_states,omitempty"`
	// Seccomp installs virtlxc's default seccomp filter (internal/seccomp)
	// before init is exec'd; <virtlxc:seccomp state='off'/> in the domain's
	// metadata turns it off.
	Seccomp bool `json:"seccomp"`

	NewNet bool `json:"new_net"` // private network namespace
	// Interfaces are the <interface>s, in XML order; their container ends
	// already sit in the new network namespace when the init stage is
	// released.
	Interfaces []Interface `json:"interfaces,omitempty"`
	// NetDevs are the <hostdev mode='capabilities' type='net'> devices
	// (Type "hostdev"): the controller moves them into the container's
	// network namespace and back out when it stops.
	NetDevs   []Interface `json:"net_devs,omitempty"`
	NewUser   bool        `json:"new_user"`   // user namespace (<idmap>)
	NewIPC    bool        `json:"new_ipc"`    // false when <lxc:shareipc>
	NewUTS    bool        `json:"new_uts"`    // false when <lxc:shareuts>
	NewCgroup bool        `json:"new_cgroup"` // cgroup namespace (kernel has one)

	// Share lists the namespaces joined instead of created (<lxc:namespace>),
	// "net", "ipc" or "uts"; their descriptors follow the controller
	// binary's in the init stage's descriptor table, in this order.
	Share []string `json:"share,omitempty"`

	// CgroupJoin are the host's v1 cgroup directories the init stage's
	// thread moves itself into before it makes its cgroup namespace (the
	// controller prepared them: cgroups.Group.SplitPayload); empty when
	// the controller placed the stage itself.
	CgroupJoin []string `json:"cgroup_join,omitempty"`

	// Cgroups lists the cgroup hierarchies to mount inside the container
	// (its own subtree, through the cgroup namespace).
	Cgroups []CgroupMount `json:"cgroups,omitempty"`

	// MemInfo is the state directory named for the container-aware
	// meminfo filesystem (FUSE; libvirt mounts it there, virtlxc mounts it
	// nowhere on the host): non-empty, the controller passes a detached
	// mount of its file with the Go message, which the init stage attaches
	// over /proc/meminfo; empty for none.
	MemInfo string `json:"meminfo,omitempty"`

	// IDMapRoot is the host uid/gid of the container's root (0 without
	// a user namespace); the init stage chowns what it creates to it.
	IDMapRootUID int `json:"idmap_root_uid"`
	IDMapRootGID int `json:"idmap_root_gid"`
}

// Root is the container's root filesystem.
type Root struct {
	// Kind is MountHostBind for a directory (Source "/" shares the host
	// root), MountBlock for a device, MountFile for an image file.
	Kind     MountKind `json:"kind"`
	Source   string    `json:"source"`
	ReadOnly bool      `json:"readonly"` // <readonly/>
}

// SharedHost reports whether the container runs on the host's own root.
func (r Root) SharedHost() bool { return r.Kind == MountHostBind && r.Source == "/" }

// MountKind is the type of a non-root <filesystem>.
type MountKind string

// Filesystem kinds the LXC driver mounts.
const (
	MountHostBind MountKind = "mount" // bind a host path (type='mount')
	MountBind     MountKind = "bind"  // bind a path inside the container (type='bind')
	MountRAM      MountKind = "ram"   // tmpfs of a given size (type='ram')
	MountBlock    MountKind = "block" // a block device (type='block')
	// MountFile is an image file (type='file'); the controller attaches it
	// to a loop device and turns it into MountBlock before the init stage.
	MountFile MountKind = "file"
)

// Mount is one <filesystem> other than the root.
type Mount struct {
	Kind      MountKind `json:"kind"`
	Source    string    `json:"source,omitempty"`
	Target    string    `json:"target"`
	ReadOnly  bool      `json:"readonly,omitempty"`
	SizeBytes uint64    `json:"size_bytes,omitempty"` // ram
}

// Device is a device node to create in the container's /dev.
type Device struct {
	Path  string `json:"path"` // absolute, under /dev
	Type  byte   `json:"type"` // 'c' or 'b'
	Major uint32 `json:"major"`
	Minor uint32 `json:"minor"`
	Mode  uint32 `json:"mode"` // permission bits
	// Source is the host node a container with a user namespace binds
	// at Path (where mknod is refused); "" means Path.
	Source string `json:"source,omitempty"`
}

// CgroupMount is one cgroup hierarchy as the container sees it.
type CgroupMount struct {
	// Target is where it appears, e.g. /sys/fs/cgroup/memory or
	// /sys/fs/cgroup (pure v2) or /sys/fs/cgroup/unified.
	Target string `json:"target"`
	// V2 selects cgroup2; otherwise Options names the v1 controllers
	// ("cpu,cpuacct", "name=systemd", …).
	V2      bool   `json:"v2,omitempty"`
	Options string `json:"options,omitempty"`
	// Link, when set, makes Target a symlink to Link instead (the host's
	// co-mount links such as cpu -> cpu,cpuacct).
	Link string `json:"link,omitempty"`
	// Source, when set, is the host's directory of a v1 hierarchy that
	// the init stage joins and roots its cgroup namespace at: it is bound
	// on Target instead of a fresh mount, which shows the same tree.
	Source string `json:"source,omitempty"`
}

// Interface is one network interface of the container (spec §2.9).
type Interface struct {
	// Type is "bridge" or "ethernet" (a veth pair) or "direct" (macvlan).
	Type string `json:"type"`
	// HostName is the host end's name (<target dev>); empty means a name
	// the controller picks when it creates the device. Always empty for
	// direct interfaces, which have no host end.
	HostName string `json:"host_name,omitempty"`
	// PeerName is the container end's name as created in the container's
	// network namespace; the init stage renames it to GuestName.
	PeerName  string `json:"peer_name"`
	GuestName string `json:"guest_name"`
	MAC       string `json:"mac,omitempty"` // of the container end
	MTU       int    `json:"mtu,omitempty"`
	Bridge    string `json:"bridge,omitempty"` // bridge: the bridge to enslave the host end to
	Isolated  bool   `json:"isolated,omitempty"`
	SourceDev string `json:"source_dev,omitempty"` // direct: the lower device
	Mode      string `json:"mode,omitempty"`       // direct: vepa, private, bridge, passthrough
	// Up brings the container end up (it has an <ip> or <link state='up'/>).
	Up     bool      `json:"up,omitempty"`
	IPs    []Address `json:"ips,omitempty"`
	Routes []Route   `json:"routes,omitempty"`
	// HostIPs and HostRoutes go on the host end (ethernet only).
	HostIPs    []Address `json:"host_ips,omitempty"`
	HostRoutes []Route   `json:"host_routes,omitempty"`
	// Bandwidth limits the traffic through the host end (<bandwidth>);
	// BandwidthSwapped says the host end's transmit side is the
	// container's inbound (veth pairs on a bridge), as libvirt's
	// virNetDevBandwidthSet takes it.
	Bandwidth        *Bandwidth `json:"bandwidth,omitempty"`
	BandwidthSwapped bool       `json:"bandwidth_swapped,omitempty"`
}

// Bandwidth is an interface's <bandwidth>: nil directions are unlimited.
type Bandwidth struct {
	In  *Rate `json:"in,omitempty"`
	Out *Rate `json:"out,omitempty"`
}

// Rate is one direction of a <bandwidth>: average and peak in KiB/s
// (libvirt's kilobytes), burst in KiB; 0 is unset.
type Rate struct {
	Average uint64 `json:"average"`
	Peak    uint64 `json:"peak,omitempty"`
	Burst   uint64 `json:"burst,omitempty"`
}

// Address is an interface address with its prefix length and optional
// point-to-point peer.
type Address struct {
	Address string `json:"address"`
	Prefix  int    `json:"prefix"`
	Peer    string `json:"peer,omitempty"`
}

// Route is a gateway route to Address/Prefix.
type Route struct {
	Address string `json:"address"`
	Prefix  int    `json:"prefix"`
	Gateway string `json:"gateway"`
	Metric  int    `json:"metric,omitempty"`
}
