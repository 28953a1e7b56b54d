package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"virtlxc/internal/testutil"
)

// BenchmarkDensity starts 1,000 idle containers (busybox sleep in a busybox
// root, as the lxc and crun anchors do; VIRTLXC_BENCH_DENSITY
// for fewer) in parallel, then measures host memory, the daemon's
// responsiveness with all of them running (list --all through the API
// and through virsh, a no-op call), destroys them all and checks that no
// cgroup, process or mount is left. The timed loop is the API list.
func BenchmarkDensity(b *testing.B) {
	n := envCount("VIRTLXC_BENCH_DENSITY", 1000)
	// The density anchors' root and init (scale_versus_test.go).
	rootfs := testutil.BusyboxRoot(b)
	d := startDaemon(b)
	time.Sleep(300 * time.Millisecond)
	quiet := waitQuiet()
	availBefore := meminfoKiB("MemAvailable")
	daemonBefore, err := memOf(d.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	each := record("density/start-each", "virtlxc", "ms", fmt.Sprintf("density: one create while %d start, 4 at a time", n))
	cpu0, daemonCPU0 := busyTicks(), cpuTicks(d.cmd.Process.Pid)
	total := startMany(b, d, "dens", rootfs, n, 4, each)
	cpu := busyTicks() - cpu0
	startTotal := record("density/start-total", "virtlxc", "s", fmt.Sprintf("density: start %d containers (4 parallel connections)", n))
	startTotal.addDur(total)
	startTotal.note(fmt.Sprintf("started once the host's CPUs were 90 %% idle (waited %.1f s for it)", quiet.Seconds()))
	record("density/cpu-per-start", "virtlxc", "ms", "density: host CPU time per container started (every process on the host, others' too)").
		add(float64(cpu) * 10 / float64(n))
	// The controller moves itself into its container's cgroup during the start, so
	// the partition's cpuacct holds most of its CPU time; what it used
	// before is not counted (lower bound); adding every controller's whole
	// CPU time too counts that part twice (upper bound, in the note).
	own := float64(cpuTicks(d.cmd.Process.Pid)-daemonCPU0)*10 + d.partitionCPU()
	var ctl float64
	tree0 := procTree()
	for i := 0; i < n; i++ {
		if pid, err := d.controllerPid(fmt.Sprintf("dens%04d", i)); err == nil {
			for _, p := range hostSide(tree0, pid) {
				ctl += float64(cpuTicks(p)) * 10
			}
		}
	}
	f := record("density/own-cpu-per-start", "virtlxc", "ms", "density: CPU time per container started: daemon + the containers' cgroups (controller, init stage, init)")
	f.add(own / float64(n))
	f.note(fmt.Sprintf("lower bound: a controller's CPU time before it joins its container's cgroup is not counted; "+
		"adding every controller's whole CPU time (counting its time in the cgroup twice) gives %.1f ms", (own+ctl)/float64(n)))
	time.Sleep(2 * time.Second)
	avail := meminfoKiB("MemAvailable")
	record("density/mem-used", "virtlxc", "MiB", fmt.Sprintf("density: host MemAvailable drop with %d running", n)).
		add(mib(availBefore - avail))
	pssSum, err := d.pssOf("dens", n)
	if err != nil {
		b.Fatal(err)
	}
	record("density/pss-total", "virtlxc", "MiB", fmt.Sprintf("density: PSS of all host-side processes, %d running", n)).add(mib(pssSum))
	daemonAfter, err := memOf(d.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	record("density/daemon-growth", "virtlxc", "MiB", fmt.Sprintf("density: daemon RSS growth, 0 → %d", n)).
		add(mib(daemonAfter.RSS - daemonBefore.RSS))

	noop := record("density/noop-rtt", "virtlxc", "ms", fmt.Sprintf("density: no-op API call (ConnectGetLibVersion), %d running", n))
	for i := 0; i < 30; i++ {
		if err := noop.timeOp(func() error { _, err := d.l.ConnectGetLibVersion(); return err }); err != nil {
			b.Fatal(err)
		}
	}
	virsh := record("density/list-virsh", "virtlxc", "ms", fmt.Sprintf("density: virsh list --all wall time, %d running", n))
	for i := 0; i < 10; i++ {
		if err := virsh.timeOp(d.virshList); err != nil {
			b.Fatal(err)
		}
	}
	list := record("density/list-api-1000", "virtlxc", "ms", fmt.Sprintf("density: list --all API round trip, %d running", n))
	for b.Loop() {
		if err := list.timeOp(func() error { return listAll(d.l, n) }); err != nil {
			b.Fatal(err)
		}
	}

	b.StopTimer()
	densityKept(b, d, n, availBefore)
	record("density/destroy-total", "virtlxc", "s", fmt.Sprintf("density: destroy %d containers (4 parallel connections)", n)).
		addDur(destroyAll(b, d, 4))
	var left []string
	for i := 0; i < 50; i++ { // the controllers exit just after destroy returns
		if left = d.leftovers(); len(left) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	lf := record("density/leftovers", "virtlxc", "count", "density: cgroups, processes and mounts left after destroying all")
	lf.add(float64(len(left)))
	if len(left) > 0 {
		lf.note(strings.Join(left[:min(len(left), 5)], ", "))
		b.Errorf("left behind after destroying all: %d, e.g. %v", len(left), left[:min(len(left), 5)])
	}
	densityAgain(b, d, rootfs, n)
}

// densityKept measures host memory again once the keeper serves the n
// containers: the daemon hands them over one at a time after a quiet
// second (no API call meanwhile).
func densityKept(b *testing.B, d *privDaemon, n int, availBefore int64) {
	waited, kept := d.waitKept("dens", n, 120*time.Second)
	if kept == 0 {
		return
	}
	time.Sleep(time.Second)
	avail := meminfoKiB("MemAvailable")
	record("density/mem-used-kept", "virtlxc", "MiB", fmt.Sprintf("density: host MemAvailable drop with %d running, the keeper serving them", n)).
		add(mib(availBefore - avail))
	pssSum, err := d.pssOf("dens", n)
	if err != nil {
		b.Fatal(err)
	}
	f := record("density/pss-total-kept", "virtlxc", "MiB", fmt.Sprintf("density: PSS of all host-side processes, %d running, the keeper serving them", n))
	f.add(mib(pssSum))
	f.note(fmt.Sprintf("the keeper served %d of %d, %.1f s after the list figures ended", kept, n, waited.Seconds()))
}

// pssOf sums the PSS of the host-side processes of the n containers named
// prefix0000….
func (d *privDaemon) pssOf(prefix string, n int) (int64, error) {
	var sum int64
	tree := procTree()
	for i := 0; i < n; i++ {
		pid, err := d.controllerPid(fmt.Sprintf("%s%04d", prefix, i))
		if err != nil {
			return 0, err
		}
		for _, p := range hostSide(tree, pid) {
			if m, err := memOf(p); err == nil {
				sum += m.PSS
			}
		}
	}
	return sum, nil
}

// densityAgain starts n containers once more, right after the first n
// were destroyed, and destroys them. On a VM whose balloon reports free
// pages to its host (this one does), the first round's fresh pages each
// cost a fault into the hypervisor; this round reuses the pages the first
// one freed, still in the guest, so the two rounds' difference is the
// hypervisor's, and this one is virtlxc's own throughput. The target is
// judged on the first round.
func densityAgain(b *testing.B, d *privDaemon, rootfs string, n int) {
	quiet := waitQuiet()
	cpu0 := busyTicks()
	total := startMany(b, d, "again", rootfs, n, 4, nil)
	cpu := busyTicks() - cpu0
	again := record("density/start-total-again", "virtlxc", "s",
		fmt.Sprintf("density: start %d containers again right after destroying the first %d (guest pages reused)", n, n))
	again.addDur(total)
	again.note(fmt.Sprintf("started once the host's CPUs were 90 %% idle (waited %.1f s for it)", quiet.Seconds()))
	record("density/cpu-per-start-again", "virtlxc", "ms", "density, second round: host CPU time per container started").
		add(float64(cpu) * 10 / float64(n))
	destroyAll(b, d, 4)
	for i := 0; i < 50; i++ {
		if left := d.leftovers(); len(left) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Errorf("left behind after the second round: %v", d.leftovers())
}
