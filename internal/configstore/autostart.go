package configstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"virtlxc/internal/paths"
)

// SetAutostart creates (on) or removes (off) the autostart symlink
// AUTOSTART/NAME.xml pointing at the absolute path of CONFIG/NAME.xml.
// Enabling requires the config to exist and creates the autostart
// directory if needed; a link pointing elsewhere is replaced. Disabling a
// domain that has no link is not an error.
func (s *Store) SetAutostart(name string, on bool) error {
	if err := paths.ValidName(name); err != nil {
		return err
	}
	link := s.AutostartLink(name)
	if !on {
		if err := removeIfExists(link); err != nil {
			return fmt.Errorf("cannot remove autostart link %s: %w", link, err)
		}
		return nil
	}
	target, err := filepath.Abs(s.ConfigFile(name))
	if err != nil {
		return fmt.Errorf("cannot resolve config path for %s: %w", name, err)
	}
	if !s.Exists(name) {
		return fmt.Errorf("cannot set autostart for %s: config %s: %w", name, target, os.ErrNotExist)
	}
	if s.Autostart(name) {
		return nil
	}
	if err := os.MkdirAll(s.autostartDir, 0o700); err != nil {
		return fmt.Errorf("cannot create autostart directory %s: %w", s.autostartDir, err)
	}
	// Replace a stale link (or anything else that is not a directory).
	if err := removeIfExists(link); err != nil {
		return fmt.Errorf("cannot remove stale autostart link %s: %w", link, err)
	}
	if err := os.Symlink(target, link); err != nil {
		return fmt.Errorf("Failed to create symlink '%s' to '%s': %w", link, target, err)
	}
	s.log.Debug("autostart enabled", "link", link, "target", target)
	return nil
}

// Autostart reports whether the autostart link of name exists and points
// at the config file of name (by path, or failing that, by identity of the
// file it resolves to).
func (s *Store) Autostart(name string) bool {
	if paths.ValidName(name) != nil {
		return false
	}
	link := s.AutostartLink(name)
	dest, err := os.Readlink(link)
	if err != nil {
		return false
	}
	if !filepath.IsAbs(dest) {
		dest = filepath.Join(s.autostartDir, dest)
	}
	want, err := filepath.Abs(s.ConfigFile(name))
	if err != nil {
		return false
	}
	if filepath.Clean(dest) == want {
		return true
	}
	lfi, err := os.Stat(link)
	if err != nil {
		return false
	}
	cfi, err := os.Stat(want)
	if err != nil {
		return false
	}
	return os.SameFile(lfi, cfi)
}

// isNotDir reports whether err is ENOTDIR.
func isNotDir(err error) bool {
	return errors.Is(err, syscall.ENOTDIR)
}
