package bench

import (
	"fmt"
	"path/filepath"
	"testing"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/driver"
	"virtlxc/internal/paths"
	"virtlxc/internal/rpc/xdr"
)

// listCounts are the numbers of defined domains list --all is measured at.
var listCounts = []int{0, 100, 1000}

// BenchmarkServerListAll is the daemon's own cost of
// CONNECT_LIST_ALL_DOMAINS with 0, 100 and 1,000 defined domains: the
// driver's list and the XDR encoding of the reply (no socket, no client).
func BenchmarkServerListAll(b *testing.B) {
	root := b.TempDir()
	d, err := driver.New(driver.Options{Layout: paths.New(root, ""), ControllerPath: filepath.Join(root, "none")})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	defined := 0
	for _, n := range listCounts {
		for ; defined < n; defined++ {
			if _, err := d.DefineXML([]byte(sleepXML(fmt.Sprintf("s%04d", defined))), 0); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("defined=%d", n), func(b *testing.B) {
			fig := record(fmt.Sprintf("list/server/%d", n), "virtlxc", "ms",
				fmt.Sprintf("list --all, %d defined, daemon side (driver + XDR)", n))
			for b.Loop() {
				if err := fig.timeOp(func() error { return serverList(d, n) }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// serverList is the daemon's work for one CONNECT_LIST_ALL_DOMAINS.
func serverList(d *driver.Driver, want int) error {
	refs, err := d.ListAll(3)
	if err != nil || len(refs) != want {
		return fmt.Errorf("listed %d, want %d: %v", len(refs), want, err)
	}
	ret := libvirt.ConnectListAllDomainsRet{Ret: uint32(len(refs))}
	for _, r := range refs {
		ret.Domains = append(ret.Domains, libvirt.Domain{Name: r.Name, ID: int32(r.ID)})
	}
	if _, err := xdr.Marshal(&ret); err != nil {
		return fmt.Errorf("encoding the list: %w", err)
	}
	return nil
}
