package network

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"virtlxc/internal/dnsmasq"
	"virtlxc/internal/firewall"
	"virtlxc/internal/netdev"
	"virtlxc/internal/virerr"
)

// fakeLinks records bridges instead of creating them.
type fakeLinks struct {
	mu      sync.Mutex
	bridges map[string]netdev.Bridge
	others  map[string]bool // non-bridge devices
	routes  map[string]bool // subnets in use
}

func newFake() *fakeLinks {
	return &fakeLinks{bridges: map[string]netdev.Bridge{}, others: map[string]bool{}, routes: map[string]bool{}}
}

func (f *fakeLinks) CreateBridge(b netdev.Bridge) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bridges[b.Name] = b
	return nil
}

func (f *fakeLinks) DeleteBridge(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.bridges, name)
	return nil
}

func (f *fakeLinks) Exists(name string) (bool, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, br := f.bridges[name]
	return br || f.others[name], br, nil
}

// fakeServices records firewall tables and dnsmasq instances.
type fakeServices struct {
	mu         sync.Mutex
	forwarding bool
	tables     map[string]firewall.Network
	dnsmasq    map[string]dnsmasq.Config // by conf path
	failStart  error
	refreshed  int // RefreshDnsmasq calls
	restarted  int // RestartDnsmasq calls
}

func (f *fakeServices) EnableForwarding(bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forwarding = true
	return nil
}

func (f *fakeServices) ApplyFirewall(n firewall.Network) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tables[n.Bridge] = n
	return nil
}

func (f *fakeServices) RemoveFirewall(bridge string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.tables, bridge)
	return nil
}

func (f *fakeServices) StartDnsmasq(c dnsmasq.Config, files dnsmasq.Files) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failStart != nil {
		return f.failStart
	}
	f.dnsmasq[files.Conf] = c
	return nil
}

func (f *fakeServices) StopDnsmasq(files dnsmasq.Files) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.dnsmasq, files.Conf)
	return nil
}

func (f *fakeServices) RefreshDnsmasq(c dnsmasq.Config, files dnsmasq.Files) error {
	f.mu.Lock()
	f.refreshed++
	f.mu.Unlock()
	return f.StartDnsmasq(c, files)
}

func (f *fakeServices) RestartDnsmasq(c dnsmasq.Config, files dnsmasq.Files) error {
	f.mu.Lock()
	f.restarted++
	f.mu.Unlock()
	return f.StartDnsmasq(c, files)
}

func (f *fakeServices) DnsmasqRunning(files dnsmasq.Files) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.dnsmasq[files.Conf]
	return ok
}

func (f *fakeLinks) SubnetInUse(subnet *net.IPNet) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.routes[subnet.String()], nil
}

func newTestRegistry(t *testing.T, f *fakeLinks) (*Registry, Config) {
	t.Helper()
	dir := t.TempDir()
	c := Config{
		ConfigDir:    filepath.Join(dir, "etc/networks"),
		AutostartDir: filepath.Join(dir, "etc/networks/autostart"),
		StateDir:     filepath.Join(dir, "run/network"),
		DnsmasqDir:   filepath.Join(dir, "lib/dnsmasq"),
		Links:        f,
		Services:     &fakeServices{tables: map[string]firewall.Network{}, dnsmasq: map[string]dnsmasq.Config{}},
	}
	return NewRegistry(c), c
}

func wantErr(t *testing.T, err error, code virerr.Code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", msg)
	}
	if e := virerr.As(err); e.Code != code || e.Message != msg {
		t.Fatalf("error %d %q, want %d %q", e.Code, e.Message, code, msg)
	}
}

const isoXML = `<network><name>iso</name><ip address='10.77.0.1' prefix='24'/></network>`

func TestLifecycle(t *testing.T) {
	f := newFake()
	f.others["virbr0"] = true // a host device takes the first auto name
	r, c := newTestRegistry(t, f)
	info, err := r.Define([]byte(isoXML))
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "iso" || info.Bridge != "virbr1" || info.Active || !info.Persistent || info.Autostart {
		t.Fatalf("defined: %+v", info)
	}
	if _, err := os.Stat(filepath.Join(c.ConfigDir, "iso.xml")); err != nil {
		t.Fatal(err)
	}
	if got, err := r.LookupByUUID(strings.ToUpper(info.UUID)); err != nil || got.Name != "iso" {
		t.Fatalf("by uuid: %+v %v", got, err)
	}
	wantErr(t, r.Destroy("iso"), virerr.ErrOperationInvalid, "Requested operation is not valid: network 'iso' is not active")
	if err := r.Start("iso"); err != nil {
		t.Fatal(err)
	}
	b := f.bridges["virbr1"]
	if len(b.Addrs) != 1 || b.Addrs[0].Address != "10.77.0.1" || b.Addrs[0].Prefix != 24 || !strings.HasPrefix(b.MAC, "52:54:00:") {
		t.Fatalf("bridge: %+v", b)
	}
	wantErr(t, r.Start("iso"), virerr.ErrOperationInvalid, "Requested operation is not valid: network is already active")
	if br, err := r.Bridge("iso"); err != nil || br != "virbr1" {
		t.Fatalf("Bridge: %q %v", br, err)
	}
	if _, err := os.Stat(filepath.Join(c.StateDir, "iso.xml")); err != nil {
		t.Fatal(err)
	}
	if err := r.SetAutostart("iso", true); err != nil {
		t.Fatal(err)
	}
	if info, _ := r.LookupByName("iso"); !info.Autostart || !info.Active {
		t.Fatalf("after autostart: %+v", info)
	}
	// Undefining an active network leaves it running, transient.
	if err := r.Undefine("iso"); err != nil {
		t.Fatal(err)
	}
	if info, _ := r.LookupByName("iso"); info.Persistent || !info.Active || info.Autostart {
		t.Fatalf("after undefine: %+v", info)
	}
	wantErr(t, r.SetAutostart("iso", true), virerr.ErrOperationInvalid,
		"Requested operation is not valid: cannot set autostart for transient network")
	if err := r.Destroy("iso"); err != nil {
		t.Fatal(err)
	}
	if len(f.bridges) != 0 || len(r.List()) != 0 {
		t.Fatalf("left behind: %v %v", f.bridges, r.List())
	}
	wantErr(t, r.Start("iso"), virerr.ErrNoNetwork, "Network not found: no network with matching name 'iso'")
	_, err = r.LookupByUUID("9a05da11-e96b-47f3-8253-a3a482e445f5")
	wantErr(t, err, virerr.ErrNoNetwork, "Network not found: no network with matching uuid '9a05da11-e96b-47f3-8253-a3a482e445f5'")
	if _, err := os.Stat(filepath.Join(c.StateDir, "iso.xml")); !os.IsNotExist(err) {
		t.Fatalf("state file: %v", err)
	}
}

func TestDuplicates(t *testing.T) {
	r, _ := newTestRegistry(t, newFake())
	a, err := r.Define([]byte(`<network><name>a</name><bridge name='br9'/></network>`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Define([]byte(`<network><name>b</name><uuid>` + a.UUID + `</uuid></network>`))
	wantErr(t, err, virerr.ErrOperationFailed, "operation failed: network 'a' is already defined with uuid "+a.UUID)
	_, err = r.Define([]byte(`<network><name>a</name><uuid>9a05da11-e96b-47f3-8253-a3a482e445f5</uuid></network>`))
	wantErr(t, err, virerr.ErrOperationFailed, "operation failed: network 'a' already exists with uuid "+a.UUID)
	_, err = r.Define([]byte(`<network><name>c</name><bridge name='br9'/></network>`))
	wantErr(t, err, virerr.ErrInternalError, "internal error: bridge name 'br9' already in use.")
	// Redefinition keeps the uuid and the bridge.
	b, err := r.Define([]byte(`<network><name>a</name></network>`))
	if err != nil || b.UUID != a.UUID || b.Bridge != "br9" {
		t.Fatalf("redefine: %+v %v", b, err)
	}
	// A transient network with a taken name is refused.
	_, err = r.CreateXML([]byte(`<network><name>a</name></network>`))
	wantErr(t, err, virerr.ErrOperationFailed, "operation failed: network 'a' already exists with uuid "+a.UUID)
}

func TestTransientAndBridgeMode(t *testing.T) {
	f := newFake()
	r, _ := newTestRegistry(t, f)
	info, err := r.CreateXML([]byte(`<network><name>t</name><forward mode='route'/><ip address='10.1.0.1' prefix='16'/></network>`))
	if err != nil || !info.Active || info.Persistent || info.Bridge != "virbr0" {
		t.Fatalf("create: %+v %v", info, err)
	}
	wantErr(t, r.Undefine("t"), virerr.ErrOperationInvalid, "Requested operation is not valid: can't undefine transient network")
	if err := r.Destroy("t"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.LookupByName("t"); err == nil {
		t.Fatal("transient network survived destroy")
	}
	if _, err := r.Define([]byte(`<network><name>hb</name><forward mode='bridge'/><bridge name='br0'/></network>`)); err != nil {
		t.Fatal(err)
	}
	wantErr(t, r.Start("hb"), virerr.ErrInternalError, "internal error: network 'hb': bridge 'br0' does not exist")
	f.bridges["br0"] = netdev.Bridge{Name: "br0"}
	if err := r.Start("hb"); err != nil {
		t.Fatal(err)
	}
	if err := r.Destroy("hb"); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.bridges["br0"]; !ok {
		t.Fatal("destroy removed a bridge the network did not create")
	}
	if _, err := r.Define([]byte(`<network><name>pt</name><forward mode='passthrough'/></network>`)); err != nil {
		t.Fatal(err)
	}
	// A direct network starts without touching the host (libvirt does
	// not check its pool either); its ports fail until it has one.
	if err := r.Start("pt"); err != nil {
		t.Fatal(err)
	}
	if err := r.Destroy("pt"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Define([]byte(`<network><name>hd</name><forward mode='hostdev'/></network>`)); err != nil {
		t.Fatal(err)
	}
	wantErr(t, r.Start("hd"), virerr.ErrConfigUnsupported,
		"unsupported configuration: network 'hd': forward mode 'hostdev' is not supported by virtlxc")
}

func TestLoad(t *testing.T) {
	f := newFake()
	r, c := newTestRegistry(t, f)
	for _, x := range []string{isoXML, `<network><name>auto</name></network>`, `<network><name>gone</name></network>`} {
		if _, err := r.Define([]byte(x)); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.SetAutostart("auto", true); err != nil {
		t.Fatal(err)
	}
	if err := r.Start("iso"); err != nil {
		t.Fatal(err)
	}
	if err := r.Start("gone"); err != nil {
		t.Fatal(err)
	}
	goneBridge, _ := r.Bridge("gone")
	delete(f.bridges, goneBridge) // as after a reboot
	// A new daemon: iso is still running, auto gets started, gone is inactive.
	r2 := NewRegistry(c)
	if err := r2.Load(); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, i := range r2.List() {
		got[i.Name] = i.Active
	}
	if len(got) != 3 || !got["iso"] || !got["auto"] || got["gone"] {
		t.Fatalf("after load: %v", r2.List())
	}
	if _, err := os.Stat(filepath.Join(c.StateDir, "gone.xml")); !os.IsNotExist(err) {
		t.Fatalf("stale state file kept: %v", err)
	}
}
