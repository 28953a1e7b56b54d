package bench

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// busyReads is how many times BenchmarkBusyControllerMemory reads the
// container's /proc/meminfo (free(1) every 2 s for about 2 hours).
const busyReads = 3000

// busySettle is how long after the last read the memory is measured:
// past the controller's trim after a burst (2 s of quiet).
const busySettle = 3 * time.Second

// BenchmarkBusyControllerMemory: the host-side memory of an idle
// container's controller (the keeper, once it has taken over: the
// benchmark waits for it) once its container has read /proc/meminfo
// busyReads times (through /proc/PID/root of its init, so through the
// container's own bind mount of the FUSE file): every read is served by
// the controller, and what it allocates there decides whether its memory
// stays where BenchmarkIdleMemory100 measured it. One operation is one
// container.
func BenchmarkBusyControllerMemory(b *testing.B) {
	d := startDaemon(b)
	rss := record("mem/busy-controller-rss", "virtlxc", "MiB", fmt.Sprintf("controller RSS after %d reads of the container's /proc/meminfo", busyReads))
	pss := record("mem/busy-controller-pss", "virtlxc", "MiB", fmt.Sprintf("controller PSS after %d reads of the container's /proc/meminfo", busyReads))
	i := 0
	for b.Loop() {
		name := fmt.Sprintf("busy%d", i)
		i++
		dom, err := d.l.DomainCreateXML(idleXML(name, ""), 0)
		if err != nil {
			b.Fatal(err)
		}
		ctl, err := d.controllerPid(name)
		if err != nil {
			b.Fatal(err)
		}
		// Served by the keeper, as a running container is once quiet.
		d.waitKept(name, -1, 30*time.Second)
		// The container's init is the controller's only child.
		kids := procTree()[ctl]
		if len(kids) != 1 {
			b.Fatalf("controller %d has children %v, want its init", ctl, kids)
		}
		path := fmt.Sprintf("/proc/%d/root/proc/meminfo", kids[0])
		for n := 0; n < busyReads; n++ {
			data, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 && !strings.HasPrefix(string(data), "MemTotal:          65536 kB\n") {
				b.Fatalf("%s is not the container's meminfo:\n%s", path, data)
			}
		}
		time.Sleep(busySettle)
		m, err := memOf(ctl)
		if err != nil {
			b.Fatal(err)
		}
		rss.add(mib(m.RSS))
		pss.add(mib(m.PSS))
		if err := d.l.DomainDestroy(dom); err != nil {
			b.Fatal(err)
		}
	}
}
