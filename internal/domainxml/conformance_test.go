package domainxml

import (
	"os"
	"path/filepath"
	"testing"

	"virtlxc/internal/testutil"
)

// corpusDir is libvirt's test data (testutil.ConformanceDir).
func corpusDir(t testing.TB) string { return testutil.ConformanceDir(t) }

// TestLXCXML2XML is libvirt's lxcxml2xmltest: every document parses, and
// formats back byte for byte (or to the expected output where libvirt
// normalises it), and formatting is a fixed point.
func TestLXCXML2XML(t *testing.T) {
	dir := corpusDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "lxcxml2xml", "*.xml"))
	if err != nil || len(files) != 13 {
		t.Fatalf("want the 13 lxcxml2xml documents, found %d (%v)", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want := in
			if out, err := os.ReadFile(filepath.Join(dir, "lxcxml2xml-out", filepath.Base(f))); err == nil {
				want = out
			}
			opts := Options{Emulator: DefaultEmulator, HostArch: "x86_64", Validate: true, NoSecModel: true}
			d, err := Parse(in, opts)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			got, err := Format(d)
			if err != nil {
				t.Fatalf("format: %v", err)
			}
			if string(got) != string(want) {
				t.Fatalf("output differs\n--- got\n%s\n--- want\n%s", got, want)
			}
			d2, err := Parse(got, opts)
			if err != nil {
				t.Fatalf("re-parse: %v", err)
			}
			again, _ := Format(d2)
			if string(again) != string(got) {
				t.Fatalf("formatting is not a fixed point\n%s", again)
			}
		})
	}
}
