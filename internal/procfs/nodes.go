package procfs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// Inode numbers of the tree.
const (
	rootIno    = 1
	meminfoIno = 2
)

// source builds the meminfo content for the FUSE nodes.
type source struct {
	hostPath string
	stats    func() (MemStats, error)
	uid, gid uint32
	log      *slog.Logger
	mtime    time.Time

	// degraded is set while stats fails, so the failure is logged once
	// per episode rather than on every read.
	degraded atomic.Bool
}

// meminfo returns fresh content: the host file rendered with fresh stats, or
// the host file unchanged when the stats cannot be read.
func (s *source) meminfo() ([]byte, error) {
	host, err := os.ReadFile(s.hostPath)
	if err != nil {
		return nil, fmt.Errorf("read host meminfo: %w", err)
	}
	st, err := s.stats()
	if err != nil {
		if !s.degraded.Swap(true) {
			s.log.Warn("meminfo: cannot read cgroup memory stats, serving host values", "err", err)
		}
		return host, nil
	}
	if s.degraded.Swap(false) {
		s.log.Info("meminfo: cgroup memory stats readable again")
	}
	return RenderMeminfo(host, st), nil
}

// rootNode is the mount's root directory (0755, nlink 2) holding only
// MeminfoName.
type rootNode struct {
	fs.Inode
	src *source
}

var (
	_ fs.NodeOnAdder   = (*rootNode)(nil)
	_ fs.NodeGetattrer = (*rootNode)(nil)
	_ fs.NodeReaddirer = (*rootNode)(nil)
	_ fs.NodeGetattrer = (*meminfoNode)(nil)
	_ fs.NodeOpener    = (*meminfoNode)(nil)
	_ fs.FileReader    = (*meminfoHandle)(nil)
)

// OnAdd creates the meminfo child when the root is mounted.
func (r *rootNode) OnAdd(ctx context.Context) {
	child := r.NewPersistentInode(ctx, &meminfoNode{src: r.src},
		fs.StableAttr{Mode: syscall.S_IFREG, Ino: meminfoIno})
	r.AddChild(MeminfoName, child, false)
}

// Getattr reports the root directory's attributes.
func (r *rootNode) Getattr(ctx context.Context, f fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	out.Mode = 0o755
	out.Nlink = 2
	out.SetTimes(&r.src.mtime, &r.src.mtime, &r.src.mtime)
	return 0
}

// Readdir lists ".", ".." and MeminfoName, like libvirt.
func (r *rootNode) Readdir(ctx context.Context) (fs.DirStream, syscall.Errno) {
	return fs.NewListDirStream([]fuse.DirEntry{
		{Name: ".", Mode: syscall.S_IFDIR, Ino: rootIno},
		{Name: "..", Mode: syscall.S_IFDIR, Ino: rootIno},
		{Name: MeminfoName, Mode: syscall.S_IFREG, Ino: meminfoIno},
	}), 0
}
