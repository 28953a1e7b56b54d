package xdr

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	libvirt "github.com/digitalocean/go-libvirt"
)

// unhex decodes hex with spaces, '|' separators and "quoted" ASCII runs, the
// notation the protocol spec uses for captured packets. It panics on bad
// notation, which is a bug in the test itself.
func unhex(s string) []byte {
	var out []byte
	for len(s) > 0 {
		switch s[0] {
		case ' ', '|', '\n', '\t':
			s = s[1:]
		case '"':
			end := strings.IndexByte(s[1:], '"')
			out = append(out, s[1:end+1]...)
			s = s[end+2:]
		default:
			end := strings.IndexAny(s, " |\"\n")
			if end < 0 {
				end = len(s)
			}
			b, err := hex.DecodeString(s[:end])
			if err != nil {
				panic(fmt.Sprintf("bad hex %q: %v", s[:end], err))
			}
			out = append(out, b...)
			s = s[end:]
		}
	}
	return out
}

// openArgs is remote_connect_open_args as libvirt 9.0 sends it.
type openArgs struct {
	Name  libvirt.OptString
	Flags uint32
}

// The CONNECT_OPEN payload virsh sent (spec §2.2), after the 28-byte header.
func TestGoldenConnectOpenFromVirsh(t *testing.T) {
	wire := unhex(`00000001 0000000d "lxc:///system" 000000 | 00000000`)
	var a openArgs
	if err := Unmarshal(wire, &a); err != nil {
		t.Fatal(err)
	}
	if len(a.Name) != 1 || a.Name[0] != "lxc:///system" || a.Flags != 0 {
		t.Fatalf("decoded %+v", a)
	}
	got, err := Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, wire) {
		t.Fatalf("encode:\n got %x\nwant %x", got, wire)
	}
}

// go-libvirt sends the optional-string flag as bytes 01 00 00 00 (spec §2.2).
func TestGoldenConnectOpenFromGoLibvirt(t *testing.T) {
	wire := unhex(`01000000 0000000d "lxc:///system" 000000 00000001`)
	var a openArgs
	if err := Unmarshal(wire, &a); err != nil {
		t.Fatal(err)
	}
	if len(a.Name) != 1 || a.Name[0] != "lxc:///system" || a.Flags != 1 {
		t.Fatalf("decoded %+v", a)
	}
}

func TestGoldenDomainGetInfoRet(t *testing.T) {
	// uint8 and uint16 widen to 4 bytes: 4+8+8+4+8 = 32 bytes (spec §4.1).
	r := libvirt.DomainGetInfoRet{State: 1, MaxMem: 1024, Memory: 512, NrVirtCPU: 2, CPUTime: 7}
	want := unhex(`00000001 0000000000000400 0000000000000200 00000002 0000000000000007`)
	got, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %x\nwant %x", got, want)
	}
}

func TestGoldenNodeGetInfoRet(t *testing.T) {
	var r libvirt.NodeGetInfoRet
	for i, c := range "x86_64" {
		r.Model[i] = int8(c)
	}
	r.Memory, r.Cpus = 1, 2
	got, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 160 { // char model[32] is 32 words
		t.Fatalf("NodeGetInfoRet is %d bytes, want 160", len(got))
	}
	if !bytes.Equal(got[:8], unhex(`00000078 00000038`)) {
		t.Fatalf("model prefix %x", got[:8])
	}
	var back libvirt.NodeGetInfoRet
	if err := Unmarshal(got, &back); err != nil || back != r {
		t.Fatalf("round trip %+v, %v", back, err)
	}
}

func TestGoldenSecurityModel(t *testing.T) {
	// char model<> of "none\0": a count, then one word per char (spec §3.2).
	r := libvirt.NodeGetSecurityModelRet{
		Model: []int8{'n', 'o', 'n', 'e', 0},
		Doi:   []int8{'0', 0},
	}
	want := unhex(`00000005 0000006e 0000006f 0000006e 00000065 00000000 00000002 00000030 00000000`)
	got, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %x\nwant %x", got, want)
	}
}

func TestGoldenLifecycleEvent(t *testing.T) {
	m := libvirt.DomainEventCallbackLifecycleMsg{
		CallbackID: 3,
		Msg: libvirt.DomainEventLifecycleMsg{
			Dom:    libvirt.Domain{Name: "beta", UUID: libvirt.UUID{0: 0xaa, 15: 0xbb}, ID: -1},
			Event:  2,
			Detail: 0,
		},
	}
	want := unhex(`00000003 00000004 "beta" aa0000000000000000000000000000bb ffffffff 00000002 00000000`)
	got, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %x\nwant %x", got, want)
	}
}

func TestGoldenTypedParams(t *testing.T) {
	r := libvirt.DomainGetMemoryParametersRet{
		Params: []libvirt.TypedParam{
			{Field: "hard_limit", Value: *libvirt.NewTypedParamValueUllong(9007199254740991)},
			{Field: "on", Value: *libvirt.NewTypedParamValueBoolean(1)},
			{Field: "s", Value: *libvirt.NewTypedParamValueString("ab")},
		},
		Nparams: 3,
	}
	want := unhex(`00000003 0000000a "hard_limit" 0000 00000004 001fffffffffffff` +
		` 00000002 "on" 0000 00000006 00000001` +
		` 00000001 "s" 000000 00000007 00000002 "ab" 0000 00000003`)
	got, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %x\nwant %x", got, want)
	}
	var back libvirt.DomainGetMemoryParametersRet
	if err := Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if back.Params[0].Value.I != uint64(9007199254740991) || back.Params[1].Value.I != int32(1) ||
		back.Params[2].Value.I != "ab" || back.Nparams != 3 {
		t.Fatalf("decoded %+v", back)
	}
}

func TestTypedParamEveryKind(t *testing.T) {
	in := []libvirt.TypedParam{
		{Field: "i", Value: *libvirt.NewTypedParamValueInt(-5)},
		{Field: "u", Value: *libvirt.NewTypedParamValueUint(5)},
		{Field: "l", Value: *libvirt.NewTypedParamValueLlong(-1 << 40)},
		{Field: "ul", Value: *libvirt.NewTypedParamValueUllong(1 << 60)},
		{Field: "d", Value: *libvirt.NewTypedParamValueDouble(0.5)},
		{Field: "b", Value: *libvirt.NewTypedParamValueBoolean(1)},
		{Field: "s", Value: *libvirt.NewTypedParamValueString("x")},
	}
	b, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out []libvirt.TypedParam
	if err := Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(in) != fmt.Sprint(out) {
		t.Fatalf("round trip\n in %v\nout %v", in, out)
	}
	for i, p := range out {
		if p.Value.D != uint32(i+1) {
			t.Errorf("param %s has type %d", p.Field, p.Value.D)
		}
	}
	// A Go bool is accepted for BOOLEAN and encodes as 1.
	gb, err := Marshal(libvirt.TypedParamValue{D: ParamBoolean, I: true})
	if err != nil || !bytes.Equal(gb, unhex(`00000006 00000001`)) {
		t.Fatalf("bool param %x, %v", gb, err)
	}
	for d := uint32(1); d <= 7; d++ {
		if _, err := Marshal(libvirt.TypedParamValue{D: d, I: struct{}{}}); err == nil {
			t.Errorf("type %d accepted a struct value", d)
		}
	}
}
