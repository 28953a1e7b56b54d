package driver

import (
	"golang.org/x/sys/unix"
	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/audit"
	"virtlxc/internal/devnode"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/monitor"
	"virtlxc/internal/virerr"
)

// Disks and host devices attached to and detached from a running
// container, as libvirt's lxcDomainAttachDeviceDiskLive and friends do:
// the device cgroup allows the device (the controller changes the policy
// it applied at start), then its node is made in the container's /dev
// (devnode), and the live definition records it; a detach takes them away
// in the other order. In a container with a user namespace, whose /dev
// opens no nodes, the node is made on a tmpfs of the host's, owned by the
// container's root, and bound there from inside its mount namespace
// (devnode.Bind), as its start binds them.

// liveNode is a device node of a running container.
type liveNode struct {
	path         string // inside the container
	block        bool
	major, minor uint32
	perms        string // device cgroup permissions
}

// statNode checks that host path src is a block (or character) device and
// returns its numbers; notKind is the message when it is not.
func statNode(src string, block bool, notKind string) (major, minor uint32, err error) {
	var st unix.Stat_t
	if err := unix.Stat(src, &st); err != nil {
		return 0, 0, virerr.Wrap(err, virerr.ErrSystemError, virerr.FromLXC, "Unable to access %s: %s", src, virerr.Strerror(err))
	}
	want := uint32(unix.S_IFCHR)
	if block {
		want = unix.S_IFBLK
	}
	if st.Mode&unix.S_IFMT != want {
		return 0, 0, virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, notKind, src)
	}
	return unix.Major(st.Rdev), unix.Minor(st.Rdev), nil
}

// liveRun is the run of a domain a device of kind what is attached to or
// detached from: its init must be known (libvirt's message says "attach"
// for both) and, for an attach, the host must have the devices controller
// (a detach checks it later, after finding the device).
func (d *Driver) liveRun(dom *domain, what string, attach bool) (*run, error) {
	r, err := activeRun(dom)
	if err != nil {
		return nil, err
	}
	if dom.initPID == 0 {
		return nil, virerr.New(virerr.ErrOperationInvalid, virerr.FromLXC, "Cannot attach %s until init PID is known", what)
	}
	if attach && !d.cg.HasDevices() {
		return nil, virerr.New(virerr.ErrOperationInvalid, virerr.FromLXC, "devices cgroup isn't mounted")
	}
	return r, nil
}

// checkLiveNodes refuses a container where device nodes cannot be added.
func (d *Driver) checkLiveNodes(live *domainxml.Domain) error {
	if !d.cg.HasDevices() {
		return virerr.New(virerr.ErrOperationInvalid, virerr.FromLXC, "devices cgroup isn't mounted")
	}
	if live.IDMap != nil {
		if _, _, ok := mappedRoot(live.IDMap); !ok {
			return virerr.New(virerr.ErrOperationUnsupported, virerr.FromLXC,
				"device nodes cannot be added to a running container whose user namespace does not map root")
		}
	}
	return nil
}

// mappedRoot is the host uid and gid of a user namespace's root.
func mappedRoot(m *libvirtxml.DomainIDMap) (uid, gid int, ok bool) {
	find := func(rs []libvirtxml.DomainIDMapRange) (int, bool) {
		for _, r := range rs {
			if r.Start == 0 && r.Count > 0 {
				return int(r.Target), true
			}
		}
		return 0, false
	}
	uid, ok1 := find(m.UIDs)
	gid, ok2 := find(m.GIDs)
	return uid, gid, ok1 && ok2
}

// addNode allows n in the container's device cgroup and makes its node;
// a node that cannot be made takes the permission back.
func (d *Driver) addNode(dom *domain, live *domainxml.Domain, r *run, n liveNode) error {
	change := &monitor.DeviceChange{Allow: true, Type: nodeType(n.block), Major: n.major, Minor: n.minor, Perms: n.perms}
	if err := d.call(r, monitor.Request{Op: monitor.OpDevice, Device: change}); err != nil {
		return err
	}
	var err error
	if live.IDMap != nil {
		uid, gid, _ := mappedRoot(live.IDMap)
		err = devnode.Bind(dom.initPID, n.path, n.block, n.major, n.minor, uid, gid, d.layout.DevDir(dom.name)+".hotplug")
	} else {
		err = devnode.Create(dom.initPID, n.path, n.block, n.major, n.minor)
	}
	if err != nil {
		d.denyNode(dom, r, n)
		return err
	}
	return nil
}

// removeNode removes n's node; then (a failure only logged, as libvirt)
// the device cgroup no longer allows it.
func (d *Driver) removeNode(dom *domain, live *domainxml.Domain, r *run, n liveNode) error {
	remove := devnode.Remove
	if live.IDMap != nil {
		remove = devnode.Unbind
	}
	if err := remove(dom.initPID, n.path); err != nil {
		return err
	}
	d.denyNode(dom, r, n)
	return nil
}

func (d *Driver) denyNode(dom *domain, r *run, n liveNode) {
	change := &monitor.DeviceChange{Type: nodeType(n.block), Major: n.major, Minor: n.minor, Perms: "rwm"}
	if err := d.call(r, monitor.Request{Op: monitor.OpDevice, Device: change}); err != nil {
		d.log.Warn("cannot deny device", "device", n.path, "domain", dom.name, "err", err)
	}
}

func nodeType(block bool) string {
	if block {
		return "b"
	}
	return "c"
}

// auditSend sends a record that exists.
func (d *Driver) auditSend(r audit.Record, ok bool) {
	if ok {
		d.audit.Send(r)
	}
}

// attachDiskLive is lxcDomainAttachDeviceDiskLive.
func (d *Driver) attachDiskLive(dom *domain, live *domainxml.Domain, disk libvirtxml.DomainDisk) (err error) {
	r, err := d.liveRun(dom, "disk", true)
	if err != nil {
		return err
	}
	src := domainxml.DiskSource(disk)
	if src == "" {
		return virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "Can't setup disk without media")
	}
	defer func() { d.auditSend(audit.Disk(auditDomain(dom), audit.ReasonAttach, nil, &disk, err == nil)) }()
	if disk.Source.Block == nil {
		return virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "Can't setup disk for non-block device")
	}
	dst := diskTarget(disk)
	if liveDiskIndex(live, dst) >= 0 {
		return virerr.New(virerr.ErrOperationFailed, virerr.FromLXC, "target %s already exists", dst)
	}
	major, minor, err := statNode(src, true, "Disk source %s must be a block device")
	if err != nil {
		return err
	}
	if err := d.checkLiveNodes(live); err != nil {
		return err
	}
	perms := "rwm"
	if disk.ReadOnly != nil {
		perms = "rm"
	}
	if err := d.addNode(dom, live, r, liveNode{path: "/dev/" + dst, block: true, major: major, minor: minor, perms: perms}); err != nil {
		return err
	}
	domainxml.InsertDisk(live.Devices, disk)
	return nil
}

// detachDiskLive is lxcDomainDetachDeviceDiskLive.
func (d *Driver) detachDiskLive(dom *domain, live *domainxml.Domain, dev libvirtxml.DomainDisk) error {
	r, err := d.liveRun(dom, "disk", false)
	if err != nil {
		return err
	}
	dst := diskTarget(dev)
	idx := liveDiskIndex(live, dst)
	if idx < 0 {
		return virerr.New(virerr.ErrOperationFailed, virerr.FromLXC, "disk %s not found", dst)
	}
	if err := d.checkLiveNodes(live); err != nil {
		return err
	}
	disk := live.Devices.Disks[idx]
	n := liveNode{path: "/dev/" + dst, block: true}
	if major, minor, err := statNode(domainxml.DiskSource(disk), true, "%s"); err == nil {
		n.major, n.minor = major, minor
	}
	err = d.removeNode(dom, live, r, n)
	d.auditSend(audit.Disk(auditDomain(dom), audit.ReasonDetach, &disk, nil, err == nil))
	if err != nil {
		return err
	}
	live.Devices.Disks = append(live.Devices.Disks[:idx:idx], live.Devices.Disks[idx+1:]...)
	return nil
}

// liveDiskIndex is virDomainDiskIndexByName by target: the disk of def
// with target dst, or -1.
func liveDiskIndex(def *domainxml.Domain, dst string) int {
	if def.Devices == nil {
		return -1
	}
	for i, x := range def.Devices.Disks {
		if diskTarget(x) == dst {
			return i
		}
	}
	return -1
}

func diskTarget(disk libvirtxml.DomainDisk) string {
	if disk.Target == nil {
		return ""
	}
	return disk.Target.Dev
}

// hostdevNode is the node of a caps storage or misc host device (its host
// path, in the container too), or an error for the kinds a running
// container does not take.
func hostdevNode(h libvirtxml.DomainHostdev) (liveNode, error) {
	switch {
	case h.CapsStorage != nil:
		n := liveNode{block: true, perms: "rwm"}
		if h.CapsStorage.Source != nil {
			n.path = h.CapsStorage.Source.Block
		}
		if n.path == "" {
			return n, virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "Missing storage block path")
		}
		return n, nil
	case h.CapsMisc != nil:
		n := liveNode{perms: "rwm"}
		if h.CapsMisc.Source != nil {
			n.path = h.CapsMisc.Source.Char
		}
		if n.path == "" {
			return n, virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "Missing character host path")
		}
		return n, nil
	case h.SubsysUSB != nil:
		return liveNode{}, virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "USB host devices are not supported yet")
	}
	return liveNode{}, virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "Unsupported host device type %s", domainxml.HostdevType(h))
}

// attachHostdevLive is lxcDomainAttachDeviceHostdevLive for caps storage
// and misc devices.
func (d *Driver) attachHostdevLive(dom *domain, live *domainxml.Domain, h libvirtxml.DomainHostdev) (err error) {
	r, err := d.liveRun(dom, "hostdev", true)
	if err != nil {
		return err
	}
	n, err := hostdevNode(h)
	if err != nil {
		return err
	}
	if liveHostdevIndex(live, &h) >= 0 {
		return virerr.New(virerr.ErrOperationFailed, virerr.FromLXC, "host device already exists")
	}
	defer func() { d.auditSend(audit.Hostdev(auditDomain(dom), audit.ReasonAttach, h, err == nil)) }()
	notKind := "Hostdev source %s must be a character device"
	if n.block {
		notKind = "Hostdev source %s must be a block device"
	}
	if n.major, n.minor, err = statNode(n.path, n.block, notKind); err != nil {
		return err
	}
	if err := d.checkLiveNodes(live); err != nil {
		return err
	}
	if err := d.addNode(dom, live, r, n); err != nil {
		return err
	}
	live.Devices.Hostdevs = append(live.Devices.Hostdevs, h)
	return nil
}

// detachHostdevLive is lxcDomainDetachDeviceHostdevLive for caps storage
// and misc devices.
func (d *Driver) detachHostdevLive(dom *domain, live *domainxml.Domain, h libvirtxml.DomainHostdev) error {
	r, err := d.liveRun(dom, "hostdev", false)
	if err != nil {
		return err
	}
	n, err := hostdevNode(h)
	if err != nil {
		return err
	}
	idx := liveHostdevIndex(live, &h)
	if idx < 0 {
		return virerr.New(virerr.ErrOperationFailed, virerr.FromLXC, "hostdev %s not found", n.path)
	}
	if err := d.checkLiveNodes(live); err != nil {
		return err
	}
	if major, minor, err := statNode(n.path, n.block, "%s"); err == nil {
		n.major, n.minor = major, minor
	}
	err = d.removeNode(dom, live, r, n)
	d.auditSend(audit.Hostdev(auditDomain(dom), audit.ReasonDetach, live.Devices.Hostdevs[idx], err == nil))
	if err != nil {
		return err
	}
	live.Devices.Hostdevs = append(live.Devices.Hostdevs[:idx:idx], live.Devices.Hostdevs[idx+1:]...)
	return nil
}

// liveHostdevIndex is virDomainHostdevFind: the host device of def that
// is h, or -1.
func liveHostdevIndex(def *domainxml.Domain, h *libvirtxml.DomainHostdev) int {
	if def.Devices == nil {
		return -1
	}
	for i := range def.Devices.Hostdevs {
		if sameHostdev(&def.Devices.Hostdevs[i], h) {
			return i
		}
	}
	return -1
}
