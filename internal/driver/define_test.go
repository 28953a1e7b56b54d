package driver

import (
	"os"
	"strings"
	"testing"

	"virtlxc/internal/virerr"
)

const (
	uuid1 = "3a2787b4-8dec-4ec9-a3b7-c2ac0982bf25"
	uuid2 = "a86ef92b-41ac-4bd4-aa48-22d82c5e298f"
)

func TestDefineLookupUndefine(t *testing.T) {
	e := newEnv(t)
	ref := e.define("web", uuid1)
	if ref.Name != "web" || ref.UUID != uuid1 || ref.ID != -1 {
		t.Fatalf("ref %+v", ref)
	}
	data, err := os.ReadFile(e.layout.ConfigFile("web"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE.") ||
		!strings.Contains(string(data), "  virsh edit web\n") || !strings.Contains(string(data), "<uuid>"+uuid1+"</uuid>") {
		t.Fatalf("config file:\n%s", data)
	}
	for _, lookup := range []func() (Ref, error){
		func() (Ref, error) { return e.d.LookupByName("web") },
		func() (Ref, error) { return e.d.LookupByUUID(strings.ToUpper(uuid1)) },
	} {
		got, err := lookup()
		if err != nil || got != ref {
			t.Fatalf("lookup = %+v, %v; want %+v", got, err, ref)
		}
	}
	e.wantState(ref, StateShutoff, ShutoffUnknown)

	// Redefinition with the same name and UUID updates.
	if _, err := e.d.DefineXML([]byte(domXML("web", uuid1)), 0); err != nil {
		t.Fatal(err)
	}
	e.expect(EventDefined, DetailDefinedUpdated, "web")

	if err := e.d.Undefine(ref, 0); err != nil {
		t.Fatal(err)
	}
	e.expect(EventUndefined, DetailUndefinedRemoved, "web")
	if _, err := os.Stat(e.layout.ConfigFile("web")); !os.IsNotExist(err) {
		t.Fatalf("config still there: %v", err)
	}
	_, err = e.d.LookupByName("web")
	wantErr(t, err, virerr.ErrNoDomain, "Domain not found: No domain with matching name 'web'")
	_, err = e.d.LookupByUUID(uuid1)
	wantErr(t, err, virerr.ErrNoDomain, "Domain not found: No domain with matching uuid '"+uuid1+"'")
	_, err = e.d.LookupByID(4242)
	wantErr(t, err, virerr.ErrNoDomain, "Domain not found: No domain with matching id 4242")
	err = e.d.Undefine(ref, 0)
	wantErr(t, err, virerr.ErrNoDomain, "Domain not found: no domain with matching uuid '"+uuid1+"' (web)")
}

func TestDefineConflicts(t *testing.T) {
	e := newEnv(t)
	e.define("web", uuid1)
	// Same name, other (here: random) UUID: reference 31-define-redefine.
	_, err := e.d.DefineXML([]byte(domXML("web", "")), 0)
	wantErr(t, err, virerr.ErrOperationFailed, "operation failed: domain 'web' already exists with uuid "+uuid1)
	// Same UUID, other name.
	_, err = e.d.DefineXML([]byte(domXML("db", uuid1)), 0)
	wantErr(t, err, virerr.ErrOperationFailed, "operation failed: domain 'web' is already defined with uuid "+uuid1)
	// Broken XML is the parser's error; nothing is defined.
	_, err = e.d.DefineXML([]byte("<domain type='lxc'><name>x</name>"), 0)
	if virerr.CodeOf(err) == 0 {
		t.Fatal("broken XML accepted")
	}
	_, err = e.d.DefineXML([]byte(domXML("web", uuid1)), 4)
	wantErr(t, err, virerr.ErrInvalidArg, "unsupported flags (0x4) in function lxcDomainDefineXMLFlags")
	e.noEvent()
	refs, _ := e.d.ListAll(0)
	if names(refs) != "web" {
		t.Fatalf("domains %s", names(refs))
	}
}

func TestCreateXMLConflicts(t *testing.T) {
	e := newEnv(t)
	ref, err := e.d.CreateXML([]byte(domXML("t1", uuid2)), 0, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.expect(EventStarted, DetailStartedBooted, "t1")
	// Reference 70-create-duplicate: no <uuid>, so a random one.
	_, err = e.d.CreateXML([]byte(domXML("t1", "")), 0, nil, 0)
	wantErr(t, err, virerr.ErrOperationFailed, "operation failed: domain 't1' already exists with uuid "+uuid2)
	_, err = e.d.CreateXML([]byte(domXML("t1", uuid2)), 0, nil, 0)
	wantErr(t, err, virerr.ErrOperationInvalid, "Requested operation is not valid: domain 't1' is already active")
	_, err = e.d.CreateXML([]byte(domXML("t1", uuid2)), StartPaused, nil, 0)
	wantErr(t, err, virerr.ErrInvalidArg, "unsupported flags (0x1) in function lxcDomainCreateXMLWithFiles")
	// Defining a running transient domain makes it persistent (ADDED).
	if _, err := e.d.DefineXML([]byte(domXML("t1", uuid2)), 0); err != nil {
		t.Fatal(err)
	}
	e.expect(EventDefined, DetailDefinedAdded, "t1")
	if p, _ := e.d.IsPersistent(ref); !p {
		t.Fatal("not persistent after define")
	}
}

func TestUndefineTransientRefused(t *testing.T) {
	e := newEnv(t)
	ref, err := e.d.CreateXML([]byte(domXML("t1", uuid2)), 0, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	err = e.d.Undefine(ref, 0)
	wantErr(t, err, virerr.ErrOperationInvalid, "Requested operation is not valid: Cannot undefine transient domain")
	err = e.d.SetAutostart(ref, true)
	wantErr(t, err, virerr.ErrOperationInvalid, "Requested operation is not valid: Cannot set autostart for transient domain")
}

func TestUndefineRunningBecomesTransient(t *testing.T) {
	e := newEnv(t)
	ref := e.start(e.define("web", uuid1))
	if err := e.d.SetAutostart(ref, true); err != nil {
		t.Fatal(err)
	}
	if err := e.d.Undefine(ref, 0); err != nil {
		t.Fatal(err)
	}
	e.expect(EventUndefined, DetailUndefinedRemoved, "web")
	if _, err := os.Lstat(e.layout.AutostartLink("web")); !os.IsNotExist(err) {
		t.Fatalf("autostart link left: %v", err)
	}
	refs, _ := e.d.ListAll(ListTransient)
	if names(refs) != "web" {
		t.Fatalf("transient domains %q", names(refs))
	}
	if a, _ := e.d.Autostart(ref); a {
		t.Fatal("still autostart")
	}
	if err := e.d.Destroy(ref, 0); err != nil {
		t.Fatal(err)
	}
	e.expect(EventStopped, DetailStoppedDestroyed, "web")
	if _, err := e.d.LookupByName("web"); err == nil {
		t.Fatal("transient domain still there after destroy")
	}
}

func TestRedefineRunning(t *testing.T) {
	e := newEnv(t)
	ref := e.start(e.define("web", uuid1))
	newXML := strings.Replace(domXML("web", uuid1), "<memory>131072</memory>", "<memory>65536</memory>", 1)
	if _, err := e.d.DefineXML([]byte(newXML), 0); err != nil {
		t.Fatal(err)
	}
	e.expect(EventDefined, DetailDefinedUpdated, "web")
	live, _ := e.d.GetXML(ref, 0)
	inactive, _ := e.d.GetXML(ref, XMLInactive)
	if !strings.Contains(live, "131072") || !strings.Contains(inactive, "65536") {
		t.Fatalf("live:\n%s\ninactive:\n%s", live, inactive)
	}
	if err := e.d.Destroy(ref, 0); err != nil {
		t.Fatal(err)
	}
	e.expect(EventStopped, DetailStoppedDestroyed, "web")
	x, _ := e.d.GetXML(ref, 0)
	if !strings.Contains(x, "65536") {
		t.Fatalf("after stop:\n%s", x)
	}
}

func TestCreateXMLOverPersistent(t *testing.T) {
	e := newEnv(t)
	e.define("web", uuid1)
	other := strings.Replace(domXML("web", uuid1), "/bin/sh", "/bin/other", 1)
	ref, err := e.d.CreateXML([]byte(other), 0, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.expect(EventStarted, DetailStartedBooted, "web")
	if p, _ := e.d.IsPersistent(ref); !p {
		t.Fatal("lost its config")
	}
	live, _ := e.d.GetXML(ref, 0)
	inactive, _ := e.d.GetXML(ref, XMLInactive)
	if !strings.Contains(live, "/bin/other") || strings.Contains(inactive, "/bin/other") {
		t.Fatalf("live:\n%s\ninactive:\n%s", live, inactive)
	}
	if err := e.d.Destroy(ref, 0); err != nil {
		t.Fatal(err)
	}
	e.expect(EventStopped, DetailStoppedDestroyed, "web")
	x, _ := e.d.GetXML(ref, 0)
	if strings.Contains(x, "/bin/other") {
		t.Fatalf("create-XML definition kept after stop:\n%s", x)
	}
}
