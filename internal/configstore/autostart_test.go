package configstore

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestSetAutostart(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, s *Store)
		ops     []bool // successive SetAutostart calls
		wantErr bool
		want    bool
	}{
		{name: "enable", ops: []bool{true}, want: true},
		{name: "enable twice", ops: []bool{true, true}, want: true},
		{name: "enable then disable", ops: []bool{true, false}, want: false},
		{name: "disable without link", ops: []bool{false}, want: false},
		{name: "disable twice", ops: []bool{true, false, false}, want: false},
		{
			name: "stale link replaced",
			setup: func(t *testing.T, s *Store) {
				mustMkdir(t, s.autostartDir)
				if err := os.Symlink("/nonexistent/c1.xml", s.AutostartLink("c1")); err != nil {
					t.Fatal(err)
				}
			},
			ops: []bool{true}, want: true,
		},
		{
			name: "enable without config",
			setup: func(t *testing.T, s *Store) {
				if err := os.Remove(s.ConfigFile("c1")); err != nil {
					t.Fatal(err)
				}
			},
			ops: []bool{true}, wantErr: true, want: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestStore(t)
			if err := s.Save("c1", []byte("<domain/>")); err != nil {
				t.Fatal(err)
			}
			if tt.setup != nil {
				tt.setup(t, s)
			}
			var err error
			for _, on := range tt.ops {
				if err = s.SetAutostart("c1", on); err != nil {
					break
				}
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("SetAutostart err = %v, wantErr %v", err, tt.wantErr)
			}
			if got := s.Autostart("c1"); got != tt.want {
				t.Errorf("Autostart = %v, want %v", got, tt.want)
			}
			if !tt.want {
				return
			}
			dest, err := os.Readlink(s.AutostartLink("c1"))
			if err != nil {
				t.Fatal(err)
			}
			if dest != s.ConfigFile("c1") || !filepath.IsAbs(dest) {
				t.Errorf("link target %q, want absolute %q", dest, s.ConfigFile("c1"))
			}
		})
	}
}

func TestAutostartDetection(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, s *Store)
		want  bool
	}{
		{"no link", func(*testing.T, *Store) {}, false},
		{"absolute link", func(t *testing.T, s *Store) {
			symlink(t, s.ConfigFile("c1"), s.AutostartLink("c1"))
		}, true},
		{"relative link", func(t *testing.T, s *Store) {
			symlink(t, "../c1.xml", s.AutostartLink("c1"))
		}, true},
		{"link to other domain", func(t *testing.T, s *Store) {
			symlink(t, s.ConfigFile("c2"), s.AutostartLink("c1"))
		}, false},
		{"link via symlinked dir", func(t *testing.T, s *Store) {
			alias := filepath.Join(filepath.Dir(s.configDir), "alias")
			symlink(t, s.configDir, alias)
			symlink(t, filepath.Join(alias, "c1.xml"), s.AutostartLink("c1"))
		}, true},
		{"regular file instead of link", func(t *testing.T, s *Store) {
			mustMkdir(t, s.autostartDir)
			if err := os.WriteFile(s.AutostartLink("c1"), []byte("<domain/>"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestStore(t)
			for _, n := range []string{"c1", "c2"} {
				if err := s.Save(n, []byte("<domain/>")); err != nil {
					t.Fatal(err)
				}
			}
			tt.setup(t, s)
			if got := s.Autostart("c1"); got != tt.want {
				t.Errorf("Autostart = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSetAutostartOffRemovesForeignLink(t *testing.T) {
	s, _ := newTestStore(t)
	if err := s.Save("c1", []byte("<domain/>")); err != nil {
		t.Fatal(err)
	}
	symlink(t, "/elsewhere", s.AutostartLink("c1"))
	if err := s.SetAutostart("c1", false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(s.AutostartLink("c1")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("link still present: %v", err)
	}
}

func mustMkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	mustMkdir(t, filepath.Dir(link))
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
