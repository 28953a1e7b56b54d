// Package configstore keeps persistent domain configurations the way
// libvirt does: one CONFIG/NAME.xml file per domain, written atomically,
// plus an AUTOSTART/NAME.xml symlink for domains marked autostart.
package configstore

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"virtlxc/internal/paths"
)

// tempInfix is part of every temporary file name: ".NAME.xml.tmpXXXX".
const tempInfix = ".xml.tmp"

// Store reads and writes domain configs in a config directory and the
// autostart links in an autostart directory. Its methods only touch the
// file system and are safe for concurrent use, except that LoadAll removes
// leftover temporary files and so must not run concurrently with Save.
type Store struct {
	configDir    string
	autostartDir string
	log          *slog.Logger

	// write writes data to f; tests replace it to inject failures.
	write func(f *os.File, data []byte) error
}

// New returns a Store for configDir and autostartDir. A nil log discards
// log output.
func New(configDir, autostartDir string, log *slog.Logger) *Store {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{
		configDir:    configDir,
		autostartDir: autostartDir,
		log:          log,
		write: func(f *os.File, data []byte) error {
			_, err := f.Write(data)
			return err
		},
	}
}

// ConfigFile returns the path of the config file for name (CONFIG/NAME.xml).
func (s *Store) ConfigFile(name string) string {
	return filepath.Join(s.configDir, name+".xml")
}

// AutostartLink returns the path of the autostart link for name
// (AUTOSTART/NAME.xml).
func (s *Store) AutostartLink(name string) string {
	return filepath.Join(s.autostartDir, name+".xml")
}

// Save atomically replaces the config of name with xml: the data goes to a
// new temporary file in the config directory, which is synced and renamed
// over CONFIG/NAME.xml, then the directory is synced. On failure before the
// rename the temporary file is removed and the previous config is left
// untouched.
func (s *Store) Save(name string, xml []byte) error {
	if err := paths.ValidName(name); err != nil {
		return err
	}
	target := s.ConfigFile(name)
	if err := os.MkdirAll(s.configDir, 0o700); err != nil {
		return fmt.Errorf("cannot create config directory %s: %w", s.configDir, err)
	}
	// CreateTemp opens with O_RDWR|O_CREATE|O_EXCL and mode 0600.
	f, err := os.CreateTemp(s.configDir, "."+name+tempInfix+"*")
	if err != nil {
		return fmt.Errorf("cannot create temporary file for %s: %w", target, err)
	}
	tmp := f.Name()
	if err := s.writeTemp(f, xml); err != nil {
		if rerr := os.Remove(tmp); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			s.log.Warn("cannot remove temporary config file", "file", tmp, "err", rerr)
		}
		return fmt.Errorf("cannot save config %s: %w", target, err)
	}
	if err := os.Rename(tmp, target); err != nil {
		if rerr := os.Remove(tmp); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			s.log.Warn("cannot remove temporary config file", "file", tmp, "err", rerr)
		}
		return fmt.Errorf("cannot save config %s: %w", target, err)
	}
	if err := syncDir(s.configDir); err != nil {
		return fmt.Errorf("saved config %s but %w", target, err)
	}
	s.log.Debug("saved domain config", "file", target, "bytes", len(xml))
	return nil
}

// writeTemp writes data to f, syncs and closes it. f is closed on return.
func (s *Store) writeTemp(f *os.File, data []byte) error {
	if err := s.write(f, data); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("fsync %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.Name(), err)
	}
	return nil
}

// syncDir fsyncs a directory so that a rename in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("cannot open directory %s for fsync: %w", dir, err)
	}
	serr := d.Sync()
	cerr := d.Close()
	if serr != nil {
		return fmt.Errorf("cannot fsync directory %s: %w", dir, serr)
	}
	if cerr != nil {
		return fmt.Errorf("cannot close directory %s: %w", dir, cerr)
	}
	return nil
}

// Load returns the saved config of name. A missing config yields an error
// that matches fs.ErrNotExist.
func (s *Store) Load(name string) ([]byte, error) {
	if err := paths.ValidName(name); err != nil {
		return nil, err
	}
	path := s.ConfigFile(name)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read config %s: %w", path, err)
	}
	return data, nil
}

// Exists reports whether a config file exists for name.
func (s *Store) Exists(name string) bool {
	if paths.ValidName(name) != nil {
		return false
	}
	fi, err := os.Stat(s.ConfigFile(name))
	return err == nil && fi.Mode().IsRegular()
}

// Delete removes the autostart link and the config of name, like
// libvirt's virDomainDeleteConfig: neither a missing link nor a missing
// config is an error.
func (s *Store) Delete(name string) error {
	if err := paths.ValidName(name); err != nil {
		return err
	}
	link := s.AutostartLink(name)
	if err := removeIfExists(link); err != nil {
		return fmt.Errorf("cannot remove autostart link %s: %w", link, err)
	}
	path := s.ConfigFile(name)
	if err := removeIfExists(path); err != nil {
		return fmt.Errorf("cannot remove config %s: %w", path, err)
	}
	s.log.Debug("deleted domain config", "file", path)
	return nil
}

// removeIfExists removes path, ignoring ENOENT and ENOTDIR.
func removeIfExists(path string) error {
	err := os.Remove(path)
	if err == nil || errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
		return nil
	}
	return err
}
