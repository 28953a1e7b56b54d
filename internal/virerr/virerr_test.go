package virerr

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestPrefix(t *testing.T) {
	cases := []struct {
		code   Code
		detail string
		want   string
	}{
		{ErrNoName, "", "missing name information"},
		{ErrNoName, "x", "missing name information in x"},
		{ErrXMLError, "init binary must be specified", "XML error: init binary must be specified"},
		{ErrXMLDetail, "", "parser error"},
		{ErrXMLDetail, "(domain_definition):1: oops", "(domain_definition):1: oops"},
		{ErrInvalidArg, "could not find capabilities for arch=x86_64 ", "invalid argument: could not find capabilities for arch=x86_64 "},
		{ErrNoSource, "/mnt", "missing source information for device /mnt"},
		{ErrNoTarget, "", "missing target information for device"},
		{ErrDomExist, "vm1", "domain vm1 exists already"},
		{ErrOverflow, "value too large: 1TiB", "numerical overflow: value too large: 1TiB"},
		{ErrMultipleDomains, "x", "multiple matching domains found: x"},
		{WarNoNetwork, "x", "Failed to find the network: x"},
		{ErrXMLDetail, "100%s", "100%s"},
		{ErrOK, "", "No error message provided"},
		{Code(111), "x", "No error message provided"},
	}
	for _, c := range cases {
		if got := Prefix(c.code, c.detail); got != c.want {
			t.Errorf("Prefix(%d, %q) = %q, want %q", c.code, c.detail, got, c.want)
		}
	}
}

// TestTable: every code past VIR_ERR_OK has both texts, the second taking
// the detail once.
func TestTable(t *testing.T) {
	if len(msgStrings) != 111 {
		t.Fatalf("%d codes, want 111 (0..110)", len(msgStrings))
	}
	for code := Code(1); code <= ErrMultipleDomains; code++ {
		m := msgStrings[code]
		if m[0] == "" || strings.Count(m[1], "%s") != 1 {
			t.Errorf("code %d: %q", code, m)
		}
	}
}

func TestErrors(t *testing.T) {
	e := New(ErrConfigUnsupported, FromLXC, "unsupported Namespace feature: %s", "foo")
	if e.Code != ErrConfigUnsupported || e.Domain != FromLXC ||
		e.Message != "unsupported configuration: unsupported Namespace feature: foo" {
		t.Fatalf("New: %+v", e)
	}
	cause := errors.New("boom")
	w := Wrap(cause, ErrInternalError, FromDomain, "x")
	if !errors.Is(w, cause) || w.Message != "internal error: x" {
		t.Fatalf("Wrap: %+v", w)
	}
	if r := Raw(ErrInternalError, FromRPC, "as is"); r.Message != "as is" {
		t.Fatalf("Raw: %+v", r)
	}
	if got := As(fmt.Errorf("ctx: %w", e)); got != e {
		t.Fatalf("As lost the error: %v", got)
	}
	if got := As(cause); got.Code != ErrInternalError || got.Message != "internal error: boom" {
		t.Fatalf("As(plain): %+v", got)
	}
	if CodeOf(nil) != 0 || CodeOf(e) != ErrConfigUnsupported {
		t.Fatal("CodeOf")
	}
}
