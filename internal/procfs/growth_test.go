package procfs

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestMountGrowth checks that sendfile(2), which goes through the page cache
// and stops at the kernel's idea of the size, still returns everything when
// the content grew since the size was last reported.
func TestMountGrowth(t *testing.T) {
	requireFUSE(t)
	hostPath := filepath.Join(t.TempDir(), "meminfo")
	short := readSample(t, "meminfo-swap")
	long := bytes.Replace(short, []byte("Dirty:              1920 kB"), []byte("Dirty:          1234567890123 kB"), 1)
	if err := os.WriteFile(hostPath, short, 0o644); err != nil {
		t.Fatal(err)
	}
	path := mountT(t, &fakeStats{st: base}, WithHostMeminfo(hostPath)).MeminfoPath()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	_ = readSendfile(t, path)
	// Grow, shrink (the kernel learns the smaller size from a short read),
	// then grow again.
	for i, host := range [][]byte{long, short, long, short} {
		if err := os.WriteFile(hostPath, host, 0o644); err != nil {
			t.Fatal(err)
		}
		want := RenderMeminfo(host, base)
		if got := readSendfile(t, path); !bytes.Equal(got, want) {
			t.Errorf("step %d: sendfile got %d bytes, want %d", i, len(got), len(want))
		}
		if got := readIntoPipe(t, path, spliceMove); !bytes.Equal(got, want) {
			t.Errorf("step %d: splice got %d bytes, want %d", i, len(got), len(want))
		}
	}
}

// TestMountConcurrentReaders reads with read(2) and sendfile(2) from many
// goroutines while the figures change: every result is one whole render.
func TestMountConcurrentReaders(t *testing.T) {
	requireFUSE(t)
	hostPath, _ := filepath.Abs("testdata/meminfo-swap")
	stats := &fakeStats{st: base}
	path := mountT(t, stats, WithHostMeminfo(hostPath)).MeminfoPath()
	other := with(func(s *MemStats) { s.Usage = 300 * mib })
	host := readSample(t, "meminfo-swap")
	valid := [][]byte{RenderMeminfo(host, base), RenderMeminfo(host, other)}

	stop := make(chan struct{})
	flipped := make(chan struct{})
	go func() {
		defer close(flipped)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			stats.set([]MemStats{base, other}[i%2], nil)
		}
	}()
	dir := t.TempDir()
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 40 {
				read := func() ([]byte, error) { return readOnMount(path) }
				if (g+i)%2 == 1 {
					read = func() ([]byte, error) { return sendfileBytes(path, dir) }
				}
				got, err := read()
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(got, valid[0]) && !bytes.Equal(got, valid[1]) {
					t.Errorf("goroutine %d read %d: not a whole render:\n%q", g, i, got)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	<-flipped
}
