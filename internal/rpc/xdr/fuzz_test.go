package xdr

import (
	"bytes"
	"testing"

	libvirt "github.com/digitalocean/go-libvirt"
)

// fuzzTargets are the shapes the server decodes from untrusted clients.
var fuzzTargets = []func() any{
	func() any { return new(openArgs) },
	func() any { return new(libvirt.DomainSetMemoryParametersArgs) },
	func() any { return new(libvirt.DomainOpenConsoleArgs) },
	func() any { return new(libvirt.ConnectListAllDomainsArgs) },
	func() any { return new(libvirt.ConnectGetAllDomainStatsRet) },
	func() any { return new(libvirt.DomainDefineXMLFlagsArgs) },
	func() any { return new(libvirt.NodeGetInfoRet) },
	func() any { return new(libvirt.ConnectDomainEventCallbackRegisterAnyArgs) },
	func() any { return new(allKinds) },
}

// FuzzUnmarshal: no input makes the decoder panic, and whatever decodes
// re-encodes, and that encoding is a fixed point.
func FuzzUnmarshal(f *testing.F) {
	f.Add(byte(0), []byte{})
	f.Add(byte(0), unhex(`00000001 0000000d "lxc:///system" 000000 00000000`))
	f.Add(byte(1), unhex(`00000002 "xy" 0000 ffffffff 00000001 00000001 "h"000000 00000004 0000000000000001 00000000`))
	f.Add(byte(4), unhex(`00000001 00000001 "d"000000 00000002 00000001 "k"000000 00000007 00000001 "v"000000 00000000`))
	f.Add(byte(8), unhex(`ffffffff 00000003`))
	f.Fuzz(func(t *testing.T, which byte, data []byte) {
		newV := fuzzTargets[int(which)%len(fuzzTargets)]
		v := newV()
		if err := Unmarshal(data, v); err != nil {
			return
		}
		enc, err := Marshal(v)
		if err != nil {
			t.Fatalf("decoded %T does not re-encode: %v", v, err)
		}
		v2 := newV()
		if err := Unmarshal(enc, v2); err != nil {
			t.Fatalf("re-encoding does not decode: %v", err)
		}
		enc2, err := Marshal(v2)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding is not a fixed point: %x vs %x (%v)", enc, enc2, err)
		}
	})
}
