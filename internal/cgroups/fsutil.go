package cgroups

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/virerr"
)

// writeFile writes value to dir/file. Control files are never created or
// truncated. A failure is worded as libvirt's virCgroupSetValueRaw words
// it (virerr.SysError): EINVAL as "Invalid value 'V' for 'FILE'", the
// others as "Unable to write to 'PATH'".
func writeFile(dir, file, value string) error {
	path := filepath.Join(dir, file)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(value)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		err = pe.Err // the path is in our message already
	}
	switch {
	case errors.Is(err, unix.EINVAL):
		return virerr.Sys(err, "Invalid value '%s' for '%s'", value, file)
	case err != nil:
		return virerr.Sys(err, "Unable to write to '%s'", path)
	}
	return nil
}

// readFile returns dir/file without its trailing newline.
func readFile(dir, file string) (string, error) {
	path := filepath.Join(dir, file)
	data, err := os.ReadFile(path)
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		err = pe.Err
	}
	if err != nil {
		return "", fmt.Errorf("unable to read from '%s': %w", path, err)
	}
	return strings.TrimSuffix(string(data), "\n"), nil
}

// fileExists reports whether dir/file exists.
func fileExists(dir, file string) bool {
	_, err := os.Stat(filepath.Join(dir, file))
	return err == nil
}

// subtree returns dir and every directory below it, parents before
// children. A missing dir yields an empty list.
func subtree(dir string) ([]string, error) {
	out := []string{dir}
	for i := 0; i < len(out); i++ {
		entries, err := os.ReadDir(out[i])
		if errors.Is(err, fs.ErrNotExist) {
			if i == 0 {
				return nil, nil
			}
			continue // removed while walking
		}
		if err != nil {
			return nil, fmt.Errorf("list cgroup %s: %w", out[i], err)
		}
		for _, e := range entries {
			if e.IsDir() {
				out = append(out, filepath.Join(out[i], e.Name()))
			}
		}
	}
	return out, nil
}

// procsUnder returns the pids listed in cgroup.procs of dir and of every
// cgroup below it.
func procsUnder(dir string) ([]int, error) {
	dirs, err := subtree(dir)
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, d := range dirs {
		data, err := os.ReadFile(filepath.Join(d, "cgroup.procs"))
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENODEV) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s/cgroup.procs: %w", d, err)
		}
		for _, f := range strings.Fields(string(data)) {
			pid, err := strconv.Atoi(f)
			if err != nil {
				return nil, fmt.Errorf("parse %s/cgroup.procs: %w", d, err)
			}
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// removeTree removes dir and every cgroup below it, deepest first. A
// missing directory is not an error; EBUSY (tasks still exiting) is
// retried with a short backoff until ctx ends.
func removeTree(ctx context.Context, dir string) error {
	dirs, err := subtree(dir)
	if err != nil {
		return err
	}
	slices.Reverse(dirs)
	for _, d := range dirs {
		b := newBackoff()
		for {
			err := unix.Rmdir(d)
			if err == nil || errors.Is(err, unix.ENOENT) {
				break
			}
			if !errors.Is(err, unix.EBUSY) {
				return fmt.Errorf("remove cgroup %s: %w", d, err)
			}
			if werr := b.wait(ctx); werr != nil {
				return fmt.Errorf("remove cgroup %s: %w (%w)", d, err, werr)
			}
		}
	}
	return nil
}

// backoff sleeps for a short, doubling interval: the package polls kernel
// state with it instead of fixed sleeps.
type backoff struct{ next, max time.Duration }

func newBackoff() *backoff { return &backoff{next: 100 * time.Microsecond, max: 20 * time.Millisecond} }

// wait sleeps for the next interval or until ctx ends.
func (b *backoff) wait(ctx context.Context) error {
	t := time.NewTimer(b.next)
	defer t.Stop()
	b.next = min(2*b.next, b.max)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// poll calls cond until it reports true, it fails, or timeout (bounded by
// ctx) passes.
func poll(ctx context.Context, timeout time.Duration, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	b := newBackoff()
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if err := b.wait(ctx); err != nil {
			return err
		}
	}
}
