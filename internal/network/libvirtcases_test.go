package network

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"
)

// eachLibvirtCase runs check for each network definition dir/NAME.xml
// that a libvirt 9.0 daemon on this machine took. Where it refused the
// definition, NAME.err holds its error, and the same error is expected of
// Parse or of fail (what the test does with the parsed network); check is
// then not called. base is dir/NAME.
func eachLibvirtCase(t *testing.T, dir string, fail func(*libvirtxml.Network) error, check func(t *testing.T, base string, n *libvirtxml.Network)) {
	inputs, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no test networks in %s: %v", dir, err)
	}
	for _, in := range inputs {
		base := strings.TrimSuffix(in, ".xml")
		t.Run(filepath.Base(base), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			n, err := Parse(data)
			if err == nil && fail != nil {
				err = fail(n)
			}
			if want, _ := os.ReadFile(base + ".err"); len(want) > 0 {
				if err == nil || err.Error() != strings.TrimRight(string(want), "\n") {
					t.Fatalf("error %v, want %s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			check(t, base, n)
		})
	}
}
