package cgmem

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseLimit(t *testing.T) {
	for in, want := range map[string]uint64{"": Unlimited, "max": Unlimited, "9223372036854771712": Unlimited,
		"67108864": 67108864, "junk": Unlimited} {
		if got := ParseLimit(in); got != want {
			t.Errorf("ParseLimit(%q) = %d, want %d", in, got, want)
		}
	}
}

// TestFromFiles: a reader rebuilt from another reader's open files (as the
// keeper gets them through an exec) reads the same, fresh figures.
func TestFromFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("memory.current", "4096\n")
	write("memory.max", "max\n")
	write("memory.stat", "anon 1\nfile 8192\nactive_anon 3\n")
	r, err := Open(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	v, files := r.Files()
	if v != 2 || files[0] == nil || files[2] != nil {
		t.Fatalf("Files = %d, %v", v, files)
	}
	r2 := FromFiles(v, files)
	write("memory.current", "8192\n")
	var f Figures
	if err := r2.Read(&f); err != nil {
		t.Fatal(err)
	}
	want := Figures{Usage: 8192, Limit: Unlimited, SwapLimit: Unlimited, Stat: Stat{Cache: 8192, ActiveAnon: 3}}
	if f != want {
		t.Errorf("read %+v, want %+v", f, want)
	}
	r2.Close()
}
