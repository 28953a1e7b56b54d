package containerinit

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"virtlxc/internal/cgthread"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"

	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

// hostDevices are the nodes every container gets in /dev (spec §1.4 step 6).
var hostDevices = []struct {
	name         string
	major, minor uint32
}{
	{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
}

func mount(src, dst, fstype string, flags uintptr, data string) error {
	if err := unix.Mount(src, dst, fstype, flags, data); err != nil {
		return virerr.Sys(err, "Failed to mount %s on %s type %s", src, dst, fstype)
	}
	return nil
}

// remountRO makes an existing mount read-only without touching the mount it
// was bound from (the two-step bind-remount libvirt uses).
func remountRO(dst string, extra uintptr) error {
	if err := unix.Mount("", dst, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY|extra, ""); err != nil {
		return virerr.Sys(err, "Failed to make %s read-only", dst)
	}
	return nil
}

// inRoot resolves a container path inside the new root without letting
// symlinks in the container's tree point outside it.
func (s *stage) inRoot(p string) (string, error) {
	r, err := securejoin.SecureJoin(s.root, p)
	if err != nil {
		return "", fmt.Errorf("resolving %s in the container root: %w", p, err)
	}
	return r, nil
}

// mkdirIn creates a directory inside the root and returns its host path.
func (s *stage) mkdirIn(p string) (string, error) {
	dst, err := s.inRoot(p)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", virerr.Sys(err, "Failed to create %s", p)
	}
	return dst, nil
}

// touchIn creates an empty file inside the root (a bind-mount target).
func (s *stage) touchIn(p string, mode os.FileMode) (string, error) {
	return s.touchAs(p, mode, "Failed to create %s")
}

// touchAs is touchIn with the message its failure to create the file
// gives (a format of the path).
func (s *stage) touchAs(p string, mode os.FileMode, what string) (string, error) {
	dst, err := s.inRoot(p)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", virerr.Sys(err, "Failed to create %s", filepath.Dir(p))
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|unix.O_NOCTTY|unix.O_NONBLOCK, mode)
	if err != nil {
		return "", virerr.Sys(err, what, p)
	}
	f.Close()
	return dst, nil
}

// buildRoot assembles the container's tree under its root source, in
// libvirt's order: root, basic filesystems, cgroups, /dev, devpts and
// consoles, configured filesystems, read-only root.
func (s *stage) buildRoot() error {
	// Nothing mounted from here on propagates back to the host.
	if err := mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return virerr.Sys(err, "Failed to make root private")
	}
	var hostDevFDs []*os.File
	if s.c.NewUser {
		// mknod is refused in a user namespace: keep the host's nodes
		// open to bind them in once the host /dev is out of sight.
		for _, d := range hostDevices {
			f, err := os.OpenFile("/dev/"+d.name, unix.O_PATH|unix.O_CLOEXEC, 0)
			if err != nil {
				return virerr.Sys(err, "Failed to open /dev/%s", d.name)
			}
			hostDevFDs = append(hostDevFDs, f)
		}
		defer func() {
			for _, f := range hostDevFDs {
				f.Close()
			}
		}()
	}
	root := s.c.Root.Source
	attached := false
	// In a user namespace the host's mounts came into this mount
	// namespace locked: a plain bind of "/" that would leave its children
	// behind is refused (EINVAL), so the recursive bind below does it,
	// and the copies of /proc, /sys, /dev and /run it cannot unmount are
	// covered by the fresh ones.
	if s.c.Root.SharedHost() && s.rootTree < 0 && !s.c.NewUser {
		var err error
		if attached, err = attachHostRoot(s.c.Staging); err != nil {
			return err
		}
	}
	switch {
	case attached:
	case s.c.Root.Kind == spec.MountBlock:
		if err := mountBlock(root, s.c.Staging, s.c.Root.ReadOnly); err != nil {
			return err
		}
	default:
		if err := s.attachRoot(root); err != nil {
			return err
		}
	}
	s.root = s.c.Staging
	if s.c.Root.SharedHost() && !attached {
		// The host's own /proc, /sys, /dev and /run came along with the
		// recursive bind: detach those copies, fresh ones replace them.
		var dirs []string
		for _, p := range hostPrivate {
			dirs = append(dirs, filepath.Join(s.root, p))
		}
		if err := detachUnder(dirs...); err != nil {
			return err
		}
	}
	steps := []func() error{
		s.mountProc,
		s.mountSys,
		s.mountCgroups,
		func() error { return s.mountDev(hostDevFDs) },
		s.mountMeminfo,
		s.mountDevpts,
		s.mountConsoles,
		s.mountConfigured,
	}
	if s.c.Root.SharedHost() {
		steps = append(steps, s.mountRun)
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	if s.c.Root.ReadOnly && s.c.Root.Kind != spec.MountBlock {
		return remountRO(s.root, 0)
	}
	return nil
}

func (s *stage) mountProc() error {
	dst, err := s.mkdirIn("/proc")
	if err != nil {
		return err
	}
	const fl = unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV
	if err := mount("proc", dst, "proc", fl, ""); err != nil {
		return err
	}
	sys := filepath.Join(dst, "sys")
	if err := mount(sys, sys, "", unix.MS_BIND, ""); err != nil {
		return err
	}
	if err := remountRO(sys, fl); err != nil {
		return err
	}
	if !s.c.NewNet {
		return nil
	}
	// The container's own network sysctls stay writable.
	for _, p := range []string{"net/ipv4", "net/ipv6"} {
		d := filepath.Join(sys, p)
		if _, err := os.Stat(d); err != nil {
			continue
		}
		if err := mount(d, d, "", unix.MS_BIND, ""); err != nil {
			return err
		}
		if err := unix.Mount("", d, "", unix.MS_BIND|unix.MS_REMOUNT|fl, ""); err != nil {
			return virerr.Sys(err, "Failed to make %s writable", d)
		}
	}
	return nil
}

func (s *stage) mountSys() error {
	dst, err := s.mkdirIn("/sys")
	if err != nil {
		return err
	}
	const fl = unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV
	if s.c.NewUser && !s.c.NewNet {
		// A user namespace may not mount a fresh sysfs for a network
		// namespace it does not own: bind the host's, read-only.
		if err := mount("/sys", dst, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return err
		}
		return remountRO(dst, fl)
	}
	return mount("sysfs", dst, "sysfs", fl|unix.MS_RDONLY, "")
}

// mountCgroups shows the container its own cgroup subtree: fresh cgroup
// mounts made inside the cgroup namespace have the container's group as root.
func (s *stage) mountCgroups() error {
	if !s.c.NewCgroup || len(s.c.Cgroups) == 0 {
		return nil
	}
	base, err := s.inRoot("/sys/fs/cgroup")
	if err != nil {
		return err
	}
	const fl = unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV
	fresh := false // base is a tmpfs mounted here: nothing in it but what this makes
	if !(len(s.c.Cgroups) == 1 && s.c.Cgroups[0].V2 && s.c.Cgroups[0].Target == "/sys/fs/cgroup") {
		if err := mount("tmpfs", base, "tmpfs", fl, "mode=755,size=65536"); err != nil {
			return err
		}
		fresh = true
	}
	for _, cg := range s.c.Cgroups {
		if cg.Link != "" {
			dst, err := s.inRoot(cg.Target)
			if err != nil {
				return err
			}
			if err := os.Symlink(cg.Link, dst); err != nil && !os.IsExist(err) {
				return virerr.Sys(err, "Failed to create symlink %s", cg.Target)
			}
			continue
		}
		dst, err := s.cgroupDir(base, fresh, cg.Target)
		if err != nil {
			return err
		}
		switch {
		case cg.V2:
			err = mount("cgroup2", dst, "cgroup2", fl, "")
		case cg.Source != "":
			err = bindCgroup(cg.Source, dst, fl)
		default:
			err = mount("cgroup", dst, "cgroup", fl, cg.Options)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// bindCgroup binds src, the container's cgroup namespace root in its v1
// hierarchy, on dst with flags fl: the tree and mount options a fresh
// mount in the namespace would show, without the v1 mount's walk of
// every group of the hierarchy under the kernel's cgroup_mutex (which
// grew with the number of containers running).
func bindCgroup(src, dst string, fl uintptr) error {
	if err := mount(src, dst, "", unix.MS_BIND, ""); err != nil {
		return err
	}
	if err := unix.Mount("", dst, "", unix.MS_BIND|unix.MS_REMOUNT|fl, ""); err != nil {
		return virerr.Sys(err, "Failed to remount %s", dst)
	}
	return nil
}

// cgroupDir makes the mount point of a hierarchy at target. One directly
// in a fresh tmpfs at base (/sys/fs/cgroup) is made there without
// resolving the path again: the tmpfs holds nothing a container could
// have planted (securejoin's walk, a quarter of the cgroup mounts' time).
func (s *stage) cgroupDir(base string, fresh bool, target string) (string, error) {
	if !fresh || path.Dir(target) != "/sys/fs/cgroup" {
		return s.mkdirIn(target)
	}
	dst := filepath.Join(base, path.Base(target))
	if err := unix.Mkdir(dst, 0o755); err != nil && err != unix.EEXIST {
		return "", virerr.Sys(err, "Failed to create %s", target)
	}
	return dst, nil
}

func (s *stage) mountDev(hostDevFDs []*os.File) error {
	dst, err := s.mkdirIn("/dev")
	if err != nil {
		return err
	}
	if err := mount("devfs", dst, "tmpfs", unix.MS_NOSUID, "mode=755,size=65536"); err != nil {
		return err
	}
	uid, gid := s.c.IDMapRootUID, s.c.IDMapRootGID
	if s.c.NewUser {
		uid, gid = 0, 0 // inside the user namespace root is 0
	}
	for i, d := range hostDevices {
		p := filepath.Join(dst, d.name)
		if s.c.NewUser {
			if _, err := s.touchIn("/dev/"+d.name, 0o666); err != nil {
				return err
			}
			src := "/proc/self/fd/" + strconv.Itoa(int(hostDevFDs[i].Fd()))
			if err := mount(src, p, "", unix.MS_BIND, ""); err != nil {
				return err
			}
			continue
		}
		if err := unix.Mknod(p, unix.S_IFCHR|0o666, int(unix.Mkdev(d.major, d.minor))); err != nil {
			return virerr.Sys(err, "Failed to make device %s", p)
		}
		if err := os.Chmod(p, 0o666); err != nil {
			return virerr.Sys(err, "Failed to set permissions of %s", p)
		}
		if err := os.Lchown(p, uid, gid); err != nil {
			return virerr.Sys(err, "Failed to change ownership of %s", p)
		}
	}
	for _, d := range s.c.Devices {
		if err := s.makeDevice(d); err != nil {
			return err
		}
	}
	links := [][2]string{
		{"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
		{"/proc/self/fd/2", "stderr"}, {"/proc/self/fd", "fd"},
	}
	for _, l := range links {
		if err := os.Symlink(l[0], filepath.Join(dst, l[1])); err != nil {
			return virerr.Sys(err, "Failed to create symlink /dev/%s", l[1])
		}
	}
	return nil
}

// mountRun gives a container on the host's root an empty /run, so host
// daemons' sockets there are not reachable unless configured.
func (s *stage) mountRun() error {
	dst, err := s.mkdirIn("/run")
	if err != nil {
		return err
	}
	return mount("tmpfs", dst, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=755")
}

// pivot makes the built tree the root and drops every trace of the host's.
func (s *stage) pivot() error {
	if err := unix.Chdir(s.root); err != nil {
		return virerr.Sys(err, "Failed to chdir into %s", s.root)
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return virerr.Sys(err, "Failed to pivot root")
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return virerr.Sys(err, "Failed to detach the old root")
	}
	if err := unix.Chdir("/"); err != nil {
		return virerr.Sys(err, "Failed to chdir to /")
	}
	s.root = "/"
	return nil
}

// enterCgroupNS moves this thread into the container's v1 groups (spec
// CgroupJoin) and makes the container's cgroup namespace there.
func (s *stage) enterCgroupNS() error {
	// Before the namespace, which is rooted where this thread is.
	if err := cgthread.Join(s.c.CgroupJoin); err != nil {
		return err
	}
	if !s.c.NewCgroup {
		return nil
	}
	if err := unix.Unshare(unix.CLONE_NEWCGROUP); err != nil {
		return virerr.Sys(err, "Failed to create the cgroup namespace")
	}
	return nil
}

// attachRoot puts the root source on the staging directory: the idmapped
// tree the controller prepared when there is one (move_mount into this
// mount namespace; the path itself may be out of the mapped root's
// reach), else a recursive bind.
func (s *stage) attachRoot(root string) error {
	if s.rootTree < 0 {
		if st, err := os.Stat(root); err != nil || !st.IsDir() {
			return fmt.Errorf("Failed to access '%s': %v", root, err)
		}
		return mount(root, s.c.Staging, "", unix.MS_BIND|unix.MS_REC, "")
	}
	defer func() {
		unix.Close(s.rootTree)
		s.rootTree = -1
	}()
	if err := unix.MoveMount(s.rootTree, "", unix.AT_FDCWD, s.c.Staging, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return virerr.Sys(err, "Failed to attach the idmapped root %s", root)
	}
	return nil
}
