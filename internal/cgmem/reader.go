// Package cgmem reads a memory cgroup's figures (usage, limit, swap,
// memory.stat) again and again from descriptors kept open, with almost no
// garbage. It is a leaf: the controller and the keeper (the small program a
// controller execs once its container runs) both serve a container's
// /proc/meminfo from it, and the keeper must not link the cgroup manager.
package cgmem

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// Unlimited is reported for a memory limit that is not set.
const Unlimited uint64 = math.MaxUint64

// v1UnlimitedMin is the smallest value a v1 memory limit shows when it is
// unlimited (LONG_MAX rounded down to the largest common page size).
const v1UnlimitedMin uint64 = 0x7FFFFFFFFFFF0000

// Stat holds the memory.stat fields libvirt uses, in bytes.
type Stat struct {
	// Cache is v1 "cache" or v2 "file".
	Cache uint64
	// ActiveAnon, InactiveAnon, ActiveFile, InactiveFile and Unevictable
	// have the same names on v1 and v2.
	ActiveAnon, InactiveAnon, ActiveFile, InactiveFile, Unevictable uint64
}

// Figures are a group's memory figures, in bytes.
type Figures struct {
	// Usage is v1 memory.usage_in_bytes or v2 memory.current.
	Usage uint64
	// Limit is the hard limit, or Unlimited.
	Limit uint64
	// SwapUsage is v1 memory.memsw.usage_in_bytes (memory plus swap) or
	// v2 memory.swap.current, as libvirt reads them.
	SwapUsage uint64
	// SwapLimit is v1 memory.memsw.limit_in_bytes or v2 memory.swap.max,
	// or Unlimited.
	SwapLimit uint64
	// Stat is memory.stat.
	Stat Stat
}

// Files are what a Reader reads, per hierarchy version: usage, limit, swap
// (v1: memory plus swap) usage and limit, and memory.stat.
var Files = [...][2]string{
	{"memory.usage_in_bytes", "memory.current"},
	{"memory.limit_in_bytes", "memory.max"},
	{"memory.memsw.usage_in_bytes", "memory.swap.current"},
	{"memory.memsw.limit_in_bytes", "memory.swap.max"},
	{"memory.stat", "memory.stat"},
}

// Reader rereads a group's memory files from offset 0 into one buffer and
// parses them without maps or copies: a controller serves every free(1) or
// top(1) of its container from it, and no read may grow its heap. Safe
// for concurrent use.
type Reader struct {
	mu    sync.Mutex
	v     int
	files [len(Files)]*os.File // nil: the file does not exist
	buf   []byte
}

// Open opens the memory files of a version v group directory; dir "" (no
// memory controller) gives a reader that reads zeros.
func Open(dir string, v int) (*Reader, error) {
	r := &Reader{buf: make([]byte, 4096)}
	if dir == "" {
		return r, nil
	}
	r.v = v
	for i, names := range Files {
		f, err := os.Open(filepath.Join(dir, names[v-1]))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			r.Close()
			return nil, err
		}
		r.files[i] = f
	}
	return r, nil
}

// FromFiles is a Reader of files already open (those Files returned, in
// another process): nil entries are missing files, v 0 reads zeros.
func FromFiles(v int, files [len(Files)]*os.File) *Reader {
	return &Reader{v: v, files: files, buf: make([]byte, 4096)}
}

// Files returns the hierarchy version and the open files (nil where
// missing), which stay the reader's.
func (r *Reader) Files() (int, [len(Files)]*os.File) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.v, r.files
}

// Read fills f with fresh figures.
func (r *Reader) Read(f *Figures) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.v == 0 {
		*f = Figures{}
		return nil
	}
	var vals [len(Files)][]byte
	for i, file := range r.files {
		if file == nil {
			continue
		}
		text, err := r.reread(file, i)
		if err != nil {
			return fmt.Errorf("unable to read from '%s': %w", file.Name(), err)
		}
		vals[i] = text
	}
	f.Usage = parseCount(vals[0])
	f.Limit = ParseLimit(string(vals[1]))
	f.SwapUsage = parseCount(vals[2])
	f.SwapLimit = ParseLimit(string(vals[3]))
	f.Stat = ParseStat(vals[4], r.v)
	return nil
}

// reread reads f from offset 0 into the i-th part of r.buf and returns
// the text without surrounding space. The buffer is split in fixed parts
// (the four single numbers first, memory.stat last, with the rest); it
// grows when memory.stat does not fit.
func (r *Reader) reread(f *os.File, i int) ([]byte, error) {
	const small = 64 // a number file: at most 20 digits and a newline
	for {
		start, end := i*small, len(r.buf)
		if i < len(Files)-1 {
			end = start + small
		}
		n, err := f.ReadAt(r.buf[start:end], 0)
		if err != nil && err != io.EOF {
			return nil, err
		}
		if start+n < end || i < len(Files)-1 {
			return bytes.TrimSpace(r.buf[start : start+n]), nil
		}
		r.buf = append(r.buf, make([]byte, len(r.buf))...)
	}
}

// Close closes the files.
func (r *Reader) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, f := range r.files {
		if f != nil {
			f.Close()
			r.files[i] = nil
		}
	}
	r.v = 0
}

// parseCount is a decimal count, 0 when text is not one. An empty text
// (a missing file) is checked first: strconv's error would be garbage.
func parseCount(text []byte) uint64 {
	if len(text) == 0 {
		return 0
	}
	n, _ := strconv.ParseUint(string(text), 10, 64)
	return n
}

// ParseLimit is a limit file's value: Unlimited for "max", nothing, or
// v1's page-rounded LONG_MAX.
func ParseLimit(s string) uint64 {
	if s == "" || s == "max" {
		return Unlimited
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v >= v1UnlimitedMin {
		return Unlimited
	}
	return v
}

// ParseStat extracts libvirt's memory.stat fields from text of a version
// v (1 or 2) hierarchy, without garbage.
func ParseStat(text []byte, v int) Stat {
	var m Stat
	for len(text) > 0 {
		line := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		key, val, ok := bytes.Cut(bytes.TrimSpace(line), []byte{' '})
		if !ok {
			continue
		}
		n := parseCount(bytes.TrimSpace(val))
		switch string(key) {
		case "cache":
			if v == 1 {
				m.Cache = n
			}
		case "file":
			if v == 2 {
				m.Cache = n
			}
		case "active_anon":
			m.ActiveAnon = n
		case "inactive_anon":
			m.InactiveAnon = n
		case "active_file":
			m.ActiveFile = n
		case "inactive_file":
			m.InactiveFile = n
		case "unevictable":
			m.Unevictable = n
		}
	}
	return m
}
