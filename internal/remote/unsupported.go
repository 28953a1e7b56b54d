package remote

import (
	"strings"

	"virtlxc/internal/virerr"
)

// unsupportedFrom is the error domain libvirt's "this function is not
// supported by the connection driver" carries for public API api: that of
// the source file defining it (libvirt-storage.c reports from
// VIR_FROM_STORAGE, libvirt-domain-snapshot.c from
// VIR_FROM_DOMAIN_SNAPSHOT, ...), VIR_FROM_DOMAIN for the domain and host
// APIs. Checked against libvirt 9.0's LXC driver with python3-libvirt.
func unsupportedFrom(api string) virerr.Domain {
	families := []struct {
		word string
		from virerr.Domain
	}{
		{"Checkpoint", virerr.FromDomainCheckpoint},
		{"Snapshot", virerr.FromDomainSnapshot},
		{"StoragePool", virerr.FromStorage},
		{"StorageVol", virerr.FromStorage},
		{"NodeDevice", virerr.FromNodeDev},
		{"Secret", virerr.FromSecret},
		{"NWFilter", virerr.FromNWFilter},
		{"Network", virerr.FromNetwork},
	}
	for _, f := range families {
		if strings.Contains(api, f.word) {
			return f.from
		}
	}
	switch {
	case api == "virNodeNumOfDevices" || api == "virNodeListDevices":
		return virerr.FromNodeDev
	case strings.HasPrefix(api, "virInterface"),
		strings.HasPrefix(api, "virConnect") && strings.HasSuffix(api, "Interfaces"):
		return virerr.FromInterface
	}
	return virerr.FromDomain
}
