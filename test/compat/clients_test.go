package compat

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/testutil"
)

func (e *env) out(args string) string {
	e.t.Helper()
	out, err := exec.Command("sh", "-c", e.virsh+" "+args).CombinedOutput()
	if err != nil {
		e.t.Fatalf("virsh %s: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestDaemonKilledAndRestarted: kill -9 virtlxcd with a container running;
// a new daemon finds it running with the same id and can stop it.
func TestDaemonKilledAndRestarted(t *testing.T) {
	e := setup(t)
	e.out("define " + filepath.Join(e.xml, "anchor-basic.xml"))
	e.out("start anchor-basic")
	id := e.out("domid anchor-basic")
	if err := e.daemon.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = e.daemon.Wait()
	e.daemon = exec.Command(filepath.Join(testutil.Binaries(t), "virtlxcd"), "--root", e.root)
	if err := e.daemon.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("unix", filepath.Join(e.root, "run/libvirt/virtlxcd-sock")); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second virtlxcd did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := e.out("domid anchor-basic"); got != id {
		t.Errorf("id after the restart %s, want %s", got, id)
	}
	if got := e.out("domstate --reason anchor-basic"); got != "running (unknown)" {
		t.Errorf("state after the restart %q, want running (unknown)", got)
	}
	if got := e.out("lxc-enter-namespace anchor-basic --noseclabel -- /bin/hostname"); got != "anchor-basic" {
		t.Errorf("entered hostname %q", got)
	}
	e.out("destroy anchor-basic")
	if got := e.out("domstate --reason anchor-basic"); got != "shut off (destroyed)" {
		t.Errorf("state after destroy %q", got)
	}
	e.out("undefine anchor-basic")
}

// TestPythonLibvirt drives the same flow through python3-libvirt.
func TestPythonLibvirt(t *testing.T) {
	e := setup(t)
	xml, err := os.ReadFile(filepath.Join(e.xml, "anchor-basic.xml"))
	if err != nil {
		t.Fatal(err)
	}
	script := `
import libvirt, sys
c = libvirt.open(sys.argv[1])
d = c.defineXML(sys.stdin.read())
print("defined", d.name(), d.isActive(), d.isPersistent())
d.create()
st, reason = d.state()
print("state", st, reason, d.ID() > 0)
print("info", d.info()[0], d.info()[1])
print("names", sorted(x.name() for x in c.listAllDomains()))
d.destroy()
print("after destroy", d.state())
d.undefine()
try:
    c.lookupByName("anchor-basic")
except libvirt.libvirtError as e:
    print("lookup", e.get_error_code(), e.get_error_message())
print("caps", "<domain type='lxc'/>" in c.getCapabilities(), c.getType(), c.getLibVersion())
`
	out := e.python(string(xml), "-c", script)
	want := "defined anchor-basic 0 1\nstate 1 1 True\ninfo 1 131072\nnames ['anchor-basic']\nafter destroy [5, 2]\n" +
		"lookup 42 Domain not found: No domain with matching name 'anchor-basic'\ncaps True LXC 9000000\n"
	if string(out) != want {
		t.Errorf("python3-libvirt printed\n%s\nwant\n%s", out, want)
	}
}

// TestGoLibvirt drives the flow and the event stream through go-libvirt.
func TestGoLibvirt(t *testing.T) {
	e := setup(t)
	conn, err := net.Dial("unix", filepath.Join(e.root, "run/libvirt/virtlxcd-sock"))
	if err != nil {
		t.Fatal(err)
	}
	l := libvirt.New(conn)
	if err := l.ConnectToURI(libvirt.ConnectURI("lxc:///system")); err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer l.Disconnect()
	xml, err := os.ReadFile(filepath.Join(e.xml, "anchor-basic.xml"))
	if err != nil {
		t.Fatal(err)
	}
	events, err := l.LifecycleEvents(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	dom, err := l.DomainDefineXML(string(xml))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.DomainCreate(dom); err != nil {
		t.Fatal(err)
	}
	state, _, err := l.DomainGetState(dom, 0)
	if err != nil || state != int32(libvirt.DomainRunning) {
		t.Fatalf("state %d, %v", state, err)
	}
	if err := l.DomainDestroy(dom); err != nil {
		t.Fatal(err)
	}
	if err := l.DomainUndefine(dom); err != nil {
		t.Fatal(err)
	}
	want := []libvirt.DomainEventType{libvirt.DomainEventDefined, libvirt.DomainEventStarted, libvirt.DomainEventStopped, libvirt.DomainEventUndefined}
	for _, w := range want {
		select {
		case ev := <-events:
			if libvirt.DomainEventType(ev.Event) != w || ev.Dom.Name != "anchor-basic" {
				t.Errorf("event %+v, want type %d", ev, w)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no event of type %d", w)
		}
	}
	if _, err := l.DomainLookupByName("anchor-basic"); !libvirt.IsNotFound(err) {
		t.Errorf("lookup after undefine: %v", err)
	}
	// Flags the driver does not know, worded as libvirt 9.0's daemon
	// words them (virCheckFlags).
	if _, err := l.ConnectGetSysinfo(1); err == nil || err.Error() != "unsupported flags (0x1) in function lxcConnectGetSysinfo" {
		t.Errorf("sysinfo with flags: %v", err)
	}
	if _, err := l.ConnectDomainXMLFromNative("lxc-tools", "lxc.utsname = a\nlxc.rootfs = /r\n", 1); err == nil ||
		err.Error() != "unsupported flags (0x1) in function lxcConnectDomainXMLFromNative" {
		t.Errorf("domxml-from-native with flags: %v", err)
	}
	if _, err := l.DomainInterfaceAddresses(libvirt.Domain{Name: "nosuch"}, 0, 1); err == nil ||
		err.Error() != "unsupported flags (0x1) in function lxcDomainInterfaceAddresses" {
		t.Errorf("domifaddr with flags: %v", err)
	}
	if x, err := l.ConnectDomainXMLFromNative("lxc-tools", "lxc.utsname = a\nlxc.rootfs = /r\n", 0); err != nil || !strings.Contains(x, "<name>a</name>") {
		t.Errorf("domxml-from-native: %v\n%s", err, x)
	}
}

// TestReadOnlySocketAndSecondDaemon: the -ro socket answers queries and
// refuses every mutation; a second daemon on the same root refuses to start.
func TestReadOnlySocketAndSecondDaemon(t *testing.T) {
	e := setup(t)
	e.out("define " + filepath.Join(e.xml, "anchor-basic.xml"))
	ro := "virsh -c lxc:///system?socket=" + filepath.Join(e.root, "run/libvirt/virtlxcd-sock-ro")
	out, err := exec.Command("sh", "-c", ro+" list --all --name").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "anchor-basic" {
		t.Errorf("list on the read-only socket: %v %q", err, out)
	}
	out, err = exec.Command("sh", "-c", ro+" start anchor-basic").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "operation forbidden: read only access prevents virDomainCreate") {
		t.Errorf("start on the read-only socket: %v %q", err, out)
	}
	st, err := os.Stat(filepath.Join(e.root, "run/libvirt/virtlxcd-sock-ro"))
	if err != nil || st.Mode().Perm() != 0o666 {
		t.Errorf("read-only socket mode %v (%v), want 0666", st.Mode().Perm(), err)
	}
	if st, err := os.Stat(filepath.Join(e.root, "run/libvirt/virtlxcd-sock")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("read-write socket mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	second := exec.Command(filepath.Join(testutil.Binaries(t), "virtlxcd"), "--root", e.root)
	out, err = second.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "virtlxcd:") {
		t.Errorf("a second daemon on the same root: %v %q", err, out)
	}
	t.Logf("second daemon said: %s", strings.TrimSpace(string(out)))
	e.out("undefine anchor-basic")
}

// TestPythonLibvirtNetworks: python3-libvirt's network update and port
// calls (its virNetworkUpdate asks the server for the argument order).
// Nothing touches the host: a direct network starts without creating
// anything, and the bridge network stays defined only.
func TestPythonLibvirtNetworks(t *testing.T) {
	e := setup(t)
	script := `
import libvirt, sys
c = libvirt.open(sys.argv[1])
n = c.networkDefineXML("<network><name>pyd</name><forward mode='bridge'><interface dev='pyeth0'/></forward></network>")
n.create()
p = n.portCreateXML("<networkport><uuid>0c6b3a4e-5f2d-4a1b-9c8d-7e6f5a4b3c2d</uuid><owner><name>ext</name>"
                    "<uuid>1d7c4b5f-6a3e-4b2c-8d9e-0f1a2b3c4d5e</uuid></owner><mac address='52:54:00:cc:00:01'/></networkport>")
print("ports", [x.UUIDString() for x in n.listAllPorts()])
print("plug", "<plug type='direct' dev='pyeth0' mode='bridge'/>" in p.XMLDesc(0), "connections='1'" in n.XMLDesc(0))
p.delete()
print("after delete", n.listAllPorts())
n.update(libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, libvirt.VIR_NETWORK_SECTION_FORWARD_INTERFACE, -1,
         "<interface dev='pyeth1'/>", libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE | libvirt.VIR_NETWORK_UPDATE_AFFECT_CONFIG)
print("pool", "pyeth1" in n.XMLDesc(0), "pyeth1" in n.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE))
b = c.networkDefineXML("<network><name>pyb</name><bridge name='pybr0'/><ip address='10.5.5.1' prefix='24'>"
                       "<dhcp><range start='10.5.5.10' end='10.5.5.20'/></dhcp></ip></network>")
b.update(libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST, libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST, -1,
         "<host mac='52:54:00:00:00:07' ip='10.5.5.7'/>", 0)
print("host", "<host mac='52:54:00:00:00:07' ip='10.5.5.7'/>" in b.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE))
try:
    b.update(libvirt.VIR_NETWORK_UPDATE_COMMAND_DELETE, libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST, -1,
             "<host ip='10.5.5.7'/>", libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE)
except libvirt.libvirtError as e:
    print("live", e.get_error_code(), e.get_error_message())
n.destroy(); n.undefine(); b.undefine()
`
	out := e.python("", "-c", script)
	want := "ports ['0c6b3a4e-5f2d-4a1b-9c8d-7e6f5a4b3c2d']\nplug True True\nafter delete []\npool True True\nhost True\n" +
		"live 55 Requested operation is not valid: network is not running\n"
	if string(out) != want {
		t.Errorf("python3-libvirt printed\n%s\nwant\n%s", out, want)
	}
}
