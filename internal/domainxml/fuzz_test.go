package domainxml

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds the parser hostile documents: it must never panic, hang or
// blow up memory, and whatever it accepts must format and re-parse to the
// same text.
func FuzzParse(f *testing.F) {
	dir := corpusDir(f)
	files, _ := filepath.Glob(filepath.Join(dir, "lxcxml2xml", "*.xml"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(strings.Repeat("<a>", 100000)))
	f.Add([]byte(`<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><domain type='lxc'>&b;</domain>`))
	f.Add([]byte(`<domain type='lxc'><name>` + strings.Repeat("x", 1<<16) + `</name></domain>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		d, err := Parse(data, Options{HostArch: "x86_64"})
		if time.Since(start) > 2*time.Second {
			t.Fatalf("parse took %v", time.Since(start))
		}
		if err != nil {
			return
		}
		out, err := Format(d)
		if err != nil {
			t.Fatalf("accepted document does not format: %v", err)
		}
		d2, err := Parse(out, Options{HostArch: "x86_64"})
		if err != nil {
			t.Fatalf("formatted output does not re-parse: %v\n%s", err, out)
		}
		out2, err := Format(d2)
		if err != nil || string(out2) != string(out) {
			t.Fatalf("format is not a fixed point:\n%s\n---\n%s", out, out2)
		}
	})
}
