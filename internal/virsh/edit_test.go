package virsh

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCommandString(t *testing.T) {
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"false", "/tmp/virshAb12Cd.xml"}, "false /tmp/virshAb12Cd.xml"},
		{[]string{"sh", "-c", "vim -n /tmp/x.xml"}, "sh -c 'vim -n /tmp/x.xml'"},
		{[]string{"sh", "-c", "ed 'a' b"}, `sh -c 'ed '\''a'\'' b'`},
		{[]string{"", "f"}, "'' f"},
	} {
		if got := commandString(c.argv); got != c.want {
			t.Errorf("commandString(%q) = %q, want %q", c.argv, got, c.want)
		}
	}
}

func TestOnlySafe(t *testing.T) {
	for s, want := range map[string]bool{
		"vi": true, "/usr/bin/vim.basic": true, "emacs-nox": true, "": true,
		"vim -n": false, "ed;rm": false, "a$b": false, "/tmp/a b/x": false,
	} {
		if got := onlySafe(s); got != want {
			t.Errorf("onlySafe(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestDefaultEditor: sensible-editor where it is on PATH (Debian's virsh
// default), else vi (libvirt's).
func TestDefaultEditor(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	if got := defaultEditor(); got != "vi" {
		t.Errorf("without sensible-editor: %q, want vi", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "sensible-editor"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := defaultEditor(); got != "sensible-editor" {
		t.Errorf("with sensible-editor on PATH: %q", got)
	}
}
