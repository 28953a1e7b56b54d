package procfs

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Inode numbers of the tree.
const (
	rootIno    = 1
	meminfoIno = 2
)

// source builds the meminfo content for the FUSE nodes. It renders with
// little garbage (the host file stays open and is reread from offset 0
// into one buffer; the content is appended to the caller's buffer), so that
// a long-lived server's heap does not grow with every read.
type source struct {
	hostPath string
	stats    func() (MemStats, error)
	uid, gid uint32
	log      *slog.Logger
	mtime    time.Time

	// degraded is set while stats fails, so the failure is logged once
	// per episode rather than on every read.
	degraded atomic.Bool
	// opening is set while Open looks its own file up (for TakeFile):
	// the owner's stats may not be ready yet, and are not needed.
	opening atomic.Bool

	mu      sync.Mutex
	host    *os.File // opened on first use
	hostBuf []byte
	scratch []byte // size's rendering
}

// render appends fresh content to dst[:0]: the host file rendered with
// fresh stats, or the host file unchanged when the stats cannot be read.
func (s *source) render(dst []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.renderLocked(dst)
}

// size is the length of the content a read would return now.
func (s *source) size() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	s.scratch, err = s.renderLocked(s.scratch)
	return len(s.scratch), err
}

func (s *source) renderLocked(dst []byte) ([]byte, error) {
	host, err := s.readHost()
	if err != nil {
		return dst[:0], fmt.Errorf("read host meminfo: %w", err)
	}
	if s.opening.Load() {
		return append(dst[:0], host...), nil
	}
	st, err := s.stats()
	if err != nil {
		if !s.degraded.Swap(true) {
			s.log.Warn("meminfo: cannot read cgroup memory stats, serving host values", "err", err)
		}
		return append(dst[:0], host...), nil
	}
	if s.degraded.Swap(false) {
		s.log.Info("meminfo: cgroup memory stats readable again")
	}
	return AppendMeminfo(dst[:0], host, st), nil
}

// readHost rereads the host file into s.hostBuf.
func (s *source) readHost() ([]byte, error) {
	if s.host == nil {
		f, err := os.Open(s.hostPath)
		if err != nil {
			return nil, err
		}
		s.host = f
		s.hostBuf = make([]byte, 8192)
	}
	for {
		n, err := s.host.ReadAt(s.hostBuf, 0)
		if err != nil && err != io.EOF {
			return nil, err
		}
		if n < len(s.hostBuf) {
			return s.hostBuf[:n], nil
		}
		s.hostBuf = make([]byte, 2*len(s.hostBuf))
	}
}

// close closes the host file.
func (s *source) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.host != nil {
		s.host.Close()
		s.host = nil
	}
}

// bufPool holds rendering buffers of closed files for new opens.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}
