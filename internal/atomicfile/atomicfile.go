// Package atomicfile writes a file whole or not at all: through a hidden
// temporary file in the same directory and a rename, so a reader (or a
// full disk) never leaves a half-written or empty file in its place.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write replaces path with data, mode mode. The temporary file is
// ".BASE.tmpNNN" (hidden, so loaders that skip dot files skip it) and is
// removed on any failure; the previous file, if any, is then untouched.
func Write(path string, data []byte, mode os.FileMode) error {
	dir, base := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+base+".tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Chmod(mode)
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		_ = os.Remove(tmp)
		return werr
	}
	return nil
}
