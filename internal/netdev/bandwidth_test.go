package netdev

import (
	"reflect"
	"strings"
	"testing"

	"virtlxc/internal/spec"
)

// TestBandwidthCommands: libvirt's tc command lines (virNetDevBandwidthSet,
// not hierarchical), the container's inbound on the host end's transmit
// side for a bridged veth (swapped), on its receive side otherwise.
func TestBandwidthCommands(t *testing.T) {
	bw := &spec.Bandwidth{In: &spec.Rate{Average: 1000, Peak: 2000, Burst: 64}, Out: &spec.Rate{Average: 500}}
	htb := func(dev, class string) []string {
		return []string{"qdisc add dev " + dev + " root handle 1: htb default 1",
			"class add dev " + dev + " parent 1: classid 1:1 htb " + class,
			"qdisc add dev " + dev + " parent 1:1 handle 2: sfq perturb 10",
			"filter add dev " + dev + " parent 1:0 protocol all prio 1 handle 1 fw flowid 1"}
	}
	police := func(dev, rate string) []string {
		return []string{"qdisc add dev " + dev + " ingress",
			"filter add dev " + dev + " parent ffff: protocol all u32 match u32 0 0 police " + rate + " mtu 64kb drop flowid :1"}
	}
	for _, tc := range []struct {
		dev     string
		bw      *spec.Bandwidth
		swapped bool
		want    []string
	}{
		// A bridged veth: the container's inbound where the host end sends.
		{"vnet0", bw, true, append(htb("vnet0", "rate 1000kbps ceil 2000kbps burst 64kb quantum 85"), police("vnet0", "rate 500kbps burst 500kb")...)},
		{"veth1", bw, false, append(htb("veth1", "rate 500kbps quantum 42"), police("veth1", "rate 1000kbps burst 64kb")...)},
		// A slow rate still gets a quantum of 1; one direction only.
		{"v", &spec.Bandwidth{In: &spec.Rate{Average: 5}}, true, htb("v", "rate 5kbps quantum 1")},
		{"v", nil, true, nil},
	} {
		if got := join(BandwidthCommands(tc.dev, tc.bw, tc.swapped, false)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s swapped=%v:\n%s\nwant:\n%s", tc.dev, tc.swapped, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

func join(cmds [][]string) []string {
	var out []string
	for _, c := range cmds {
		out = append(out, strings.Join(c, " "))
	}
	return out
}

// TestBandwidthCommandsHierarchical: a network's bridge gets libvirt's
// parent class 1:1 (rate, ceil = peak or rate) over the shaping class 1:2,
// the default.
func TestBandwidthCommandsHierarchical(t *testing.T) {
	got := join(BandwidthCommands("virbr0", &spec.Bandwidth{In: &spec.Rate{Average: 1000, Burst: 32}}, true, true))
	want := []string{
		"qdisc add dev virbr0 root handle 1: htb default 2",
		"class add dev virbr0 parent 1: classid 1:1 htb rate 1000kbps ceil 1000kbps quantum 85",
		"class add dev virbr0 parent 1:1 classid 1:2 htb rate 1000kbps burst 32kb quantum 85",
		"qdisc add dev virbr0 parent 1:2 handle 2: sfq perturb 10",
		"filter add dev virbr0 parent 1:0 protocol all prio 1 handle 1 fw flowid 1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
