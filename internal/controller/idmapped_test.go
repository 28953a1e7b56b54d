package controller

import (
	"os"
	"path/filepath"
	"testing"
)

func TestShielded(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root-owned directories (run as root)")
	}
	base := t.TempDir()
	open := filepath.Join(base, "open")
	closed := filepath.Join(base, "closed")
	group := filepath.Join(base, "group")
	for dir, mode := range map[string]os.FileMode{open: 0o755, closed: 0o700, group: 0o750} {
		if err := os.MkdirAll(filepath.Join(dir, "rootfs"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, "rootfs"), 0o755); err != nil { // whatever the umask
			t.Fatal(err)
		}
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{base, filepath.Dir(base)} { // testing's own dirs are 0700
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(group, 0, 100); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(filepath.Join(closed, "rootfs"), link); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]bool{
		filepath.Join(open, "rootfs"): false, filepath.Join(closed, "rootfs"): true,
		filepath.Join(group, "rootfs"): false, link: true, "/": false,
	} {
		if got := shielded(dir); got != want {
			t.Errorf("shielded(%s) = %v, want %v", dir, got, want)
		}
	}
}
