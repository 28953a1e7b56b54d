package console

// minRingAlloc is the first allocation of a ring's storage; it then doubles
// up to the ring's limit, so an idle console costs no backlog memory.
const minRingAlloc = 4096

// ring is a bounded FIFO of bytes addressed by absolute stream offsets: byte
// number k of everything ever written lives at buf[k % len(buf)] while
// head <= k < tail. Writing past the limit drops the oldest bytes. Readers
// copy from an offset without consuming (readAt) and consume explicitly
// (discard), so data is only dropped once it has been delivered.
//
// A ring is not safe for concurrent use; Relay guards it with its mutex.
type ring struct {
	buf     []byte
	limit   int
	head    uint64 // offset of the oldest byte held
	tail    uint64 // offset one past the newest byte held
	dropped uint64 // bytes dropped because the ring was full
}

func newRing(limit int) ring {
	return ring{limit: limit}
}

// size returns the number of bytes held.
func (b *ring) size() int { return int(b.tail - b.head) }

// write appends p, dropping the oldest bytes when more than limit would be
// held. It never blocks and never holds more than limit bytes.
func (b *ring) write(p []byte) {
	if len(p) == 0 {
		return
	}
	if len(p) >= b.limit {
		if len(b.buf) < b.limit {
			b.buf = make([]byte, b.limit)
		}
		keep := p[len(p)-b.limit:]
		b.dropped += uint64(b.size() + len(p) - b.limit)
		b.tail += uint64(len(p))
		b.head = b.tail - uint64(b.limit)
		b.put(b.head, keep)
		return
	}
	need := b.size() + len(p)
	if need > len(b.buf) && len(b.buf) < b.limit {
		b.grow(need)
	}
	if over := need - len(b.buf); over > 0 {
		b.head += uint64(over)
		b.dropped += uint64(over)
	}
	b.put(b.tail, p)
	b.tail += uint64(len(p))
}

// grow reallocates the storage to hold at least need bytes (at most limit),
// re-placing the held bytes for the new length.
func (b *ring) grow(need int) {
	old := b.buf
	b.buf = make([]byte, min(max(2*len(old), minRingAlloc, need), b.limit))
	held := b.size()
	if held == 0 {
		return
	}
	i := int(b.head % uint64(len(old)))
	first := old[i:min(i+held, len(old))]
	b.put(b.head, first)
	b.put(b.head+uint64(len(first)), old[:held-len(first)])
}

// put copies p into the storage starting at absolute offset off, wrapping.
// The caller guarantees len(p) <= len(b.buf).
func (b *ring) put(off uint64, p []byte) {
	i := int(off % uint64(len(b.buf)))
	n := copy(b.buf[i:], p)
	copy(b.buf, p[n:])
}

// readAt copies up to len(p) held bytes starting at offset pos into p without
// consuming them. If pos is older than the oldest byte held, reading starts
// at the oldest byte and skipped tells how many bytes were lost in between.
// start is the offset of p[0].
func (b *ring) readAt(pos uint64, p []byte) (n int, start, skipped uint64) {
	if pos < b.head {
		skipped = b.head - pos
		pos = b.head
	}
	if pos >= b.tail || len(p) == 0 {
		return 0, pos, skipped
	}
	n = min(len(p), int(b.tail-pos))
	i := int(pos % uint64(len(b.buf)))
	c := copy(p[:n], b.buf[i:])
	copy(p[c:n], b.buf)
	return n, pos, skipped
}

// discard consumes every held byte before offset upto.
func (b *ring) discard(upto uint64) {
	upto = min(upto, b.tail)
	if upto > b.head {
		b.head = upto
	}
}

// release frees the storage; the ring stays usable (and empty).
func (b *ring) release() {
	b.buf = nil
	b.head = b.tail
}
