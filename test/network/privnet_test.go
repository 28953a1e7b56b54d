package network

import (
	"strings"
	"testing"
)

// TestPrivnetHidesHostInterfaces runs a container with <privnet/> and no
// interface: it sees only its own lo (up), none of the namespace's
// devices, and reaches no address of the host side.
func TestPrivnetHidesHostInterfaces(t *testing.T) {
	ns := newNS(t)
	ns.ip("link", "add", "hostbr0", "type", "bridge")
	ns.ip("addr", "add", "10.66.0.1/24", "dev", "hostbr0")
	ns.ip("link", "set", "hostbr0", "up")
	ns.listen(5001)
	c := ns.startWith("privnet", `ls /sys/class/net | sed 's/^/@@DEV=/'
echo "@@LO=$(cat /sys/class/net/lo/flags)"
echo "@@REPLY=$(echo hi | nc -w 2 10.66.0.1 5001 2>&1)"
read x < /gate`, "", "<features><privnet/></features>", 0)
	v := c.finish()
	if v["DEV"] != "lo" || !isUp(v["LO"]) {
		t.Errorf("devices in a privnet container: %q (lo flags %s), want only lo, up", v["DEV"], v["LO"])
	}
	if strings.Contains(v["REPLY"], "got hi") {
		t.Errorf("a privnet container reached the host side's address: %q", v["REPLY"])
	}
}
