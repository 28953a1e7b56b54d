package configstore

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// newTestStore returns a store in a fresh temp dir and its log buffer.
func newTestStore(t *testing.T) (*Store, *bytes.Buffer) {
	t.Helper()
	dir := t.TempDir()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&syncWriter{w: &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return New(filepath.Join(dir, "lxc"), filepath.Join(dir, "lxc", "autostart"), log), &buf
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// tempFiles lists leftover temporary files in dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*"+tempInfix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSaveLoad(t *testing.T) {
	s, _ := newTestStore(t)
	for _, content := range []string{"<domain>v1</domain>", "<domain>v2 longer</domain>", ""} {
		if err := s.Save("c1", []byte(content)); err != nil {
			t.Fatalf("Save: %v", err)
		}
		got, err := s.Load("c1")
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if string(got) != content {
			t.Errorf("Load = %q, want %q", got, content)
		}
	}
	fi, err := os.Stat(s.ConfigFile("c1"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("config mode %o, want 600", fi.Mode().Perm())
	}
	if !s.Exists("c1") || s.Exists("c2") {
		t.Errorf("Exists(c1)=%v Exists(c2)=%v, want true false", s.Exists("c1"), s.Exists("c2"))
	}
	if _, err := s.Load("c2"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want ErrNotExist", err)
	}
	if tf := tempFiles(t, s.configDir); len(tf) != 0 {
		t.Errorf("temporary files left: %v", tf)
	}
}

func TestSaveFailureKeepsOld(t *testing.T) {
	errInjected := errors.New("injected")
	tests := []struct {
		name  string
		write func(f *os.File, data []byte) error
	}{
		{"write fails", func(*os.File, []byte) error { return errInjected }},
		{"short write then fails", func(f *os.File, data []byte) error {
			if _, err := f.Write(data[:len(data)/2]); err != nil {
				return err
			}
			return errInjected
		}},
		{"file closed under us", func(f *os.File, data []byte) error {
			_ = f.Close()
			_, err := f.Write(data)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestStore(t)
			if err := s.Save("c1", []byte("old")); err != nil {
				t.Fatal(err)
			}
			s.write = tt.write
			err := s.Save("c1", []byte("new content that is torn"))
			if err == nil {
				t.Fatal("Save succeeded, want error")
			}
			if !strings.Contains(err.Error(), s.ConfigFile("c1")) {
				t.Errorf("error %q does not name the config file", err)
			}
			got, lerr := s.Load("c1")
			if lerr != nil || string(got) != "old" {
				t.Errorf("after failed Save: Load = %q, %v; want old content", got, lerr)
			}
			if tf := tempFiles(t, s.configDir); len(tf) != 0 {
				t.Errorf("temporary files left: %v", tf)
			}
		})
	}
}

func TestSaveRenameFails(t *testing.T) {
	s, _ := newTestStore(t)
	// A non-empty directory where the config should go makes rename fail.
	if err := os.MkdirAll(filepath.Join(s.ConfigFile("c1"), "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := s.Save("c1", []byte("data")); err == nil {
		t.Fatal("Save succeeded, want error")
	}
	if tf := tempFiles(t, s.configDir); len(tf) != 0 {
		t.Errorf("temporary files left: %v", tf)
	}
}

func TestSaveReadOnlyDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	s, _ := newTestStore(t)
	if err := s.Save("c1", []byte("old")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.configDir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(s.configDir, 0o700) })
	if err := s.Save("c1", []byte("new")); err == nil {
		t.Fatal("Save into read-only dir succeeded")
	}
	if got, err := s.Load("c1"); err != nil || string(got) != "old" {
		t.Errorf("Load = %q, %v; want old", got, err)
	}
}

func TestConcurrentSave(t *testing.T) {
	s, _ := newTestStore(t)
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Save("c1", []byte(fmt.Sprintf("<v%d/>", i))); err != nil {
				t.Errorf("Save %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	got, err := s.Load("c1")
	if err != nil || !strings.HasPrefix(string(got), "<v") {
		t.Errorf("Load = %q, %v", got, err)
	}
	if tf := tempFiles(t, s.configDir); len(tf) != 0 {
		t.Errorf("temporary files left: %v", tf)
	}
}

func TestInvalidNames(t *testing.T) {
	s, _ := newTestStore(t)
	tests := []struct{ name, want string }{
		{"a/b", "name a/b cannot contain '/'"},
		{"..", "name .. is not a valid file name"},
		{".", "name . is not a valid file name"},
		{"", "missing name information"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops := map[string]error{
				"Save":         s.Save(tt.name, []byte("x")),
				"Delete":       s.Delete(tt.name),
				"SetAutostart": s.SetAutostart(tt.name, true),
			}
			_, ops["Load"] = s.Load(tt.name)
			for op, err := range ops {
				if err == nil || err.Error() != tt.want {
					t.Errorf("%s(%q) = %v, want %q", op, tt.name, err, tt.want)
				}
			}
			if s.Exists(tt.name) || s.Autostart(tt.name) {
				t.Errorf("Exists/Autostart(%q) true for invalid name", tt.name)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	tests := []struct {
		name      string
		save      bool
		autostart bool
	}{
		{"config and link", true, true},
		{"config only", true, false},
		{"nothing", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestStore(t)
			if tt.save {
				if err := s.Save("c1", []byte("x")); err != nil {
					t.Fatal(err)
				}
			}
			if tt.autostart {
				if err := s.SetAutostart("c1", true); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Delete("c1"); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if s.Exists("c1") {
				t.Error("config still exists")
			}
			if _, err := os.Lstat(s.AutostartLink("c1")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("autostart link still present: %v", err)
			}
		})
	}
}
