package configstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// LoadAll reads every regular CONFIG/*.xml file (symlinks are followed) and
// calls parse with the domain name (the file name without ".xml") and the
// file content, in sorted name order. Dot files, directories (including the
// autostart directory) and files without the ".xml" suffix are ignored.
// Leftover temporary files from an interrupted Save (.NAME.xml.tmp*) are
// removed with a warning. A file that cannot be read or parsed is logged,
// its error is appended to failed, and loading continues. A missing config
// directory loads nothing and is not an error.
func (s *Store) LoadAll(parse func(name string, data []byte) error) (loaded int, failed []error) {
	entries, err := os.ReadDir(s.configDir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		err = fmt.Errorf("cannot read config directory %s: %w", s.configDir, err)
		s.log.Error("cannot load domain configs", "dir", s.configDir, "err", err)
		return 0, []error{err}
	}
	var names []string
	for _, e := range entries {
		fname := e.Name()
		path := filepath.Join(s.configDir, fname)
		if strings.HasPrefix(fname, ".") {
			if strings.Contains(fname, tempInfix) && e.Type().IsRegular() {
				s.removeLeftover(path)
			}
			continue
		}
		if !strings.HasSuffix(fname, ".xml") || !isRegular(path, e) {
			continue
		}
		names = append(names, strings.TrimSuffix(fname, ".xml"))
	}
	sort.Strings(names) // ReadDir already sorts; keep the promise explicit.
	for _, name := range names {
		path := s.ConfigFile(name)
		data, err := os.ReadFile(path)
		if err != nil {
			err = fmt.Errorf("cannot read config %s: %w", path, err)
		} else if perr := parse(name, data); perr != nil {
			err = fmt.Errorf("domain %s: %w", name, perr)
		}
		if err != nil {
			s.log.Error("cannot load domain config", "file", path, "err", err)
			failed = append(failed, err)
			continue
		}
		loaded++
	}
	return loaded, failed
}

// removeLeftover deletes a temporary file left by an interrupted Save.
func (s *Store) removeLeftover(path string) {
	s.log.Warn("removing leftover temporary config file", "file", path)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Warn("cannot remove leftover temporary config file", "file", path, "err", err)
	}
}

// isRegular reports whether the directory entry is a regular file, following
// a symlink.
func isRegular(path string, e fs.DirEntry) bool {
	if e.Type().IsRegular() {
		return true
	}
	if e.Type()&fs.ModeSymlink == 0 {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
