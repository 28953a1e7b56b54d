package procfs

import (
	"context"
	"sync"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// meminfoNode is the read-only meminfo file.
//
// Reads use FOPEN_DIRECT_IO, so read(2) and pread(2) always reach
// meminfoHandle.Read. sendfile(2) and splice(2) do not: they go through the
// page cache and stop at the kernel's idea of the file size, which is why
// libvirt's meminfo (size 0) reads back empty with busybox cat. So the node
// keeps the kernel's size right: Getattr reports the real length, a short
// read shrinks the kernel's size by itself, and Open pushes a larger size to
// the kernel when the content grew (see growKernelSize). Every open drops
// the page cache (no FOPEN_KEEP_CACHE), so each new open sees fresh figures;
// only a process that keeps its descriptor and re-reads it with sendfile or
// splice gets the cached page until someone opens the file again.
type meminfoNode struct {
	fs.Inode
	src *source

	mu sync.Mutex
	// kernelSize is at most the size the kernel holds for the file.
	kernelSize int64
}

// Getattr reports mode 0444, the configured owner and the length of the
// content a read would return now.
func (n *meminfoNode) Getattr(ctx context.Context, f fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	size, err := n.src.size()
	if err != nil {
		n.src.log.Error("meminfo getattr", "err", err)
		return syscall.EIO
	}
	n.mu.Lock()
	n.kernelSize = int64(size)
	n.mu.Unlock()
	out.Mode = 0o444
	out.Nlink = 1
	out.Size = uint64(size)
	out.Uid, out.Gid = n.src.uid, n.src.gid
	out.SetTimes(&n.src.mtime, &n.src.mtime, &n.src.mtime)
	return 0
}

// Open accepts read-only opens only (EACCES otherwise, as libvirt). It
// renders the content the first read will serve and makes sure the kernel's
// size covers it before the open completes.
func (n *meminfoNode) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if flags&syscall.O_ACCMODE != syscall.O_RDONLY {
		return nil, 0, syscall.EACCES
	}
	buf := bufPool.Get().(*[]byte)
	data, err := n.src.render(*buf)
	if err != nil {
		bufPool.Put(buf)
		n.src.log.Error("meminfo open", "err", err)
		return nil, 0, syscall.EIO
	}
	*buf = data
	n.growKernelSize(data)
	return &meminfoHandle{node: n, buf: buf, fresh: true}, fuse.FOPEN_DIRECT_IO, 0
}

// growKernelSize raises the kernel's size to len(data) if it may be smaller,
// by storing data in the kernel's page cache (FUSE_NOTIFY_STORE), which
// extends the size to the end of the stored data and keeps cached page and
// size consistent. It runs only when the text grew (a figure gained a digit
// past 8 columns), so rarely; the open then drops the page cache anyway.
func (n *meminfoNode) growKernelSize(data []byte) {
	size := int64(len(data))
	n.mu.Lock()
	grow := size > n.kernelSize
	if grow {
		n.kernelSize = size
	}
	n.mu.Unlock()
	if !grow {
		return
	}
	if errno := n.WriteCache(0, data); errno != 0 {
		n.src.log.Debug("meminfo: cannot extend kernel file size", "size", size, "err", errno)
	}
}

// shrunk records that a read returned end of file at end: a page cache
// read (sendfile, splice) then sets the kernel's size to end.
func (n *meminfoNode) shrunk(end int64) {
	n.mu.Lock()
	n.kernelSize = min(n.kernelSize, end)
	n.mu.Unlock()
}

// meminfoHandle is one open meminfo file. It keeps the content it last
// served so that a reader going through the file in several reads sees one
// consistent snapshot. Its buffer comes from bufPool and goes back there
// at release.
type meminfoHandle struct {
	node *meminfoNode

	mu    sync.Mutex
	buf   *[]byte // the snapshot; nil once released
	fresh bool    // rendered by Open and not served yet
}

// Read serves dest from the snapshot at off. A read at offset 0 (a new pass,
// as free(1) and top(1) do with lseek+read on a kept descriptor) takes a new
// snapshot first, except for the first read after Open. The bytes are
// copied into dest, the request's own buffer, so that the snapshot can be
// rendered again in place while an earlier answer is still being sent.
func (h *meminfoHandle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.buf == nil {
		return nil, syscall.EBADF
	}
	if off == 0 && !h.fresh {
		data, err := h.node.src.render(*h.buf)
		if err != nil {
			h.node.src.log.Error("meminfo read", "err", err)
			return nil, syscall.EIO
		}
		*h.buf = data
	}
	h.fresh = false
	data := *h.buf
	size := int64(len(data))
	start := min(max(off, 0), size)
	end := min(start+int64(len(dest)), size)
	if end < off+int64(len(dest)) {
		h.node.shrunk(max(end, off))
	}
	n := copy(dest, data[start:end])
	return fuse.ReadResultData(dest[:n]), 0
}

// Release gives the snapshot's buffer back for later opens.
func (h *meminfoHandle) Release(ctx context.Context) syscall.Errno {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.buf != nil {
		bufPool.Put(h.buf)
		h.buf = nil
	}
	return 0
}
