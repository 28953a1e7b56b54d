package xdr

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"

	libvirt "github.com/digitalocean/go-libvirt"
)

type allKinds struct {
	B    bool
	I8   int8
	I16  int16
	I32  int32
	U8   uint8
	U16  uint16
	U32  uint32
	I64  int64
	U64  uint64
	F32  float32
	F64  float64
	S    string
	Fix  [5]byte
	Vec  [3]int16
	Op   []byte
	Arr  []libvirt.Domain
	Opt  libvirt.OptString
	Ptr  *libvirt.Domain
	Tag  []uint32 `xdr:"optional"`
	priv int32
}

func TestRoundTripAllKinds(t *testing.T) {
	in := allKinds{
		B: true, I8: -3, I16: -300, I32: -70000, U8: 250, U16: 65000, U32: 4e9,
		I64: math.MinInt64, U64: math.MaxUint64, F32: 1.5, F64: -2.25, S: "héllo",
		Fix: [5]byte{1, 2, 3, 4, 5}, Vec: [3]int16{-1, 0, 1}, Op: []byte{9, 8, 7},
		Arr:  []libvirt.Domain{{Name: "a", ID: 1}, {Name: "bb", ID: -1}},
		Opt:  libvirt.OptString{"x"},
		Ptr:  &libvirt.Domain{Name: "p"},
		Tag:  []uint32{42},
		priv: 77,
	}
	b, err := Marshal(&in)
	if err != nil {
		t.Fatal(err)
	}
	if len(b)%4 != 0 {
		t.Fatalf("encoding of %d bytes is not 4-aligned", len(b))
	}
	var out allKinds
	if err := Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip\n in %+v\nout %+v", in, out)
	}
	// Absent optionals and empty arrays.
	var empty allKinds
	b, err = Marshal(empty)
	if err != nil {
		t.Fatal(err)
	}
	out = allKinds{Opt: libvirt.OptString{"stale"}, Ptr: &libvirt.Domain{}}
	if err := Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Opt != nil || out.Ptr != nil || out.Tag != nil || len(out.Arr) != 0 {
		t.Fatalf("absent optionals decoded as %+v", out)
	}
}

func TestUnexportedWireField(t *testing.T) {
	// go-libvirt's DomainDiskError has an unexported field that is on the wire.
	in := libvirt.DomainGetDiskErrorsRet{Errors: []libvirt.DomainDiskError{{Disk: "vda"}}, Nerrors: 1}
	b, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := 4 + 4 + 4 + 4 + 4; len(b) != want {
		t.Fatalf("got %d bytes, want %d", len(b), want)
	}
}

func TestEncodeErrors(t *testing.T) {
	cases := map[string]any{
		"optional with two": libvirt.OptString{"a", "b"},
		"typed param mismatch": libvirt.TypedParam{Field: "x",
			Value: libvirt.TypedParamValue{D: ParamULLong, I: int32(1)}},
		"typed param unknown": libvirt.TypedParamValue{D: 9, I: int32(1)},
		"go int":              struct{ N int }{1},
		"map":                 map[string]int{},
		"interface":           struct{ X any }{1},
		"string too long":     strings.Repeat("x", MaxString+1),
		"nil pointer":         (*libvirt.Domain)(nil),
	}
	for name, v := range cases {
		e := NewEncoder([]byte{1, 2, 3, 4})
		if err := e.Encode(v); err == nil {
			t.Errorf("%s: no error", name)
		}
		if e.Len() != 4 {
			t.Errorf("%s: failed encode left %d bytes", name, e.Len())
		}
	}
	if b, err := Marshal(nil); err != nil || len(b) != 0 {
		t.Errorf("Marshal(nil) = %x, %v", b, err)
	}
}

func TestDecodeRejectsBadInput(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		v    any
	}{
		{"short int", []byte{0, 0, 1}, new(int32)},
		{"short hyper", []byte{0, 0, 0, 0, 1}, new(uint64)},
		{"string past end", unhex("00000008 41414141"), new(string)},
		{"string over max", unhex("00400001"), new(string)},
		{"huge string", unhex("ffffffff"), new(string)},
		{"array over max", unhex("00040001"), new([]uint32)},
		{"array past end", unhex("00000003 00000001 00000002"), new([]uint32)},
		{"domains past end", unhex("00004000 00000000"), new([]libvirt.Domain)},
		{"opaque past end", unhex("7fffffff"), new([]byte)},
		{"typed param type", unhex("00000001 \"x\"000000 00000008 00000000"), new(libvirt.TypedParam)},
		{"fixed opaque short", make([]byte, 15), new(libvirt.UUID)},
	}
	for _, c := range cases {
		if err := Unmarshal(c.in, c.v); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	if err := Unmarshal(nil, libvirt.Domain{}); err == nil {
		t.Error("non-pointer accepted")
	}
	if err := Unmarshal([]byte{0, 0, 0, 9}, new(string)); !errors.Is(err, ErrShort) {
		t.Errorf("short string error %v does not wrap ErrShort", err)
	}
}

// A hostile count or length must not allocate beyond what the input holds.
func TestHostileLengthsDoNotAllocate(t *testing.T) {
	inputs := []struct {
		in []byte
		v  func() any
	}{
		{unhex("0003ffff"), func() any { return new([]libvirt.Domain) }},
		{unhex("0003ffff"), func() any { return new([]libvirt.TypedParam) }},
		{unhex("003fffff"), func() any { return new(string) }},
		{unhex("01ffffff"), func() any { return new([]byte) }},
		{unhex("0003ffff"), func() any { return new([][16]byte) }},
	}
	for i, c := range inputs {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for range 10 {
			if err := Unmarshal(c.in, c.v()); err == nil {
				t.Fatalf("input %d decoded", i)
			}
		}
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<10 {
			t.Errorf("input %d: hostile length allocated %d bytes", i, grew)
		}
	}
}

func TestLenientBool(t *testing.T) {
	var b bool
	if err := Unmarshal([]byte{0, 0, 0, 2}, &b); err != nil || !b {
		t.Fatalf("non-zero bool word decoded as %v, %v", b, err)
	}
	enc, _ := Marshal(true)
	if !bytes.Equal(enc, []byte{0, 0, 0, 1}) {
		t.Fatalf("true encodes as %x", enc)
	}
}

func TestDecoderPrimitives(t *testing.T) {
	e := NewEncoder(nil)
	e.PutInt32(-1)
	if err := e.PutString("abcde"); err != nil {
		t.Fatal(err)
	}
	e.PutUint64(5)
	d := NewDecoder(e.Bytes())
	if v, _ := d.Int32(); v != -1 {
		t.Fatalf("int32 %d", v)
	}
	if s, _ := d.String(); s != "abcde" {
		t.Fatalf("string %q", s)
	}
	if d.Offset() != 16 || d.Remaining() != 8 {
		t.Fatalf("offset %d remaining %d", d.Offset(), d.Remaining())
	}
	if v, _ := d.Uint64(); v != 5 {
		t.Fatalf("uint64 %d", v)
	}
}
