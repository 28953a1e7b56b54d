package containerinit

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

func (s *stage) mountConfigured() error {
	for _, m := range s.c.Mounts {
		if err := s.mountOne(m); err != nil {
			return err
		}
	}
	return nil
}

func (s *stage) mountOne(m spec.Mount) error {
	switch m.Kind {
	case spec.MountHostBind, spec.MountBind:
		src := m.Source
		if m.Kind == spec.MountBind {
			p, err := s.inRoot(m.Source)
			if err != nil {
				return err
			}
			src = p
		}
		st, err := os.Stat(src)
		if err != nil {
			// lxcContainerResolveSymlinks' access(2) comes first in
			// libvirt, and words a missing source so.
			return virerr.Sys(err, "Failed to access '%s'", m.Source)
		}
		var dst string
		if st.IsDir() {
			dst, err = s.mkdirIn(m.Target)
		} else {
			dst, err = s.touchAs(m.Target, 0o666, "Failed to create bind target %s")
		}
		if err != nil {
			return err
		}
		if err := unix.Mount(src, dst, "", unix.MS_BIND, ""); err != nil {
			return virerr.Sys(err, "Failed to bind mount directory %s to %s", m.Source, m.Target)
		}
		if m.ReadOnly {
			return remountRO(dst, 0)
		}
		return nil
	case spec.MountRAM:
		dst, err := s.mkdirIn(m.Target)
		if err != nil {
			return err
		}
		if err := mount("tmpfs", dst, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size="+strconv.FormatUint(m.SizeBytes, 10)); err != nil {
			return err
		}
		if m.ReadOnly {
			return remountRO(dst, unix.MS_NOSUID|unix.MS_NODEV)
		}
		return nil
	case spec.MountBlock:
		dst, err := s.mkdirIn(m.Target)
		if err != nil {
			return err
		}
		return mountBlock(m.Source, dst, m.ReadOnly)
	}
	return fmt.Errorf("Cannot mount filesystem type %s", m.Kind)
}

// mountBlock mounts a block device, trying each block filesystem the
// kernel knows (the non-"nodev" lines of /proc/filesystems), as libvirt
// does when probing finds nothing.
func mountBlock(dev, dst string, readonly bool) error {
	data, err := os.ReadFile("/proc/filesystems")
	if err != nil {
		return fmt.Errorf("reading /proc/filesystems: %w", err)
	}
	flags := uintptr(0)
	if readonly {
		flags |= unix.MS_RDONLY
	}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "nodev") {
			continue
		}
		fstype := strings.TrimSpace(line)
		err := unix.Mount(dev, dst, fstype, flags, "")
		if err == nil {
			return nil
		}
		if err != unix.EINVAL && err != unix.ENODEV {
			return virerr.Sys(err, "Failed to mount device %s to %s as %s", dev, dst, fstype)
		}
	}
	return fmt.Errorf("Failed to mount device %s to %s, unable to detect filesystem", dev, dst)
}

// makeDevice creates a configured device node (hostdev) at its host path
// inside the container: mknod, or in a user namespace, where mknod is
// refused, a bind of the host's node.
func (s *stage) makeDevice(d spec.Device) error {
	if s.c.NewUser {
		dst, err := s.touchIn(d.Path, os.FileMode(d.Mode))
		if err != nil {
			return err
		}
		src := d.Source
		if src == "" {
			src = d.Path
		}
		return mount(src, dst, "", unix.MS_BIND, "")
	}
	p, err := s.inRoot(d.Path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return virerr.Sys(err, "Failed to create %s", filepath.Dir(d.Path))
	}
	typ := uint32(unix.S_IFCHR)
	if d.Type == 'b' {
		typ = unix.S_IFBLK
	}
	if err := unix.Mknod(p, typ|d.Mode, int(unix.Mkdev(d.Major, d.Minor))); err != nil {
		return virerr.Sys(err, "Failed to make device %s", d.Path)
	}
	return os.Chmod(p, os.FileMode(d.Mode))
}

// detachUnder lazily unmounts every mount at or below each of dirs
// (libvirt's lxcContainerUnmountSubtree): /run may be a plain directory
// whose submounts (/run/netns, …) must go too. A lazy unmount takes the
// mounts below it along, so only the outermost mounts are unmounted, each
// as often as mounts are stacked on it: every umount costs the kernel an
// RCU grace period, and a host root copy holds a score of mounts there.
func detachUnder(dirs ...string) error {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return fmt.Errorf("reading mountinfo: %w", err)
	}
	for _, t := range outermostMounts(string(data), dirs) {
		for {
			err := unix.Unmount(t, unix.MNT_DETACH)
			if err == unix.EINVAL || err == unix.ENOENT {
				break // no (more) mount there
			}
			if err != nil {
				return virerr.Sys(err, "Failed to unmount '%s'", t)
			}
		}
	}
	return nil
}

// outermostMounts lists the mount points of a mountinfo text that lie at
// or below one of dirs and below no other such mount point, once each.
func outermostMounts(mountinfo string, dirs []string) []string {
	var all []string
	for _, m := range parseMountinfo(mountinfo) {
		if underAny(m.point, dirs) {
			all = append(all, m.point)
		}
	}
	sort.Strings(all) // an ancestor sorts before what lies below it
	var out []string
next:
	for _, mp := range all {
		if underAny(mp, out) {
			continue next
		}
		out = append(out, mp)
	}
	return out
}

// mountEntry is one line of a mountinfo text.
type mountEntry struct{ id, parent, point string }

// parseMountinfo reads the ids and (decoded) mount points of a mountinfo
// text.
func parseMountinfo(mountinfo string) []mountEntry {
	var out []mountEntry
	for _, line := range strings.Split(mountinfo, "\n") {
		if f := strings.Fields(line); len(f) >= 5 {
			out = append(out, mountEntry{id: f[0], parent: f[1], point: unescapeMount(f[4])})
		}
	}
	return out
}

// underAny reports whether path is one of dirs or lies below one.
func underAny(path string, dirs []string) bool {
	for _, d := range dirs {
		if path == d || strings.HasPrefix(path, d+"/") {
			return true
		}
	}
	return false
}

// unescapeMount decodes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
