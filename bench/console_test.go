package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Issue 8, figure 7: console throughput through the API's console stream,
// and /proc/meminfo (virtlxc's FUSE file) read latency inside a container.

// consoleXML is a host-root container that waits for a line on its
// console, then writes mib MiB of zeros to it and idles.
func consoleXML(name string, mib int) string {
	script := fmt.Sprintf("read x; dd if=/dev/zero bs=64k count=%d status=none; exec sleep infinity", mib*16)
	return initXML(name, script)
}

// zeroCounter counts the NUL bytes written to it (the container's output;
// the echo of the trigger line is not NUL) and when the last one came.
type zeroCounter struct {
	mu   sync.Mutex
	n    int
	last time.Time
}

func (z *zeroCounter) Write(p []byte) (int, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, c := range p {
		if c == 0 {
			z.n++
			z.last = time.Now()
		}
	}
	return len(p), nil
}

// wait returns the bytes counted and the time of the last one, once want
// bytes arrived or none came for quiet (the relay drops what a slow client
// cannot take).
func (z *zeroCounter) wait(want int, quiet, limit time.Duration) (int, time.Time) {
	deadline := time.Now().Add(limit)
	for {
		time.Sleep(5 * time.Millisecond)
		z.mu.Lock()
		n, last := z.n, z.last
		z.mu.Unlock()
		if n >= want || (n > 0 && time.Since(last) > quiet) || time.Now().After(deadline) {
			return n, last
		}
	}
}

// BenchmarkConsoleThroughput: a container writes 8 MiB
// (VIRTLXC_BENCH_CONSOLE_MIB) to /dev/console once a client has sent it
// a line; one operation is the time from that line until the client got
// every byte through DomainOpenConsole's stream (or, as the relay drops
// what a slow client cannot take, until the last byte that came). Recorded
// in MB/s, with the share of bytes delivered.
func BenchmarkConsoleThroughput(b *testing.B) {
	size := envCount("VIRTLXC_BENCH_CONSOLE_MIB", 8)
	d := startDaemon(b)
	dom, err := d.l.DomainDefineXML(consoleXML("bconsole", size))
	if err != nil {
		b.Fatal(err)
	}
	fig := record("console/throughput", "virtlxc", "MB/s", fmt.Sprintf("console stream throughput (%d MiB written, bytes delivered / time to the last)", size))
	delivered := record("console/delivered", "virtlxc", "%", "console: share of the written bytes the client received")
	for b.Loop() {
		b.StopTimer()
		if err := d.l.DomainCreate(dom); err != nil {
			b.Fatal(err)
		}
		in, out := io.Pipe()
		got := &zeroCounter{}
		streamDone := make(chan error, 1)
		go func() { streamDone <- d.l.DomainOpenConsoleBidirectional(dom, nil, in, got, 0) }()
		time.Sleep(50 * time.Millisecond) // the stream is open before the trigger
		b.StartTimer()
		t0 := time.Now()
		if _, err := out.Write([]byte("go\n")); err != nil {
			b.Fatal(err)
		}
		n, last := got.wait(size<<20, time.Second, 60*time.Second)
		b.StopTimer()
		if n == 0 {
			b.Fatal("console: nothing arrived")
		}
		fig.add(float64(n) / last.Sub(t0).Seconds() / 1e6)
		delivered.add(100 * float64(n) / float64(size<<20))
		// The stream ends by the console's EOF; the client's finish
		// (closing out) goes after it: go-libvirt's router deadlocks when
		// the server's answer to a finish arrives after an EOF its
		// reader has already taken (it sends on the finished call's
		// channel while holding the lock the call needs to unregister).
		if err := d.l.DomainDestroy(dom); err != nil {
			b.Fatal(err)
		}
		select {
		case <-streamDone:
		case <-time.After(10 * time.Second):
			b.Fatal("console stream did not end")
		}
		_ = out.Close()
		b.StartTimer()
	}
	b.SetBytes(int64(size) << 20)
}

// meminfoReads is how many times the helper reads /proc/meminfo.
const meminfoReads = 2000

// BenchmarkMeminfoRead: a host-root container whose init is this test
// binary (helper role "meminfo") reads /proc/meminfo 2,000 times and
// writes each read's latency to a file; the same helper on the host gives
// the kernel's own /proc/meminfo for comparison. One operation is one
// container run.
func BenchmarkMeminfoRead(b *testing.B) {
	d := startDaemon(b)
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	_ = os.Chmod(dir, 0o777)
	outFile := filepath.Join(dir, "meminfo.json")
	xml := fmt.Sprintf("<domain type='lxc'><name>bmeminfo</name><memory>65536</memory><os><type>exe</type><init>%s</init>"+
		"<initenv name='%s'>meminfo</initenv><initenv name='VIRTLXC_BENCH_OUT'>%s</initenv></os>"+
		"<devices><console type='pty'/></devices></domain>", self, helperEnv, outFile)
	dom, err := d.l.DomainDefineXML(xml)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := d.l.LifecycleEvents(ctx)
	if err != nil {
		b.Fatal(err)
	}
	in := record("meminfo/container", "virtlxc", "µs", "/proc/meminfo read inside a container (FUSE)")
	for b.Loop() {
		_ = os.Remove(outFile)
		if err := d.l.DomainCreate(dom); err != nil {
			b.Fatal(err)
		}
		waitStopped(b, events, dom.Name)
		samples, err := readSamples(outFile)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range samples {
			in.add(s)
		}
	}
	host := record("meminfo/host", "host", "µs", "/proc/meminfo read on the host (kernel)")
	samples, err := meminfoSamples()
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range samples {
		host.add(s)
	}
}

// meminfoSamples reads /proc/meminfo meminfoReads times; microseconds.
func meminfoSamples() ([]float64, error) {
	out := make([]float64, 0, meminfoReads)
	for i := 0; i < meminfoReads; i++ {
		t0 := time.Now()
		data, err := os.ReadFile("/proc/meminfo")
		if err != nil {
			return nil, fmt.Errorf("reading /proc/meminfo: %w", err)
		}
		out = append(out, float64(time.Since(t0).Nanoseconds())/1e3)
		if !strings.HasPrefix(string(data), "MemTotal:") {
			return nil, fmt.Errorf("/proc/meminfo starts %.20q", data)
		}
	}
	return out, nil
}

// readSamples reads a helper's JSON sample file.
func readSamples(path string) ([]float64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("helper output: %w", err)
	}
	var s []float64
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("helper output %s: %w", path, err)
	}
	return s, nil
}

// runHelper runs the test binary in a helper role and returns its exit
// code (TestMain).
func runHelper(role string) int {
	var err error
	switch role {
	case "meminfo":
		var s []float64
		if s, err = meminfoSamples(); err == nil {
			if mt := meminfoKiB("MemTotal"); mt != 65536 {
				err = fmt.Errorf("MemTotal %d kB: not the container's FUSE meminfo", mt)
			} else {
				var js []byte
				js, _ = json.Marshal(s)
				err = os.WriteFile(os.Getenv("VIRTLXC_BENCH_OUT"), js, 0o644)
			}
		}
	case "timer":
		err = runTimer(os.Args[1:])
	case "parallel":
		err = runParallel(os.Args[1:])
	default:
		err = fmt.Errorf("unknown helper role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench helper:", err)
		return 1
	}
	return 0
}
