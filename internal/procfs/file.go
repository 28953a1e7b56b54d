package procfs

import (
	"sync"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// meminfoFS is the mount's whole tree, as go-fuse's raw filesystem API: the
// root directory (node rootIno, 0755) holding the read-only file
// MeminfoName (node meminfoIno, 0444). Node ids are the inode numbers and
// never change, and a handle the kernel names that this server does not
// know (one opened before a Resume) is served as a fresh one, so a server
// that takes over the connection needs nothing of the previous one's
// state.
//
// Reads use FOPEN_DIRECT_IO, so read(2) and pread(2) always reach Read.
// sendfile(2) and splice(2) do not: they go through the page cache and stop
// at the kernel's idea of the file size, which is why libvirt's meminfo
// (size 0) reads back empty with busybox cat. So the file keeps the
// kernel's size right: GetAttr reports the real length, a short read
// shrinks the kernel's size by itself, and Open pushes a larger size to the
// kernel when the content grew (see growKernelSize). Every open drops the
// page cache (no FOPEN_KEEP_CACHE), so each new open sees fresh figures;
// only a process that keeps its descriptor and re-reads it with sendfile or
// splice gets the cached page until someone opens the file again.
type meminfoFS struct {
	fuse.RawFileSystem // ENOSYS for everything not below
	src                *source
	// store puts data into the kernel's page cache of node at offset 0
	// (FUSE_NOTIFY_STORE); the server sets it.
	store func(node uint64, data []byte) syscall.Errno

	mu sync.Mutex
	// kernelSize is at most the size the kernel holds for the file.
	kernelSize int64
	handles    map[uint64]*meminfoHandle
	lastFh     uint64
}

func newMeminfoFS(src *source) *meminfoFS {
	return &meminfoFS{RawFileSystem: fuse.NewDefaultRawFileSystem(), src: src, handles: map[uint64]*meminfoHandle{}}
}

// String names the filesystem in go-fuse's messages.
func (m *meminfoFS) String() string { return subtype }

// Lookup finds MeminfoName in the root; any other name is absent, and the
// kernel may remember that for entryTimeout.
func (m *meminfoFS) Lookup(cancel <-chan struct{}, h *fuse.InHeader, name string, out *fuse.EntryOut) fuse.Status {
	if h.NodeId != rootIno || name != MeminfoName {
		out.NodeId = 0
		out.SetEntryTimeout(entryTimeout)
		return fuse.OK
	}
	if errno := m.fileAttr(&out.Attr); errno != 0 {
		return fuse.ToStatus(errno)
	}
	out.NodeId = meminfoIno
	out.SetEntryTimeout(entryTimeout)
	out.SetAttrTimeout(attrTimeout)
	return fuse.OK
}

// Forget needs nothing: the two nodes live as long as the mount.
func (m *meminfoFS) Forget(nodeid, nlookup uint64) {}

// GetAttr reports the root's attributes, or the file's with the length of
// the content a read would return now.
func (m *meminfoFS) GetAttr(cancel <-chan struct{}, in *fuse.GetAttrIn, out *fuse.AttrOut) fuse.Status {
	switch in.NodeId {
	case rootIno:
		m.rootAttr(&out.Attr)
	case meminfoIno:
		if errno := m.fileAttr(&out.Attr); errno != 0 {
			return fuse.ToStatus(errno)
		}
	default:
		return fuse.ENOENT
	}
	out.SetTimeout(attrTimeout)
	return fuse.OK
}

func (m *meminfoFS) rootAttr(a *fuse.Attr) {
	a.Ino = rootIno
	a.Mode = syscall.S_IFDIR | 0o755
	a.Nlink = 2
	a.SetTimes(&m.src.mtime, &m.src.mtime, &m.src.mtime)
}

func (m *meminfoFS) fileAttr(a *fuse.Attr) syscall.Errno {
	size, err := m.src.size()
	if err != nil {
		m.src.log.Error("meminfo getattr", "err", err)
		return syscall.EIO
	}
	m.mu.Lock()
	m.kernelSize = int64(size)
	m.mu.Unlock()
	a.Ino = meminfoIno
	a.Mode = syscall.S_IFREG | 0o444
	a.Nlink = 1
	a.Size = uint64(size)
	a.Owner = fuse.Owner{Uid: m.src.uid, Gid: m.src.gid}
	a.SetTimes(&m.src.mtime, &m.src.mtime, &m.src.mtime)
	return 0
}

// Access checks the mode bits as the kernel would (access(2), chdir):
// root may do anything but execute the file; others get what the bits of
// their class give. Group and other bits are equal on both nodes, so
// supplementary groups never matter.
func (m *meminfoFS) Access(cancel <-chan struct{}, in *fuse.AccessIn) fuse.Status {
	var a fuse.Attr
	switch in.NodeId {
	case rootIno:
		m.rootAttr(&a)
	case meminfoIno:
		a.Mode, a.Uid, a.Gid = syscall.S_IFREG|0o444, m.src.uid, m.src.gid
	default:
		return fuse.ENOENT
	}
	mask := in.Mask & 7
	if in.Uid == 0 {
		if mask&1 != 0 && a.Mode&0o111 == 0 {
			return fuse.EACCES
		}
		return fuse.OK
	}
	bits := a.Mode
	switch {
	case in.Uid == a.Uid:
		bits >>= 6
	case in.Gid == a.Gid:
		bits >>= 3
	}
	if bits&mask != mask {
		return fuse.EACCES
	}
	return fuse.OK
}

// OpenDir opens the root for listing.
func (m *meminfoFS) OpenDir(cancel <-chan struct{}, in *fuse.OpenIn, out *fuse.OpenOut) fuse.Status {
	if in.NodeId != rootIno {
		return fuse.ENOTDIR
	}
	return fuse.OK
}

// rootEntries are the root's listing, like libvirt's.
var rootEntries = [...]fuse.DirEntry{
	{Name: ".", Mode: syscall.S_IFDIR, Ino: rootIno},
	{Name: "..", Mode: syscall.S_IFDIR, Ino: rootIno},
	{Name: MeminfoName, Mode: syscall.S_IFREG, Ino: meminfoIno},
}

// ReadDir lists ".", ".." and MeminfoName from the kernel's offset on.
func (m *meminfoFS) ReadDir(cancel <-chan struct{}, in *fuse.ReadIn, out *fuse.DirEntryList) fuse.Status {
	for i := int(min(in.Offset, uint64(len(rootEntries)))); i < len(rootEntries); i++ {
		e := rootEntries[i]
		e.Off = uint64(i + 1)
		if !out.AddDirEntry(e) {
			break
		}
	}
	return fuse.OK
}

// ReleaseDir needs nothing: directory handles hold no state.
func (m *meminfoFS) ReleaseDir(in *fuse.ReleaseIn) {}

// StatFs reports an empty filesystem (all zero), as go-fuse's node API did.
func (m *meminfoFS) StatFs(cancel <-chan struct{}, in *fuse.InHeader, out *fuse.StatfsOut) fuse.Status {
	return fuse.OK
}

// Flush is not served (go-fuse's default answers OK): the kernel learns
// from ENOSYS to send no more.
func (m *meminfoFS) Flush(cancel <-chan struct{}, in *fuse.FlushIn) fuse.Status { return fuse.ENOSYS }

// Open accepts read-only opens of the file only (EACCES otherwise, as
// libvirt). It renders the content the first read will serve and makes
// sure the kernel's size covers it before the open completes.
func (m *meminfoFS) Open(cancel <-chan struct{}, in *fuse.OpenIn, out *fuse.OpenOut) fuse.Status {
	if in.NodeId != meminfoIno {
		return fuse.EISDIR
	}
	if in.Flags&syscall.O_ACCMODE != syscall.O_RDONLY {
		return fuse.EACCES
	}
	buf := bufPool.Get().(*[]byte)
	data, err := m.src.render(*buf)
	if err != nil {
		bufPool.Put(buf)
		m.src.log.Error("meminfo open", "err", err)
		return fuse.EIO
	}
	*buf = data
	m.growKernelSize(data)
	m.mu.Lock()
	m.lastFh++
	fh := m.lastFh
	m.handles[fh] = &meminfoHandle{buf: buf, fresh: true}
	m.mu.Unlock()
	out.Fh = fh
	out.OpenFlags = fuse.FOPEN_DIRECT_IO
	return fuse.OK
}

// growKernelSize raises the kernel's size to len(data) if it may be smaller,
// by storing data in the kernel's page cache (FUSE_NOTIFY_STORE), which
// extends the size to the end of the stored data and keeps cached page and
// size consistent. It runs only when the text grew (a figure gained a digit
// past 8 columns), so rarely; the open then drops the page cache anyway.
func (m *meminfoFS) growKernelSize(data []byte) {
	size := int64(len(data))
	m.mu.Lock()
	grow := size > m.kernelSize
	if grow {
		m.kernelSize = size
	}
	m.mu.Unlock()
	if !grow || m.store == nil {
		return
	}
	if errno := m.store(meminfoIno, data); errno != 0 {
		m.src.log.Debug("meminfo: cannot extend kernel file size", "size", size, "err", errno)
	}
}

// shrunk records that a read returned end of file at end: a page cache
// read (sendfile, splice) then sets the kernel's size to end.
func (m *meminfoFS) shrunk(end int64) {
	m.mu.Lock()
	m.kernelSize = min(m.kernelSize, end)
	m.mu.Unlock()
}

// handle returns open file fh; one the kernel opened with an earlier
// server is adopted with no snapshot yet.
func (m *meminfoFS) handle(fh uint64) *meminfoHandle {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.handles[fh]
	if h == nil {
		buf := bufPool.Get().(*[]byte)
		h = &meminfoHandle{buf: buf}
		m.handles[fh] = h
	}
	return h
}

// meminfoHandle is one open meminfo file. It keeps the content it last
// served so that a reader going through the file in several reads sees one
// consistent snapshot. Its buffer comes from bufPool and goes back there
// at release.
type meminfoHandle struct {
	mu    sync.Mutex
	buf   *[]byte // the snapshot
	fresh bool    // rendered by Open and not served yet
}

// Read serves the snapshot at the kernel's offset. A read at offset 0 (a
// new pass, as free(1) and top(1) do with lseek+read on a kept descriptor)
// takes a new snapshot first, except for the first read after Open; so
// does any read of a handle adopted with no snapshot. The bytes are copied
// into dest, the request's own buffer, so that the snapshot can be
// rendered again in place while an earlier answer is still being sent.
func (m *meminfoFS) Read(cancel <-chan struct{}, in *fuse.ReadIn, dest []byte) (fuse.ReadResult, fuse.Status) {
	if in.NodeId != meminfoIno {
		return nil, fuse.EISDIR
	}
	h := m.handle(in.Fh)
	h.mu.Lock()
	defer h.mu.Unlock()
	off := int64(in.Offset)
	if (off == 0 && !h.fresh) || (!h.fresh && len(*h.buf) == 0) {
		data, err := m.src.render(*h.buf)
		if err != nil {
			m.src.log.Error("meminfo read", "err", err)
			return nil, fuse.EIO
		}
		*h.buf = data
	}
	h.fresh = false
	data := *h.buf
	size := int64(len(data))
	start := min(max(off, 0), size)
	end := min(start+int64(len(dest)), size)
	if end < off+int64(len(dest)) {
		m.shrunk(max(end, off))
	}
	n := copy(dest, data[start:end])
	return fuse.ReadResultData(dest[:n]), fuse.OK
}

// Release gives the snapshot's buffer back for later opens.
func (m *meminfoFS) Release(cancel <-chan struct{}, in *fuse.ReleaseIn) {
	m.mu.Lock()
	h := m.handles[in.Fh]
	delete(m.handles, in.Fh)
	m.mu.Unlock()
	if h != nil {
		h.mu.Lock()
		bufPool.Put(h.buf)
		h.buf = nil
		h.mu.Unlock()
	}
}
