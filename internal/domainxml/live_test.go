package domainxml

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestParseLive: for every definition of the conformance corpus and the
// repository's examples that Parse accepts, ParseLive of its formatted
// live form gives what Parse gives, field for field, and formats back to
// the same bytes.
func TestParseLive(t *testing.T) {
	dir := corpusDir(t)
	var files []string
	for _, pat := range []string{"lxcxml2xml/*.xml", "lxcxml2xml-out/*.xml", "lxcconf2xml/*.xml"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	examples, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*.xml"))
	files = append(files, examples...)
	checked := 0
	for _, f := range files {
		in, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(in, Options{Emulator: DefaultEmulator, HostArch: "x86_64"})
		if err != nil {
			continue // not a definition Parse takes: the daemon never formats it
		}
		id := 4242
		d.ID = &id
		live, err := Format(d)
		if err != nil {
			t.Fatalf("%s: format: %v", f, err)
		}
		want, err := Parse(live, Options{Live: true})
		if err != nil {
			t.Fatalf("%s: parse of the live form: %v", f, err)
		}
		got, err := ParseLive(live)
		if err != nil {
			t.Fatalf("%s: ParseLive: %v", f, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: ParseLive differs from Parse\n got %+v\nwant %+v", f, got, want)
		}
		if again, _ := Format(got); string(again) != string(live) {
			t.Errorf("%s: ParseLive does not format back\n%s\n---\n%s", f, again, live)
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("only %d definitions checked", checked)
	}
	t.Logf("%d definitions checked", checked)
}
