package console

import (
	"bytes"
	"testing"
)

// pattern returns n bytes that do not repeat with a short period.
func pattern(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7 + i/251)
	}
	return p
}

// drain reads and consumes everything held by b.
func drain(b *ring) []byte {
	var out []byte
	buf := make([]byte, 1000)
	pos := b.head
	for {
		n, start, _ := b.readAt(pos, buf)
		if n == 0 {
			return out
		}
		out = append(out, buf[:n]...)
		pos = start + uint64(n)
		b.discard(pos)
	}
}

func TestRingKeepsNewestBytes(t *testing.T) {
	data := pattern(100_000)
	for _, tc := range []struct {
		name  string
		limit int
		chunk int
	}{
		{"small writes wrap", 10_000, 333},
		{"writes larger than limit", 10_000, 25_000},
		{"limit not reached", 200_000, 4096},
		{"odd limit", 4097, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newRing(tc.limit)
			for off := 0; off < len(data); off += tc.chunk {
				b.write(data[off:min(off+tc.chunk, len(data))])
				if b.size() > tc.limit || len(b.buf) > tc.limit {
					t.Fatalf("holds %d bytes in %d of storage, limit %d", b.size(), len(b.buf), tc.limit)
				}
			}
			want := data[max(0, len(data)-tc.limit):]
			if got := drain(&b); !bytes.Equal(got, want) {
				t.Fatalf("drained %d bytes, want the last %d written", len(got), len(want))
			}
			if b.dropped != uint64(len(data)-len(want)) {
				t.Errorf("dropped = %d, want %d", b.dropped, len(data)-len(want))
			}
		})
	}
}

func TestRingGrowsLazily(t *testing.T) {
	b := newRing(DefaultBacklogSize)
	if len(b.buf) != 0 {
		t.Fatalf("new ring allocated %d bytes", len(b.buf))
	}
	b.write([]byte("hello"))
	if len(b.buf) != minRingAlloc {
		t.Fatalf("after a small write storage is %d bytes, want %d", len(b.buf), minRingAlloc)
	}
	// Grow while the held bytes wrap around the end of the storage.
	b.discard(b.head + 3)
	b.write(pattern(minRingAlloc - 3))
	b.write([]byte("tail"))
	want := append(append([]byte("lo"), pattern(minRingAlloc-3)...), "tail"...)
	if got := drain(&b); !bytes.Equal(got, want) {
		t.Fatalf("content changed across growth: got %d bytes, want %d", len(got), len(want))
	}
}

func TestRingReadAtReportsSkipped(t *testing.T) {
	b := newRing(10)
	b.write([]byte("0123456789"))
	pos := b.head
	b.write([]byte("abc")) // drops "012" before the reader got them
	buf := make([]byte, 20)
	n, start, skipped := b.readAt(pos, buf)
	if skipped != 3 || start != pos+3 || string(buf[:n]) != "3456789abc" {
		t.Fatalf("readAt = %q, start +%d, skipped %d", buf[:n], start-pos, skipped)
	}
	// readAt does not consume; discard does.
	if b.size() != 10 {
		t.Fatalf("size after readAt = %d", b.size())
	}
	b.discard(start + 4)
	if n, _, _ := b.readAt(b.head, buf); string(buf[:n]) != "789abc" {
		t.Fatalf("after discard: %q", buf[:n])
	}
	b.discard(b.tail + 100) // past the end: clamps
	if b.size() != 0 {
		t.Fatalf("size = %d after discarding everything", b.size())
	}
}
