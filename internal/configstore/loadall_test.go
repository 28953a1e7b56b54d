package configstore

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadAll(t *testing.T) {
	s, logBuf := newTestStore(t)
	for _, n := range []string{"c", "a", "bad", "b"} {
		if err := s.Save(n, []byte("<domain>"+n+"</domain>")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetAutostart("a", true); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(s.configDir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	leftover := ".a.xml.tmp12345"
	write(leftover, "<dom")   // torn write from a crash
	write(".hidden.xml", "x") // dot file
	write("notes.txt", "x")   // not .xml
	write("a.xml.bak", "x")   // not .xml
	mustMkdir(t, filepath.Join(s.configDir, "dir.xml"))
	symlink(t, "/nonexistent", filepath.Join(s.configDir, "dangling.xml"))

	var seen []string
	loaded, failed := s.LoadAll(func(name string, data []byte) error {
		seen = append(seen, name)
		if want := "<domain>" + name + "</domain>"; string(data) != want {
			t.Errorf("parse(%s) data %q, want %q", name, data, want)
		}
		if name == "bad" {
			return errors.New("XML error: broken")
		}
		return nil
	})
	if want := []string{"a", "b", "bad", "c"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("parse order %v, want %v", seen, want)
	}
	if loaded != 3 {
		t.Errorf("loaded = %d, want 3", loaded)
	}
	if len(failed) != 1 || !strings.Contains(failed[0].Error(), "XML error: broken") {
		t.Errorf("failed = %v, want one parse error", failed)
	}
	if _, err := os.Stat(filepath.Join(s.configDir, leftover)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("leftover temp file not removed: %v", err)
	}
	for _, name := range []string{".hidden.xml", "notes.txt", "a.xml.bak"} {
		if _, err := os.Stat(filepath.Join(s.configDir, name)); err != nil {
			t.Errorf("LoadAll touched %s: %v", name, err)
		}
	}
	logs := logBuf.String()
	for _, want := range []string{
		`level=ERROR msg="cannot load domain config" file=` + s.ConfigFile("bad"),
		`level=WARN msg="removing leftover temporary config file"`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

func TestLoadAllDirectory(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(t *testing.T, s *Store)
		wantFailed int
	}{
		{"missing dir", func(*testing.T, *Store) {}, 0},
		{"empty dir", func(t *testing.T, s *Store) { mustMkdir(t, s.configDir) }, 0},
		{"config dir is a file", func(t *testing.T, s *Store) {
			mustMkdir(t, filepath.Dir(s.configDir))
			if err := os.WriteFile(s.configDir, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestStore(t)
			tt.setup(t, s)
			loaded, failed := s.LoadAll(func(string, []byte) error {
				t.Error("parse called")
				return nil
			})
			if loaded != 0 || len(failed) != tt.wantFailed {
				t.Errorf("LoadAll = %d, %v; want 0 loaded, %d failed", loaded, failed, tt.wantFailed)
			}
		})
	}
}

func TestLoadAllFollowsSymlinkedConfig(t *testing.T) {
	s, _ := newTestStore(t)
	if err := s.Save("real", []byte("<domain/>")); err != nil {
		t.Fatal(err)
	}
	symlink(t, s.ConfigFile("real"), s.ConfigFile("alias"))
	var seen []string
	loaded, failed := s.LoadAll(func(name string, _ []byte) error {
		seen = append(seen, name)
		return nil
	})
	if loaded != 2 || len(failed) != 0 || !reflect.DeepEqual(seen, []string{"alias", "real"}) {
		t.Errorf("LoadAll = %d, %v, seen %v", loaded, failed, seen)
	}
}
