package network

import (
	"strings"
	"testing"
)

// TestHostdevNet lends a host device (one end of a veth pair: this
// kernel has no dummy driver) (<hostdev mode='capabilities'
// type='net'>) to a container: it leaves the host's namespace, keeps its
// name inside with its <ip> and <route gateway>, and comes back, down and
// without the container's address, when the container stops. A missing
// device fails the start and returns the ones already moved.
func TestHostdevNet(t *testing.T) {
	ns := newNS(t)
	ns.ip("link", "add", "hd0", "address", "52:54:00:de:ad:01", "type", "veth", "peer", "name", "hd0p")
	c := ns.start("hostdev", script("hd0", ""), `
    <hostdev mode='capabilities' type='net'>
      <source><interface>hd0</interface></source>
      <ip address='10.55.0.2' family='ipv4' prefix='24'/>
      <route family='ipv4' gateway='10.55.0.1'/>
    </hostdev>
`)
	if _, ok := ns.links()["hd0"]; ok {
		t.Fatal("hd0 is still in the host's namespace while the container runs")
	}
	v := c.finish()
	if v["MAC"] != "52:54:00:de:ad:01" || !isUp(v["FLAGS"]) {
		t.Errorf("hd0 in the container: mac %q flags %q", v["MAC"], v["FLAGS"])
	}
	if !strings.Contains(v["ADDR"], "inet 10.55.0.2/24") || !strings.Contains(v["ROUTE"], "default via 10.55.0.1 dev hd0") {
		t.Errorf("hd0 addresses:\n%s\nroutes:\n%s", v["ADDR"], v["ROUTE"])
	}
	back, ok := ns.links()["hd0"]
	if !ok {
		t.Fatal("hd0 did not come back to the host's namespace")
	}
	if back.Up || len(back.Addrs) != 0 || back.MAC != "52:54:00:de:ad:01" {
		t.Errorf("hd0 after the container: %+v", back)
	}

	ns.ip("link", "add", "hd1", "type", "veth", "peer", "name", "hd1p")
	c = ns.start("hostdevbad", "true", `
    <hostdev mode='capabilities' type='net'><source><interface>hd1</interface></source></hostdev>
    <hostdev mode='capabilities' type='net'><source><interface>nosuch0</interface></source></hostdev>
`)
	err, log := c.wait()
	if err == nil || !strings.Contains(log, "nosuch0") {
		t.Fatalf("start with a missing host device: %v\n%s", err, log)
	}
	ns.assertOnly("lo", "hd0", "hd0p", "hd1", "hd1p")
}
