package network

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"
)

// TestRoutesLikeLibvirt: each network in testdata/routes was given to a
// libvirt 9.0 daemon on this machine (net-define, then net-create in a
// private network namespace): NAME.err is the error it gave, NAME.routes
// the routes `ip route` then showed on the bridge (without the kernel's
// own). The same definitions get the same error here, or the same routes
// planned for the bridge.
func TestRoutesLikeLibvirt(t *testing.T) {
	eachLibvirtCase(t, "testdata/routes", nil, func(t *testing.T, base string, n *libvirtxml.Network) {
		b, err := bridgeOf(n)
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		for _, r := range b.Routes {
			dst := fmt.Sprintf("%s/%d", r.Address, r.Prefix)
			if r.Prefix == 0 {
				dst = "default"
			}
			fmt.Fprintf(&got, "%s via %s metric %d\n", dst, r.Gateway, r.Metric)
		}
		want, _ := os.ReadFile(base + ".routes")
		if got.String() != string(want) {
			t.Errorf("routes:\n%s\nlibvirt 9.0's:\n%s", got.String(), want)
		}
	})
}
