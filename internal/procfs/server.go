package procfs

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

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

// Option adjusts what Open serves.
type Option func(*config)

type config struct {
	uid, gid    uint32
	hostMeminfo string
	keepTree    bool // tests: Open keeps the whole tree's mount (takeTree)
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

// Server serves a procfs FUSE filesystem holding MeminfoName.
type Server struct {
	log      *slog.Logger
	fs       *meminfoFS
	conn     *conn
	done     chan struct{} // closed when the serving loop has returned
	gone     bool          // the loop ended with the filesystem (valid once done is closed)
	tree     int           // Open's detached mount (-1: none)
	file     int           // Open's detached mount of MeminfoName alone (-1: none)
	keepTree bool          // Open keeps tree (tests)
}

// Open starts serving a filesystem that is mounted detached (fsmount(2)):
// it appears in no mount namespace until another process, an init stage
// in its own, attaches the file's mount with move_mount(2) from TakeFile's
// descriptor (this package's tests attach the whole tree, takeTree).
// The host never has the mount, so there is nothing to detach or leave
// behind. The filesystem is read-only and holds the single file
// MeminfoName (mode 0444). Every open, stat, and new pass (read at offset
// 0) over an open file rebuilds the content from the host's /proc/meminfo
// and a fresh call to stats; if stats fails the host's content is served
// unchanged, as libvirt does. It is mounted nosuid, nodev, allow_other,
// with fsname "libvirt" (type fuse.libvirt_lxc), which needs CAP_SYS_ADMIN.
// The kernel's INIT is answered before Open returns; requests are served
// from Go's poller (no thread waits in read(2)) until the filesystem is
// gone (the last bind of its file, with the container's mount namespace),
// Close or Handoff. log receives diagnostics; nil discards them.
//
// The serving process must not open the files with os.Open: Go's poller
// would register them, and the kernel's FUSE_POLL for that would wait for
// this server under the poller's own lock. (No process should wait for
// its own FUSE server anyway: killed, it could never exit.)
func Open(stats func() (MemStats, error), log *slog.Logger, opts ...Option) (*Server, error) {
	if stats == nil {
		return nil, errors.New("open meminfo fuse: nil stats function")
	}
	s, mopts := newServer(stats, log, opts)
	dev, err := unix.Open("/dev/fuse", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open meminfo fuse: %w", err)
	}
	// Into Go's poller only once the mount has its connection: polled
	// before, /dev/fuse reports an error and never wakes the poller.
	if s.tree, err = fsmountFuse(dev, mopts); err != nil {
		unix.Close(dev)
		return nil, fmt.Errorf("open meminfo fuse: %w", err)
	}
	c := newConn(os.NewFile(uintptr(dev), "/dev/fuse"), s.fs, mopts, s.log)
	if err := c.handshake(); err != nil {
		unix.Close(s.tree)
		c.dev.Close()
		return nil, fmt.Errorf("open meminfo fuse: %w", err)
	}
	s.fs.src.opening.Store(true)
	s.start(c)
	// The file's own mount is made now, from the server's side: the
	// lookup it takes (a FUSE round trip) is then not in the way of the
	// process that attaches it.
	s.file, err = unix.OpenTree(s.tree, MeminfoName, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	s.fs.src.opening.Store(false)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open meminfo fuse: cloning %s: %w", MeminfoName, err)
	}
	// The tree's own mount goes now: dissolving a detached mount waits
	// for an RCU grace period (≈ 0.5 ms), which a start must not.
	if !s.keepTree {
		unix.Close(s.tree)
		s.tree = -1
	}
	return s, nil
}

// fsmountFuse makes a detached FUSE mount served through dev (the
// mounter's ids, the request size, allow_other, nosuid, nodev) and returns
// its descriptor.
func fsmountFuse(dev int, o *fuse.MountOptions) (int, error) {
	fsfd, err := unix.Fsopen("fuse", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return -1, fmt.Errorf("fsopen fuse: %w", err)
	}
	defer unix.Close(fsfd)
	for _, kv := range [][2]string{{"source", o.FsName}, {"subtype", o.Name}, {"fd", strconv.Itoa(dev)},
		{"rootmode", "40000"}, {"user_id", strconv.Itoa(os.Geteuid())}, {"group_id", strconv.Itoa(os.Getegid())},
		{"max_read", strconv.Itoa(o.MaxWrite)}} {
		if err := unix.FsconfigSetString(fsfd, kv[0], kv[1]); err != nil {
			return -1, fmt.Errorf("fsconfig %s=%s: %w", kv[0], kv[1], err)
		}
	}
	if o.AllowOther {
		if err := unix.FsconfigSetFlag(fsfd, "allow_other"); err != nil {
			return -1, fmt.Errorf("fsconfig allow_other: %w", err)
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return -1, fmt.Errorf("fsconfig create: %w", err)
	}
	fd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV)
	if err != nil {
		return -1, fmt.Errorf("fsmount: %w", err)
	}
	return fd, nil
}

// takeTree hands over the descriptor of the detached mount of an Open
// server's whole tree (-1 when taken before, or not kept: only the tests
// keep it, withTree, to list and stat its root). The file's mount
// (TakeFile) goes.
func (s *Server) takeTree() int {
	fd := s.tree
	s.tree = -1
	s.closeFile()
	return fd
}

// TakeFile hands over an Open server's descriptor of a detached mount of
// MeminfoName alone (-1 when taken before, or the tree was), made when it
// opened: attached over a file with move_mount(2), it needs no lookup in
// the filesystem, so no request to this server. The caller closes it once
// the process that attaches it has its copy. The whole tree's mount goes.
func (s *Server) TakeFile() int {
	fd := s.file
	s.file = -1
	if s.tree >= 0 {
		unix.Close(s.tree)
		s.tree = -1
	}
	return fd
}

// closeFile closes the file's mount descriptor, if still held.
func (s *Server) closeFile() {
	if s.file >= 0 {
		unix.Close(s.file)
		s.file = -1
	}
}

// Close ends serving at once: the connection is aborted, and reads of a
// file still mounted fail (ENOTCONN). For a filesystem nothing uses any
// more, or a start that failed. An Open server's own descriptor of its
// mount is closed too.
func (s *Server) Close() {
	if s.tree >= 0 {
		unix.Close(s.tree)
		s.tree = -1
	}
	s.closeFile()
	s.conn.stopping.Store(true)
	s.conn.dev.Close()
	<-s.done
}

// Handoff stops serving, without leaving a request the kernel sent
// unanswered, and returns the connection for Resume: a descriptor of its
// /dev/fuse (close-on-exec: clear that to pass it through an exec) and the
// kernel's INIT request. The Server is finished; the mount and every bind
// of its file stay, their requests queued until Resume serves them.
func (s *Server) Handoff() (fd int, init []byte, err error) {
	if err := s.conn.stop(); err != nil {
		return -1, nil, fmt.Errorf("stopping meminfo fuse: %w", err)
	}
	<-s.done
	s.fs.src.close()
	if s.gone {
		return -1, nil, errors.New("stopping meminfo fuse: the filesystem is gone")
	}
	defer s.conn.dev.Close()
	rc, err := s.conn.dev.SyscallConn()
	if err == nil {
		cerr := rc.Control(func(f uintptr) { fd, err = unix.FcntlInt(f, unix.F_DUPFD_CLOEXEC, 3) })
		if cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		return -1, nil, fmt.Errorf("handing off meminfo fuse: %w", err)
	}
	return fd, s.conn.init, nil
}

// Resume serves a connection that a Server handed off (Handoff), in this
// process or in one it exec'd: fd is its /dev/fuse descriptor, which the
// Server takes; init its INIT request. stats, log and opts are as for
// Open. Files the kernel opened before are served too, each taking a new
// snapshot at its next read.
func Resume(fd int, init []byte, stats func() (MemStats, error), log *slog.Logger, opts ...Option) (*Server, error) {
	if stats == nil {
		return nil, errors.New("resume meminfo fuse: nil stats function")
	}
	// Non-blocking, the descriptor goes into Go's poller (its flag is
	// the open file's: an exec, or the os/exec of a parent, may have
	// cleared it).
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, fmt.Errorf("resume meminfo fuse: %w", err)
	}
	s, mopts := newServer(stats, log, opts)
	c := newConn(os.NewFile(uintptr(fd), "/dev/fuse"), s.fs, mopts, s.log)
	if err := c.replayInit(init); err != nil {
		c.dev.Close()
		return nil, fmt.Errorf("resume meminfo fuse: %w", err)
	}
	// The kernel may hold a smaller size than the content has now: the
	// next open pushes the content's (growKernelSize).
	s.start(c)
	return s, nil
}

// newServer makes the Server and the mount options Open and Resume share.
func newServer(stats func() (MemStats, error), log *slog.Logger, opts []Option) (*Server, *fuse.MountOptions) {
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
	mopts := &fuse.MountOptions{
		AllowOther:         true,
		FsName:             fsName,
		Name:               subtype,
		DisableXAttrs:      true,
		DisableReadDirPlus: true,
		// Only reads of a small file: 4 KiB requests, not 128 KiB.
		MaxWrite: 4096,
		Logger:   slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return &Server{log: log, fs: newMeminfoFS(src), done: make(chan struct{}), tree: -1, file: -1, keepTree: cfg.keepTree}, mopts
}

// start serves c until the kernel drops the filesystem or Handoff.
func (s *Server) start(c *conn) {
	s.conn = c
	s.fs.store = c.store
	go func() {
		defer close(s.done)
		if c.serve() {
			s.gone = true
			s.fs.src.close()
		}
	}()
}

// Wait blocks until the filesystem is no longer served: once no mount, bind
// or open file keeps it alive, when the kernel aborts the connection, or
// after Close or Handoff. Its goroutines and /dev/fuse descriptor (but
// Handoff's) are released by then.
func (s *Server) Wait() { <-s.done }

// Owner is the owner of the served files (WithOwner; 0:0 by default), to
// pass to Resume along with a handed-off connection.
func (s *Server) Owner() (uid, gid uint32) { return s.fs.src.uid, s.fs.src.gid }
