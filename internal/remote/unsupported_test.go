package remote

import (
	"testing"

	"virtlxc/internal/virerr"
)

// The error domains libvirt 9.0's LXC driver answered with, through
// python3-libvirt, for APIs it does not implement.
func TestUnsupportedFrom(t *testing.T) {
	for api, want := range map[string]virerr.Domain{
		"virDomainHasCurrentSnapshot":          virerr.FromDomainSnapshot,
		"virDomainListAllSnapshots":            virerr.FromDomainSnapshot,
		"virDomainSnapshotNum":                 virerr.FromDomainSnapshot,
		"virDomainListAllCheckpoints":          virerr.FromDomainCheckpoint,
		"virConnectListAllStoragePools":        virerr.FromStorage,
		"virConnectFindStoragePoolSources":     virerr.FromStorage,
		"virConnectGetStoragePoolCapabilities": virerr.FromStorage,
		"virStoragePoolLookupByName":           virerr.FromStorage,
		"virConnectListAllNetworks":            virerr.FromNetwork,
		"virNetworkLookupByName":               virerr.FromNetwork,
		"virConnectListAllInterfaces":          virerr.FromInterface,
		"virConnectNumOfInterfaces":            virerr.FromInterface,
		"virInterfaceLookupByName":             virerr.FromInterface,
		"virConnectListAllNodeDevices":         virerr.FromNodeDev,
		"virNodeNumOfDevices":                  virerr.FromNodeDev,
		"virNodeDeviceLookupByName":            virerr.FromNodeDev,
		"virConnectListAllSecrets":             virerr.FromSecret,
		"virSecretLookupByUUID":                virerr.FromSecret,
		"virConnectListAllNWFilters":           virerr.FromNWFilter,
		"virConnectListAllNWFilterBindings":    virerr.FromNWFilter,
		"virNWFilterLookupByName":              virerr.FromNWFilter,
		"virDomainGetVcpus":                    virerr.FromDomain,
		"virDomainInterfaceStats":              virerr.FromDomain,
		"virDomainGetSecurityLabelList":        virerr.FromDomain,
		"virConnectGetCPUModelNames":           virerr.FromDomain,
		"virConnectGetDomainCapabilities":      virerr.FromDomain,
		"virNodeGetSEVInfo":                    virerr.FromDomain,
	} {
		if got := unsupportedFrom(api); got != want {
			t.Errorf("unsupportedFrom(%s) = %d, want %d", api, got, want)
		}
	}
}
