package procfs

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// MeminfoName is the name of the meminfo file at the root of the mount.
const MeminfoName = "meminfo"

// hostMeminfoPath is where the host's figures are read by default.
const hostMeminfoPath = "/proc/meminfo"

// Mount identity, as libvirt's controller mounts it (fsname=libvirt, with
// libvirt_lxc as the FUSE program name, here the subtype).
const (
	fsName  = "libvirt"
	subtype = "libvirt_lxc"
)

// Kernel cache timeouts. The tree never changes, so names are cached for
// long; attributes carry the content size, which changes, so they are not.
var (
	entryTimeout = time.Hour
	attrTimeout  = time.Duration(0)
)

// Option adjusts what Mount serves.
type Option func(*config)

type config struct {
	uid, gid    uint32
	hostMeminfo string
	noSelf      bool
}

// NeverOpenedHere says that this process never opens files on the mount
// (a controller: only the container does). The filesystem is then mounted
// without go-fuse's "poll hack", which opens a file on the new mount from
// this process: a request to its own server, which, killed meanwhile,
// never exits (its server threads are gone, and its /dev/fuse closes only
// once it has exited). A process that does open its own files needs the
// hack (it teaches the kernel that poll and flush are not served, before
// a flush at exit could wait for a dead server) and must not set this.
func NeverOpenedHere() Option {
	return func(c *config) { c.noSelf = true }
}

// WithOwner makes the served files owned by uid:gid instead of 0:0. With a
// user namespace, pass the host ids that the container's root maps to, as
// libvirt does, so that root inside the container owns them.
func WithOwner(uid, gid uint32) Option {
	return func(c *config) { c.uid, c.gid = uid, gid }
}

// WithHostMeminfo reads the host figures from path instead of /proc/meminfo.
// It exists for tests that need stable host content.
func WithHostMeminfo(path string) Option {
	return func(c *config) { c.hostMeminfo = path }
}

// Server is a mounted procfs FUSE filesystem serving MeminfoName.
type Server struct {
	dir  string
	log  *slog.Logger
	done chan struct{} // closed when Serve has returned

	mu        sync.Mutex
	unmounted bool
}

// Mount mounts at dir, which must exist, a read-only FUSE filesystem holding
// the single file MeminfoName (mode 0444). Every open, stat, and new pass
// (read at offset 0) over an open file rebuilds the content from the host's
// /proc/meminfo and a fresh call to stats; if stats fails the host's content
// is served unchanged, as libvirt does.
//
// The mount is made with mount(2) directly (no fusermount binary), with
// nosuid, nodev, allow_other and fsname "libvirt" (type fuse.libvirt_lxc), so
// it needs CAP_SYS_ADMIN. It is served until Unmount and Wait. log receives
// diagnostics; nil discards them.
func Mount(dir string, stats func() (MemStats, error), log *slog.Logger, opts ...Option) (*Server, error) {
	if stats == nil {
		return nil, errors.New("mount meminfo fuse: nil stats function")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := config{hostMeminfo: hostMeminfoPath}
	for _, o := range opts {
		o(&cfg)
	}
	src := &source{
		hostPath: cfg.hostMeminfo,
		stats:    stats,
		uid:      cfg.uid,
		gid:      cfg.gid,
		log:      log,
		mtime:    time.Now(),
	}
	goLog := slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	fsOpts := &fs.Options{
		MountOptions: fuse.MountOptions{
			AllowOther:        true,
			FsName:            fsName,
			Name:              subtype,
			DirectMountStrict: true,
			DisableXAttrs:     true,
			// Only reads of a small file: 4 KiB request buffers, not 128 KiB.
			MaxWrite: 4096,
			Logger:   goLog,
		},
		EntryTimeout:    &entryTimeout,
		NegativeTimeout: &entryTimeout,
		AttrTimeout:     &attrTimeout,
		Logger:          goLog,
	}
	// go-fuse's magic mount point /dev/fd/N is the descriptor of a
	// filesystem already mounted: the caller's, or the one mounted here
	// (NeverOpenedHere), which go-fuse's WaitMount then does not open.
	mountPoint := dir
	magic := strings.HasPrefix(dir, "/dev/fd/")
	if magic {
		fsOpts.MountOptions.DirectMountStrict = false
	}
	if cfg.noSelf && !magic {
		fsOpts.MountOptions.DirectMountStrict = false
		fd, err := mountFuse(dir, &fsOpts.MountOptions)
		if err != nil {
			return nil, fmt.Errorf("mount meminfo fuse at %s: %w", dir, err)
		}
		defer unix.Close(fd) // go-fuse works on a copy
		if mountPoint, err = dupForServer(fd); err != nil {
			_ = syscall.Unmount(dir, syscall.MNT_DETACH)
			return nil, fmt.Errorf("mount meminfo fuse at %s: %w", dir, err)
		}
	}
	srv, err := fuse.NewServer(fs.NewNodeFS(&rootNode{src: src}, fsOpts), mountPoint, &fsOpts.MountOptions)
	if err != nil {
		if mountPoint != dir {
			_ = syscall.Unmount(dir, syscall.MNT_DETACH)
		}
		return nil, fmt.Errorf("mount meminfo fuse at %s: %w", dir, err)
	}
	s := &Server{dir: dir, log: log, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		srv.Serve() // returns once the kernel drops the filesystem
		src.close()
	}()
	if err := srv.WaitMount(); err != nil {
		if uerr := s.Unmount(); uerr != nil {
			log.Error("meminfo fuse: cannot undo a failed mount", "err", uerr)
		}
		return nil, fmt.Errorf("start meminfo fuse at %s: %w", dir, err)
	}
	log.Debug("meminfo fuse mounted", "dir", dir)
	return s, nil
}

// mountFuse mounts a FUSE filesystem at dir with mount(2), as go-fuse's
// direct mount does (nosuid, nodev, the caller's ids, allow_other, the
// request size), and returns its /dev/fuse descriptor.
func mountFuse(dir string, o *fuse.MountOptions) (int, error) {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return -1, err
	}
	fd, err := unix.Open("/dev/fuse", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	data := fmt.Sprintf("fd=%d,rootmode=%o,user_id=%d,group_id=%d,max_read=%d", fd, st.Mode&unix.S_IFMT, os.Geteuid(), os.Getegid(), o.MaxWrite)
	if o.AllowOther {
		data += ",allow_other"
	}
	if err := unix.Mount(o.FsName, dir, "fuse."+o.Name, unix.MS_NOSUID|unix.MS_NODEV, data); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// dupForServer returns go-fuse's name for a copy of fd (which the server
// keeps, close-on-exec).
func dupForServer(fd int) (string, error) {
	c, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("/dev/fd/%d", c), nil
}

// Dir returns the mount point.
func (s *Server) Dir() string { return s.dir }

// MeminfoPath returns the path of the served meminfo file, the source of
// the container's /proc/meminfo bind mount.
func (s *Server) MeminfoPath() string { return filepath.Join(s.dir, MeminfoName) }

// Unmount detaches the mount at Dir, lazily as libvirt (libfuse) does: it
// disappears from the mount table at once, but the kernel keeps the
// filesystem, and Server keeps serving it, while a file on it is open or a
// bind mount of meminfo remains (the container's /proc/meminfo, until its
// mount namespace is gone). Wait returns when the last of them is gone.
// Calling Unmount again after success is a no-op.
func (s *Server) Unmount() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unmounted {
		return nil
	}
	if err := syscall.Unmount(s.dir, syscall.MNT_DETACH); err != nil {
		return fmt.Errorf("unmount meminfo fuse at %s: %w", s.dir, err)
	}
	s.unmounted = true
	s.log.Debug("meminfo fuse unmounted", "dir", s.dir)
	return nil
}

// Wait blocks until the filesystem is no longer served: after Unmount (or
// umount(8)) once no open file or bind mount keeps it alive, or when the
// kernel aborts the connection. Its goroutines and /dev/fuse descriptor are
// released by then.
func (s *Server) Wait() { <-s.done }
