package network

import (
	"strings"
	"testing"
	"time"
)

// report prints what the container sees of one interface.
const report = `
d=%s
echo "@@MAC=$(cat /sys/class/net/$d/address)"
echo "@@FLAGS=$(cat /sys/class/net/$d/flags)"
echo "@@OPER=$(cat /sys/class/net/$d/operstate)"
echo "@@MTU=$(cat /sys/class/net/$d/mtu)"
ip -o addr show dev $d | sed 's/^/@@ADDR=/'
ip route | sed 's/^/@@ROUTE=/'
ip -o link | sed 's/^/@@LINK=/'
echo "@@LO=$(cat /sys/class/net/lo/flags)"
`

func script(dev, extra string) string {
	return strings.Replace(report, "%s", dev, 1) + extra + "\nread x < /gate\n"
}

// isUp reads an interface flags word from sysfs (IFF_UP is bit 0).
func isUp(flags string) bool {
	return strings.HasPrefix(flags, "0x") && len(flags) > 2 && (flags[len(flags)-1]-'0')&1 == 1
}

func TestBridgeInterface(t *testing.T) {
	for _, tc := range []struct {
		name string
		base int
	}{{"root", 0}, {"idmap", idmapBase}} {
		t.Run(tc.name, func(t *testing.T) { testBridge(t, tc.base) })
	}
}

// testBridge runs a bridge interface, in a user namespace when base is set.
func testBridge(t *testing.T, base int) {
	ns := newNS(t)
	ns.ip("link", "add", "br0", "type", "bridge")
	ns.ip("addr", "add", "10.77.0.1/24", "dev", "br0")
	ns.ip("link", "set", "br0", "up")
	ns.listen(5000)
	c := ns.startMapped("netbr", script("eth0", `echo "@@REPLY=$(echo ping | nc 10.77.0.1 5000)"`), `
    <interface type='bridge'>
      <mac address='52:54:00:12:34:56'/>
      <source bridge='br0'/>
      <ip address='10.77.0.2' prefix='24'/>
      <route address='10.88.0.0' prefix='16' gateway='10.77.0.1'/>
    </interface>
`, base)
	var host string
	for name, l := range ns.links() {
		if l.Type == "veth" {
			host = name
			if l.Master != "br0" || !l.Up {
				t.Errorf("host end %s: master %q up %v, want enslaved to br0 and up", name, l.Master, l.Up)
			}
		}
	}
	if !strings.HasPrefix(host, "vl") {
		t.Errorf("host end %q, want an auto name with this root's prefix", host)
	}
	v := c.finish()
	if v["MAC"] != "52:54:00:12:34:56" || !isUp(v["FLAGS"]) || v["OPER"] != "up" {
		t.Errorf("eth0 mac %q flags %q operstate %q", v["MAC"], v["FLAGS"], v["OPER"])
	}
	if !strings.Contains(v["ADDR"], "inet 10.77.0.2/24") {
		t.Errorf("eth0 addresses:\n%s", v["ADDR"])
	}
	if !strings.Contains(v["ROUTE"], "10.88.0.0/16 via 10.77.0.1 dev eth0") {
		t.Errorf("routes:\n%s", v["ROUTE"])
	}
	if strings.Contains(v["LINK"], "vlxpeer") || !isUp(v["LO"]) {
		t.Errorf("links (lo flags %s):\n%s", v["LO"], v["LINK"])
	}
	if v["REPLY"] != "got ping" {
		t.Errorf("TCP exchange with the bridge address: got %q", v["REPLY"])
	}
	ns.assertOnly("lo", "br0")
}

func TestEthernetInterfaceHostSide(t *testing.T) {
	ns := newNS(t)
	c := ns.start("neteth", script("lan", ""), `
    <interface type='ethernet'>
      <source>
        <ip address='10.66.0.1' prefix='24'/>
        <route address='10.99.0.0' prefix='16' gateway='10.66.0.2'/>
      </source>
      <target dev='vhost-eth'/>
      <guest dev='lan'/>
      <mtu size='1400'/>
      <ip address='10.66.0.2' prefix='24'/>
      <route address='0.0.0.0' prefix='0' gateway='10.66.0.1'/>
    </interface>
    <interface type='ethernet'><target dev='vhost-down'/></interface>
`)
	links := ns.links()
	h := links["vhost-eth"]
	if h.Type != "veth" || !h.Up || h.MTU != 1400 || len(h.Addrs) == 0 || !strings.Contains(strings.Join(h.Addrs, " "), "10.66.0.1/24") {
		t.Errorf("host end: %+v", h)
	}
	if r := ns.ip("route", "show", "10.99.0.0/16"); !strings.Contains(r, "via 10.66.0.2 dev vhost-eth") {
		t.Errorf("host route: %q", r)
	}
	if _, ok := links["vhost-down"]; !ok {
		t.Errorf("second host end missing: %v", links)
	}
	v := c.finish()
	if !isUp(v["FLAGS"]) || v["MTU"] != "1400" || !strings.Contains(v["ADDR"], "inet 10.66.0.2/24") {
		t.Errorf("lan flags %q mtu %q addresses %q", v["FLAGS"], v["MTU"], v["ADDR"])
	}
	if !strings.Contains(v["ROUTE"], "default via 10.66.0.1 dev lan") {
		t.Errorf("routes:\n%s", v["ROUTE"])
	}
	// The unnamed one is eth0 (a named interface takes no number) and,
	// with no <ip> and no <link state='up'/>, stays down.
	var eth0 string
	for _, l := range strings.Split(v["LINK"], "\n") {
		if strings.Contains(l, " eth0@") || strings.Contains(l, " eth0:") {
			eth0 = l
		}
	}
	if eth0 == "" || strings.Contains(eth0, ",UP") || strings.Contains(eth0, "<UP") {
		t.Errorf("eth0 should exist and be down:\n%s", v["LINK"])
	}
	ns.assertOnly("lo")
}

// TestDirectInterface runs a macvlan on a device of the test namespace.
func TestDirectInterface(t *testing.T) {
	ns := newNS(t)
	// The lower device: one end of a veth pair (the kernel may lack the
	// dummy driver).
	ns.ip("link", "add", "low0", "type", "veth", "peer", "name", "low1")
	ns.ip("link", "set", "low0", "up")
	c := ns.start("netmv", script("mv0", ""), `
    <interface type='direct'>
      <mac address='52:54:00:ab:cd:ef'/>
      <source dev='low0' mode='bridge'/>
      <guest dev='mv0'/>
      <ip address='10.55.0.2' prefix='24'/>
    </interface>
`)
	ns.assertOnly("lo", "low0", "low1") // the macvlan lives in the container
	v := c.finish()
	if v["MAC"] != "52:54:00:ab:cd:ef" || !isUp(v["FLAGS"]) || !strings.Contains(v["ADDR"], "inet 10.55.0.2/24") {
		t.Errorf("mv0 mac %q flags %q addresses %q", v["MAC"], v["FLAGS"], v["ADDR"])
	}
	if !strings.Contains(v["LINK"], "mv0@") {
		t.Errorf("links:\n%s", v["LINK"])
	}
	ns.assertOnly("lo", "low0", "low1")
}

func TestFailedStartLeavesNoDevice(t *testing.T) {
	ns := newNS(t)
	ns.ip("link", "add", "br0", "type", "bridge")
	c := ns.start("netbad", "true", `
    <interface type='ethernet'><target dev='vgood'/></interface>
    <interface type='bridge'><source bridge='nosuchbr'/><target dev='vbad'/></interface>
`)
	err, log := c.wait()
	if err == nil {
		t.Fatalf("start with a missing bridge succeeded\n%s", log)
	}
	if !strings.Contains(log, "nosuchbr") {
		t.Errorf("log does not name the missing bridge:\n%s", log)
	}
	ns.assertOnly("lo", "br0")

	// A failure inside the container (a route whose gateway is not
	// reachable: the link has no address) removes the host ends too.
	c = ns.start("netbad2", "true", `
    <interface type='bridge'><source bridge='br0'/><target dev='vguest'/>
      <route address='10.9.0.0' prefix='16' gateway='10.8.0.1'/></interface>
`)
	err, log = c.wait()
	if err == nil || !strings.Contains(log, "Failed to add route 10.9.0.0/16 via 10.8.0.1") {
		t.Fatalf("start with an unreachable gateway: %v\n%s", err, log)
	}
	ns.assertOnly("lo", "br0")
}

// TestControllerCrashLeavesNoDevice kills the controller with SIGKILL: init
// dies with it, its network namespace goes and the kernel removes the
// veth pair, host end included.
func TestControllerCrashLeavesNoDevice(t *testing.T) {
	ns := newNS(t)
	ns.ip("link", "add", "br0", "type", "bridge")
	c := ns.start("netcrash", "read x < /gate", `
    <interface type='bridge'><source bridge='br0'/><target dev='vcrash'/></interface>
`)
	if _, ok := ns.links()["vcrash"]; !ok {
		t.Fatalf("host end vcrash missing: %v", ns.links())
	}
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_, _ = c.wait()
	// The namespace is dismantled asynchronously: wait for it, bounded.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, ok := ns.links()["vcrash"]; !ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("host end vcrash still present 10s after the controller died")
}
