package proto

import (
	"slices"
	"testing"

	"virtlxc/internal/rpc/wire"
	"virtlxc/internal/rpc/xdr"
)

func TestNamesAndAPIs(t *testing.T) {
	cases := []struct {
		prog, proc uint32
		name, api  string
	}{
		{wire.ProgramRemote, 1, "CONNECT_OPEN", "virConnectOpen"},
		{wire.ProgramRemote, 12, "DOMAIN_DESTROY", "virDomainDestroy"},
		{wire.ProgramRemote, 14, "DOMAIN_GET_XML_DESC", "virDomainGetXMLDesc"},
		{wire.ProgramRemote, 24, "DOMAIN_LOOKUP_BY_UUID", "virDomainLookupByUUID"},
		{wire.ProgramRemote, 110, "CONNECT_GET_URI", "virConnectGetURI"},
		{wire.ProgramRemote, 309, "DOMAIN_CREATE_XML_WITH_FILES", "virDomainCreateXMLWithFiles"},
		{wire.ProgramRemote, 318, "DOMAIN_EVENT_CALLBACK_LIFECYCLE", ""},
		{wire.ProgramRemote, 66, "AUTH_LIST", ""},
		{wire.ProgramLXC, 1, "DOMAIN_OPEN_NAMESPACE", "virDomainLxcOpenNamespace"},
		{wire.ProgramKeepalive, 1, "PING", ""},
		{wire.ProgramRemote, 9999, "PROC_9999", ""},
	}
	for _, c := range cases {
		if n := Name(c.prog, c.proc); n != c.name {
			t.Errorf("Name(%#x, %d) = %q, want %q", c.prog, c.proc, n, c.name)
		}
		if a := API(c.prog, c.proc); a != c.api {
			t.Errorf("API(%#x, %d) = %q, want %q", c.prog, c.proc, a, c.api)
		}
	}
	if Known(wire.ProgramRemote, 9999) || !Known(wire.ProgramRemote, ProcDomainGetMessages) {
		t.Error("Known is wrong")
	}
	if ProgramName(wire.ProgramLXC) != "LXC" || ProgramName(7) != "0x7" {
		t.Error("ProgramName is wrong")
	}
}

func TestTableHasNoDuplicates(t *testing.T) {
	seen := map[uint32]string{}
	for _, p := range append(append([]procInfo(nil), remoteProcs...), networkProcs...) {
		if prev, dup := seen[p.num]; dup {
			t.Errorf("procedure %d listed as %s and %s", p.num, prev, p.name)
		}
		seen[p.num] = p.name
	}
	if len(remoteProcs) < 100 {
		t.Errorf("only %d procedures in the table", len(remoteProcs))
	}
}

func TestReadOnlySafe(t *testing.T) {
	for _, proc := range []uint32{ProcConnectOpen, ProcConnectListAllDomains, ProcDomainGetState, ProcAuthList} {
		if !ReadOnlySafe(wire.ProgramRemote, proc) {
			t.Errorf("%s refused on read-only", Name(wire.ProgramRemote, proc))
		}
	}
	for _, proc := range []uint32{ProcDomainDestroy, ProcDomainCreate, ProcDomainOpenConsole,
		ProcDomainSetSchedulerParameters, ProcDomainGetHostname, ProcDomainDefineXML} {
		if ReadOnlySafe(wire.ProgramRemote, proc) {
			t.Errorf("%s allowed on read-only", Name(wire.ProgramRemote, proc))
		}
	}
	if ReadOnlySafe(wire.ProgramLXC, LXCProcDomainOpenNamespace) || !ReadOnlySafe(wire.ProgramKeepalive, wire.KeepalivePing) {
		t.Error("program-level read-only policy is wrong")
	}
}

// virsh's CONNECT_OPEN args decode into ConnectOpenArgs, go-libvirt's too.
func TestConnectOpenArgs(t *testing.T) {
	for _, payload := range [][]byte{
		{0, 0, 0, 1, 0, 0, 0, 3, 'l', 'x', 'c', 0, 0, 0, 0, 1},
		{1, 0, 0, 0, 0, 0, 0, 3, 'l', 'x', 'c', 0, 0, 0, 0, 1},
	} {
		var a ConnectOpenArgs
		if err := xdr.Unmarshal(payload, &a); err != nil {
			t.Fatal(err)
		}
		if len(a.Name) != 1 || a.Name[0] != "lxc" || a.Flags != ConnectRO {
			t.Fatalf("decoded %+v", a)
		}
	}
}

// TestProcedureNumbersUnique: a number in two tables would let one entry
// hide the other.
func TestProcedureNumbersUnique(t *testing.T) {
	seen := map[uint32]string{}
	for _, p := range slices.Concat(remoteProcs, networkProcs, otherRemoteProcs) {
		if prev, ok := seen[p.num]; ok {
			t.Errorf("procedure %d is both %s and %s", p.num, prev, p.name)
		}
		seen[p.num] = p.name
	}
	if len(seen) < 440 {
		t.Errorf("only %d remote procedures known", len(seen))
	}
}
