package network

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/firewall"
)

// Load fills the registry from disk when the daemon starts: the saved
// definitions, then the live state of networks still active (a state
// file whose bridge is gone, after a crash or reboot, is dropped), then,
// once per boot as libvirt does, it starts the inactive networks marked
// autostart. Failures are returned together; the networks that loaded
// are kept.
func (r *Registry) Load() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, failed := r.store.LoadAll(func(name string, data []byte) error {
		n, err := Parse(data)
		if err != nil {
			return err
		}
		if n.Name != name {
			return fmt.Errorf("network config %s.xml defines network '%s'", name, n.Name)
		}
		FillDefaults(n, r.freeBridge)
		r.nets[name] = &object{def: n, persistent: true}
		return nil
	})
	errs := append([]error(nil), failed...)
	errs = append(errs, r.loadState()...)
	if !r.firstLoadThisBoot() {
		return errors.Join(errs...)
	}
	var names []string
	for name, o := range r.nets {
		if o.live == nil && o.persistent && r.store.Autostart(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		if err := r.start(r.nets[name]); err != nil {
			errs = append(errs, fmt.Errorf("autostarting network %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// resumeServices puts back what a running network needs after the
// daemon restarted: its firewall rules (replaced as a whole) and dnsmasq
// when it died. Failures are logged; the network stays active.
func (r *Registry) resumeServices(n *libvirtxml.Network) {
	if fw := firewallOf(n); firewall.Needed(fw) {
		if err := r.services.ApplyFirewall(fw); err != nil {
			r.log.Warn("reinstalling firewall rules", "network", n.Name, "err", err)
		}
	}
	c, needed, err := dnsmasqOf(n)
	if err == nil && needed && !r.services.DnsmasqRunning(r.files(n)) {
		r.log.Warn("network's dnsmasq is gone; starting it again", "network", n.Name)
		err = r.services.StartDnsmasq(c, r.files(n))
	}
	if err != nil {
		r.log.Warn("restarting dnsmasq", "network", n.Name, "err", err)
	}
}

// loadState reattaches the networks whose state files say they are
// active; the caller holds r.mu.
func (r *Registry) loadState() []error {
	entries, err := os.ReadDir(r.stateDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return []error{fmt.Errorf("reading network state directory: %w", err)}
	}
	var errs []error
	for _, e := range entries {
		fname := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(fname, ".xml") {
			continue
		}
		path := filepath.Join(r.stateDir, fname)
		data, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("reading network state %s: %w", path, err))
			continue
		}
		live, err := Parse(data)
		if err != nil || (live.Bridge == nil && !Direct(live)) || live.Name+".xml" != fname {
			errs = append(errs, fmt.Errorf("bad network state %s: %v", path, err))
			_ = os.Remove(path)
			continue
		}
		if Direct(live) {
			// Nothing on the host to find: its ports are its domains'.
		} else if _, isBridge, err := r.links.Exists(live.Bridge.Name); err != nil || !isBridge {
			r.log.Warn("network's bridge is gone; marking it inactive", "network", live.Name, "bridge", live.Bridge.Name)
			if managesBridge(live) {
				r.stopServices(live)
			}
			_ = os.Remove(path)
			continue
		}
		if managesBridge(live) {
			r.resumeServices(live)
		}
		o := r.nets[live.Name]
		if o == nil {
			o = &object{def: live}
			r.nets[live.Name] = o
		}
		o.live = live
	}
	return errs
}

// firstLoadThisBoot creates the marker STATE/autostarted (on the run
// tmpfs) and reports whether it did not exist yet, so networks are
// autostarted once per boot, not again by every daemon restart.
func (r *Registry) firstLoadThisBoot() bool {
	if err := os.MkdirAll(r.stateDir, 0o700); err != nil {
		r.log.Error("cannot create the network state directory", "err", err)
		return false
	}
	f, err := os.OpenFile(filepath.Join(r.stateDir, "autostarted"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if !errors.Is(err, fs.ErrExist) {
			r.log.Error("cannot create the network autostart marker", "err", err)
		}
		return false
	}
	f.Close()
	return true
}
