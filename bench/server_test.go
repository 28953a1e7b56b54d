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

// BenchmarkServerListAll1000 is the daemon's own cost of
// CONNECT_LIST_ALL_DOMAINS with 1,000 defined domains: the driver's list
// and the XDR encoding of the reply (no socket, no client).
func BenchmarkServerListAll1000(b *testing.B) {
	root := b.TempDir()
	d, err := driver.New(driver.Options{Layout: paths.New(root, ""), ControllerPath: filepath.Join(root, "none")})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	for i := 0; i < 1000; i++ {
		if _, err := d.DefineXML([]byte(sleepXML(fmt.Sprintf("s%04d", i))), 0); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		refs, err := d.ListAll(3)
		if err != nil || len(refs) != 1000 {
			b.Fatalf("%d, %v", len(refs), err)
		}
		ret := libvirt.ConnectListAllDomainsRet{Ret: uint32(len(refs))}
		for _, r := range refs {
			ret.Domains = append(ret.Domains, libvirt.Domain{Name: r.Name, ID: int32(r.ID)})
		}
		if _, err := xdr.Marshal(&ret); err != nil {
			b.Fatal(err)
		}
	}
}
