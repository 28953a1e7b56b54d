package remote

import (
	"testing"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/network"
)

func TestNetworkListFilter(t *testing.T) {
	act := network.Info{Name: "a", Active: true, Persistent: true, Autostart: true}
	trans := network.Info{Name: "t", Active: true}
	off := network.Info{Name: "o", Persistent: true}
	for _, tc := range []struct {
		flags libvirt.ConnectListAllNetworksFlags
		want  []bool // act, trans, off
	}{
		{0, []bool{true, true, true}},
		{libvirt.ConnectListNetworksActive, []bool{true, true, false}},
		{libvirt.ConnectListNetworksInactive, []bool{false, false, true}},
		{libvirt.ConnectListNetworksActive | libvirt.ConnectListNetworksInactive, []bool{true, true, true}},
		{libvirt.ConnectListNetworksTransient, []bool{false, true, false}},
		{libvirt.ConnectListNetworksPersistent | libvirt.ConnectListNetworksActive, []bool{true, false, false}},
		{libvirt.ConnectListNetworksNoAutostart, []bool{false, true, true}},
	} {
		for i, n := range []network.Info{act, trans, off} {
			if got := matches(n, tc.flags); got != tc.want[i] {
				t.Errorf("flags %d network %s: %v, want %v", tc.flags, n.Name, got, tc.want[i])
			}
		}
	}
}

func TestNetworkUUIDWire(t *testing.T) {
	const u = "9a05da11-e96b-47f3-8253-a3a482e445f5"
	n := toNet(network.Info{Name: "x", UUID: u})
	if n.Name != "x" || wireUUID(n.UUID) != u {
		t.Errorf("toNet: %+v -> %s", n, wireUUID(n.UUID))
	}
}
