package bench

import (
	"fmt"
	"os/exec"
	"testing"
)

// Issue 8, figures 1 (virsh start) and 4 (list --all with 0, 100 and
// 1,000 defined domains, through the API and through the real virsh).

// BenchmarkListAll measures list --all on one private daemon with 0, 100
// and 1,000 defined domains: one go-libvirt round trip (api=N) and the
// wall time of `virsh -c URI list --all`, connect included (virsh=N).
func BenchmarkListAll(b *testing.B) {
	d := startDaemon(b)
	defined := 0
	for _, n := range listCounts {
		for ; defined < n; defined++ {
			if _, err := d.l.DomainDefineXML(sleepXML(fmt.Sprintf("blist%04d", defined))); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("api=%d", n), func(b *testing.B) {
			fig := record(fmt.Sprintf("list/api/%d", n), "virtlxc", "ms",
				fmt.Sprintf("list --all, %d defined, one API round trip", n))
			for b.Loop() {
				if err := fig.timeOp(func() error { return listAll(d.l, n) }); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("virsh=%d", n), func(b *testing.B) {
			fig := record(fmt.Sprintf("list/virsh/%d", n), "virtlxc", "ms",
				fmt.Sprintf("virsh list --all, %d defined (whole command)", n))
			for b.Loop() {
				if err := fig.timeOp(d.virshList); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVirshStart: `virsh -c URI start NAME` of a defined container
// (init sleep), the whole command; destroyed outside the timer.
func BenchmarkVirshStart(b *testing.B) {
	d := startDaemon(b)
	dom, err := d.l.DomainDefineXML(sleepXML("bvstart"))
	if err != nil {
		b.Fatal(err)
	}
	fig := record("virsh/start", "virtlxc", "ms", "virsh start, defined container (init sleep), whole command")
	for b.Loop() {
		if err := fig.timeOp(func() error { return virsh(d.uri, "start", "bvstart") }); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := d.l.DomainDestroy(dom); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkVirshURI: `virsh -c URI uri`, virsh's own cost (start-up,
// connect, one call), to read the other virsh figures against.
func BenchmarkVirshURI(b *testing.B) {
	d := startDaemon(b)
	fig := record("virsh/uri", "virtlxc", "ms", "virsh connect + uri (client overhead only)")
	for b.Loop() {
		if err := fig.timeOp(func() error { return virsh(d.uri, "uri") }); err != nil {
			b.Fatal(err)
		}
	}
}

// virsh runs `virsh -c uri args...` (the real virsh) once.
func virsh(uri string, args ...string) error {
	if out, err := exec.Command("virsh", append([]string{"-c", uri}, args...)...).CombinedOutput(); err != nil {
		return fmt.Errorf("virsh %v: %w: %s", args, err, out)
	}
	return nil
}
