package wire

import (
	"errors"
	"fmt"
	"testing"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/xdr"
	"virtlxc/internal/virerr"
)

// What real libvirtd sent for `virsh dominfo nosuchdom` (spec §1.4).
func TestRemoteErrorMatchesLibvirtd(t *testing.T) {
	err := virerr.New(virerr.ErrNoDomain, virerr.FromLXC, "No domain with matching name '%s'", "nosuchdom")
	r := NewRemoteError(fmt.Errorf("lookup: %w", err))
	want := RemoteError{
		Code: 42, Domain: 17, Level: 2, Int1: -1, Int2: -1,
		Message: libvirt.OptString{"Domain not found: No domain with matching name 'nosuchdom'"},
		Str1:    libvirt.OptString{"Domain not found: %s"},
		Str2:    libvirt.OptString{"No domain with matching name 'nosuchdom'"},
	}
	if fmt.Sprint(*r) != fmt.Sprint(want) {
		t.Fatalf("got  %+v\nwant %+v", *r, want)
	}
	back := DecodeError(EncodeError(err))
	if back.Code != err.Code || back.Domain != err.Domain || back.Message != err.Message {
		t.Fatalf("round trip %+v", back)
	}
}

func TestRemoteErrorWire(t *testing.T) {
	b := EncodeError(virerr.Raw(virerr.ErrRPC, virerr.FromRPC, "unknown procedure: 999"))
	// go-libvirt's decodeError reads {code, domain, flag, message, level}.
	var head struct {
		Code, Domain, Flag uint32
		Message            string
		Level              uint32
	}
	if err := xdr.Unmarshal(b, &head); err != nil {
		t.Fatal(err)
	}
	if head.Code != 39 || head.Domain != 7 || head.Flag != 1 || head.Message != "unknown procedure: 999" || head.Level != 2 {
		t.Fatalf("wire head %+v", head)
	}
	var r RemoteError
	if err := xdr.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	// VIR_ERR_RPC's format is "%s": the whole message is the detail.
	if r.Str1[0] != "%s" || r.Str2[0] != "unknown procedure: 999" || r.Dom != nil || r.Net != nil || r.Str3 != nil {
		t.Fatalf("fields %+v", r)
	}
}

func TestRemoteErrorFromPlainError(t *testing.T) {
	r := NewRemoteError(errors.New("disk on fire"))
	if r.Code != int32(virerr.ErrInternalError) || r.Message[0] != "internal error: disk on fire" || r.Str2[0] != "disk on fire" {
		t.Fatalf("got %+v", r)
	}
	bare := NewRemoteError(virerr.New(virerr.ErrOperationInvalid, virerr.FromDomain, ""))
	if bare.Str1[0] != "Requested operation is not valid" || bare.Str2[0] != "" {
		t.Fatalf("detail-less error %+v", bare)
	}
}

func TestDecodeErrorGarbage(t *testing.T) {
	e := DecodeError([]byte{0, 0, 0, 1})
	if e.Code != virerr.ErrRPC {
		t.Fatalf("garbage decoded as %+v", e)
	}
	noMsg := RemoteError{Code: int32(virerr.ErrNoDomain)}
	b, _ := xdr.Marshal(noMsg)
	if got := DecodeError(b); got.Message != "Domain not found" {
		t.Fatalf("absent message became %q", got.Message)
	}
}
