package network

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"virtlxc/internal/testutil"
)

// tcOptions are the kernel options libvirt's bandwidth setup needs: htb
// with an sfq leaf and a fw filter on the transmit side, an ingress qdisc
// with a u32 filter and a police action on the receive side.
var tcOptions = []string{"NET_SCH_HTB", "NET_SCH_SFQ", "NET_CLS_FW", "NET_SCH_INGRESS", "NET_CLS_U32", "NET_ACT_POLICE"}

// missingTC lists the tcOptions this kernel was built without (none when
// it does not say: /proc/config.gz absent).
func missingTC(t *testing.T) []string {
	f, err := os.Open("/proc/config.gz")
	if err != nil {
		return nil
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, o := range tcOptions {
		if !bytes.Contains(cfg, []byte("\nCONFIG_"+o+"=y")) && !bytes.Contains(cfg, []byte("\nCONFIG_"+o+"=m")) {
			missing = append(missing, "CONFIG_"+o)
		}
	}
	return missing
}

// TestInterfaceBandwidth: a bridged interface's <bandwidth> is on its
// host end as libvirt sets it: the container's inbound shaped where the
// host end transmits (htb class, sfq leaf), its outbound policed where
// the host end receives (ingress filter); the container still talks
// through it. On a kernel without those queueing disciplines, filters and
// actions the start fails as libvirt's does, with tc's reason, and leaves
// no device behind.
func TestInterfaceBandwidth(t *testing.T) {
	ns := newNS(t)
	ns.ip("link", "add", "br0", "type", "bridge")
	ns.ip("addr", "add", "10.77.0.1/24", "dev", "br0")
	ns.ip("link", "set", "br0", "up")
	bin, root, sock := ns.daemon()
	rootfs := testutil.BusyboxRoot(t)
	xml := domainXML("bw", rootfs, "ping -c 1 -W 5 10.77.0.1 >/dev/null && echo ok > /ping || echo fail > /ping; exec sleep 1000",
		`    <interface type='bridge'><source bridge='br0'/><ip address='10.77.0.2' prefix='24'/>
      <bandwidth><inbound average='1000' peak='2000' burst='64'/><outbound average='500'/></bandwidth>
    </interface>
`, "")
	if missing := missingTC(t); len(missing) > 0 {
		t.Logf("this kernel lacks %s: the start must fail cleanly", strings.Join(missing, ", "))
		cfg := root + "/bw.xml"
		if err := os.WriteFile(cfg, []byte(xml), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := virtlxc(t, bin, sock, "create", cfg)
		if err == nil || !strings.Contains(out, "Child process (tc ") || !strings.Contains(out, "unexpected exit status") {
			t.Fatalf("create with bandwidth on this kernel: %v\n%s", err, out)
		}
		ns.assertOnly("lo", "br0")
		return
	}
	createCtr(t, bin, sock, root, "bw", xml)
	var host string
	for name, l := range ns.links() {
		if l.Type == "veth" && l.Master == "br0" {
			host = name
		}
	}
	if host == "" {
		t.Fatalf("no host end on br0: %v", ns.links())
	}
	tc := func(args ...string) string {
		out, err := ns.cmd(append([]string{"tc"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tc %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	qdiscs := tc("qdisc", "show", "dev", host)
	for _, want := range []string{"qdisc htb 1: root", "qdisc sfq 2: parent 1:1", "qdisc ingress ffff:"} {
		if !strings.Contains(qdiscs, want) {
			t.Errorf("no %q on %s:\n%s", want, host, qdiscs)
		}
	}
	// tc prints rates in bits: 1000 KiB/s is 8192 kbit.
	if class := tc("class", "show", "dev", host); !strings.Contains(class, "rate 8192Kbit ceil 16384Kbit burst 64Kb") {
		t.Errorf("htb class on %s:\n%s", host, class)
	}
	if filter := tc("filter", "show", "dev", host, "ingress"); !strings.Contains(filter, "rate 4096Kbit burst 500Kb") || !strings.Contains(filter, "drop") {
		t.Errorf("ingress police on %s:\n%s", host, filter)
	}
	c := &dhcpCtr{name: "bw", rootfs: rootfs}
	if got := c.waitFile(t, "ping"); got != "ok" {
		t.Errorf("ping through the limited interface: %s", got)
	}
}

// TestNetworkBandwidth: a network's <bandwidth> is on its bridge, with
// libvirt's parent class; where the kernel lacks what it needs the start
// fails with tc's reason and leaves no bridge.
func TestNetworkBandwidth(t *testing.T) {
	ns := newNS(t)
	_, root, sock := ns.daemon()
	def := filepath.Join(root, "nb.xml")
	xml := `<network><name>nb</name><forward mode='nat'/><bridge name='virbr6'/>
  <bandwidth><inbound average='1000' peak='2000'/><outbound average='500' burst='100'/></bandwidth>
  <ip address='192.168.197.1' prefix='24'/></network>`
	if err := os.WriteFile(def, []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
	if missing := missingTC(t); len(missing) > 0 {
		t.Logf("this kernel lacks %s: the start must fail cleanly", strings.Join(missing, ", "))
		out, err := virsh(t, sock, "net-create", def)
		if err == nil || !strings.Contains(out, "Child process (tc ") {
			t.Fatalf("net-create with bandwidth on this kernel: %v\n%s", err, out)
		}
		ns.assertOnly("lo")
		return
	}
	mustVirsh(t, sock, "net-create", def)
	t.Cleanup(func() { _, _ = virsh(t, sock, "net-destroy", "nb") })
	out, err := ns.cmd("tc", "class", "show", "dev", "virbr6").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "class htb 1:1 root") || !strings.Contains(string(out), "class htb 1:2 parent 1:1") {
		t.Errorf("classes on the bridge: %v\n%s", err, out)
	}
}
