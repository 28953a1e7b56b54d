package bench

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"
)

// Issue 8, figures 5 (idle memory with 100 containers) and 6 (density:
// 1,000 containers). Both start host-root containers whose init is
// `/bin/sleep infinity`, in parallel over several connections.

// envCount reads a container count from the environment (quick runs).
func envCount(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// idleXML is a container whose init sleeps forever: the host's root and
// its /bin/sleep when rootfs is empty, else rootfs's (busybox) sleep, the
// init and root of the lxc and crun density anchors.
func idleXML(name, rootfs string) string {
	if rootfs == "" {
		return fmt.Sprintf("<domain type='lxc'><name>%s</name><memory>65536</memory><os><type>exe</type><init>/bin/sleep</init><initarg>infinity</initarg></os><devices><console type='pty'/></devices></domain>", name)
	}
	return fmt.Sprintf("<domain type='lxc'><name>%s</name><memory>65536</memory><os><type>exe</type><init>/bin/sleep</init><initarg>1000000</initarg></os><devices>"+
		"<filesystem type='mount'><source dir='%s'/><target dir='/'/></filesystem><console type='pty'/></devices></domain>", name, rootfs)
}

// startMany creates n transient containers named prefix0000… (idleXML on
// rootfs) over
// `workers` connections, records each create's latency in each (if not
// nil) and returns the wall time of the whole.
func startMany(b *testing.B, d *privDaemon, prefix, rootfs string, n, workers int, each *figure) time.Duration {
	conns := make([]*libvirt.Libvirt, workers)
	for i := range conns {
		conns[i] = d.dial(b)
	}
	defer func() {
		for _, c := range conns {
			_ = c.Disconnect()
		}
	}()
	next := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	t0 := time.Now()
	for _, c := range conns {
		wg.Add(1)
		go func(c *libvirt.Libvirt) {
			defer wg.Done()
			for i := range next {
				t := time.Now()
				if _, err := c.DomainCreateXML(idleXML(fmt.Sprintf("%s%04d", prefix, i), rootfs), 0); err != nil {
					errs <- fmt.Errorf("starting container %d: %w", i, err)
					return
				}
				if each != nil {
					each.addDur(time.Since(t))
				}
			}
		}(c)
	}
	var failed error
feed:
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case failed = <-errs:
			break feed
		}
	}
	close(next)
	wg.Wait()
	total := time.Since(t0)
	if failed == nil {
		select {
		case failed = <-errs:
		default:
		}
	}
	if failed != nil {
		b.Fatal(failed) // the daemon's cleanup destroys what started
	}
	return total
}

// destroyAll destroys every running container over `workers` connections
// and returns the wall time.
func destroyAll(b *testing.B, d *privDaemon, workers int) time.Duration {
	doms, _, err := d.l.ConnectListAllDomains(1, libvirt.ConnectListDomainsActive)
	if err != nil {
		b.Fatal(err)
	}
	conns := make([]*libvirt.Libvirt, workers)
	for i := range conns {
		conns[i] = d.dial(b)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []error
	t0 := time.Now()
	for w, c := range conns {
		wg.Add(1)
		go func(w int, c *libvirt.Libvirt) {
			defer wg.Done()
			for i := w; i < len(doms); i += workers {
				if err := c.DomainDestroy(doms[i]); err != nil {
					mu.Lock()
					failed = append(failed, err)
					mu.Unlock()
				}
			}
		}(w, c)
	}
	wg.Wait()
	total := time.Since(t0)
	for _, c := range conns {
		_ = c.Disconnect()
	}
	if len(failed) > 0 {
		b.Fatalf("%d destroys failed, first: %v", len(failed), failed[0])
	}
	return total
}

// BenchmarkIdleMemory100 starts 100 idle containers (VIRTLXC_BENCH_MEMN),
// then reads RSS and PSS of every host-side per-container process (the
// controller and any descendant outside the container's pid namespace)
// and the daemon's RSS growth; the timed loop is list --all with them
// running.
func BenchmarkIdleMemory100(b *testing.B) {
	n := envCount("VIRTLXC_BENCH_MEMN", 100)
	d := startDaemon(b)
	time.Sleep(500 * time.Millisecond)
	before, err := memOf(d.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	startMany(b, d, "mem", "", n, 2, nil)
	// Idle: the keeper serves them (the daemon hands them over once it
	// has been quiet for a second), start-up garbage collected, threads
	// parked.
	waited, kept := d.waitKept("mem", n, 30*time.Second)
	time.Sleep(time.Second)
	rss := record("mem/controller-rss", "virtlxc", "MiB", fmt.Sprintf("idle host-side RSS per container (%d running)", n))
	pss := record("mem/controller-pss", "virtlxc", "MiB", fmt.Sprintf("idle host-side PSS per container (%d running)", n))
	pss.note(fmt.Sprintf("measured once the keeper served %d of %d containers (%.1f s after the last start returned, + 1 s)", kept, n, waited.Seconds()))
	procs := record("mem/host-procs", "virtlxc", "count", "host-side processes per container")
	tree := procTree()
	for i := 0; i < n; i++ {
		pid, err := d.controllerPid(fmt.Sprintf("mem%04d", i))
		if err != nil {
			b.Fatal(err)
		}
		var sum procMem
		side := hostSide(tree, pid)
		for _, p := range side {
			m, err := memOf(p)
			if err != nil {
				b.Fatal(err)
			}
			sum.RSS += m.RSS
			sum.PSS += m.PSS
		}
		rss.add(mib(sum.RSS))
		pss.add(mib(sum.PSS))
		procs.add(float64(len(side)))
	}
	// The daemon's booted spare controller (with its init stage) is
	// memory of the daemon's, not of any container's; shown on its own.
	for _, c := range tree[d.cmd.Process.Pid] {
		if !isSpare(c) {
			continue
		}
		var sum procMem
		for _, p := range append([]int{c}, tree[c]...) {
			if m, err := memOf(p); err == nil {
				sum.RSS += m.RSS
				sum.PSS += m.PSS
			}
		}
		record("mem/spare-rss", "virtlxc", "MiB", "the daemon's idle spare controller and its init stage, RSS").add(mib(sum.RSS))
		record("mem/spare-pss", "virtlxc", "MiB", "the daemon's idle spare controller and its init stage, PSS").add(mib(sum.PSS))
	}
	after, err := memOf(d.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	record("mem/daemon-growth", "virtlxc", "MiB", fmt.Sprintf("daemon RSS growth, 0 → %d containers", n)).add(mib(after.RSS - before.RSS))
	record("mem/daemon-rss", "virtlxc", "MiB", fmt.Sprintf("daemon RSS with %d containers", n)).add(mib(after.RSS))
	list := record("list/api-running", "virtlxc", "ms", fmt.Sprintf("list --all, %d running, API round trip", n))
	for b.Loop() {
		if err := list.timeOp(func() error { return listAll(d.l, n) }); err != nil {
			b.Fatal(err)
		}
	}
}

// listAll lists every domain and checks there are want of them.
func listAll(l *libvirt.Libvirt, want int) error {
	doms, _, err := l.ConnectListAllDomains(1, libvirt.ConnectListDomainsActive|libvirt.ConnectListDomainsInactive)
	if err != nil {
		return fmt.Errorf("listing domains: %w", err)
	}
	if len(doms) != want {
		return fmt.Errorf("listed %d domains, want %d", len(doms), want)
	}
	return nil
}

// virshList runs `virsh -c URI list --all` once.
func (d *privDaemon) virshList() error { return virsh(d.uri, "list", "--all") }
