package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.pid")
	if err := os.WriteFile(p, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("42\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	st, serr := os.Stat(p)
	if err != nil || serr != nil || string(data) != "42\n" || st.Mode().Perm() != 0o600 {
		t.Fatalf("content %q (%v), mode %v (%v)", data, err, st.Mode(), serr)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d entries, want the file alone", len(ents))
	}
}

// TestWriteFailureKeepsOld: a write that cannot finish (here the target is
// a directory, so the rename fails) leaves the old file and no temporary.
func TestWriteFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "busy")
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p, "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("new"), 0o600); err == nil {
		t.Fatal("Write over a non-empty directory succeeded")
	}
	if st, err := os.Stat(p); err != nil || !st.IsDir() {
		t.Errorf("the old entry is gone: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("a temporary file was left: %d entries", len(ents))
	}
}
