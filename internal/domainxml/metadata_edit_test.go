package domainxml

import (
	"strings"
	"testing"
)

// TestSetMetadataElement follows what libvirt 9.0 printed for the same
// calls (test/compat's metadata steps).
func TestSetMetadataElement(t *testing.T) {
	md, err := SetMetadataElement("", "<foo a='1'><b>bar</b></foo>", "ex", "http://example.org/ns")
	if err != nil {
		t.Fatal(err)
	}
	md, err = SetMetadataElement(md, "<y x:attr='1' xmlns:x='http://g/'><x:k/><z:q xmlns:z='urn:z'><inner/></z:q></y>", "g", "http://g/")
	if err != nil {
		t.Fatal(err)
	}
	want := `<metadata>
    <ex:foo xmlns:ex="http://example.org/ns" a="1">
      <ex:b>bar</ex:b>
    </ex:foo>
    <g:y xmlns:x="http://g/" xmlns:g="http://g/" x:attr="1">
      <x:k/>
      <z:q xmlns:z="urn:z">
        <g:inner/>
      </z:q>
    </g:y>
  </metadata>`
	if md != want {
		t.Errorf("got\n%s\nwant\n%s", md, want)
	}
	got, ok, err := MetadataElement(md, "http://g/")
	if err != nil || !ok || got != "<y xmlns:g=\"http://g/\" attr=\"1\">\n  <k/>\n  <z:q xmlns:z=\"urn:z\">\n    <inner/>\n  </z:q>\n</y>" {
		t.Errorf("get: %v %v\n%s", ok, err, got)
	}
	if _, ok, _ := MetadataElement(md, "http://nope/"); ok {
		t.Error("found an element in a namespace nothing is in")
	}
	md, _ = SetMetadataElement(md, "", "", "http://example.org/ns")
	md, _ = SetMetadataElement(md, "", "", "http://g/")
	if md != "<metadata/>" {
		t.Errorf("after removing both: %q", md)
	}
	if md, _ := SetMetadataElement("", "", "", "http://g/"); md != "" {
		t.Errorf("removing from nothing made %q", md)
	}
	for _, c := range []struct{ doc, key, want string }{
		{"<a>", "k", "(metadata_xml):1: Premature end of data in tag a line 1"},
		{"<y/>", "1x", "internal error: failed to validate prefix for a new XML namespace"},
		{"<y xmlns:d='urn:other'/>", "d", "internal error: failed to create a new XML namespace"},
		{"<!-- lead --><y/>", "e", "internal error: failed to create a new XML namespace"},
	} {
		if _, err := SetMetadataElement("", c.doc, c.key, "http://x/"); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q key %q: %v, want %q", c.doc, c.key, err, c.want)
		}
	}
}
