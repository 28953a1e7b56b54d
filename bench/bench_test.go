// Package bench measures virtlxcd through the libvirt API (go-libvirt as
// the client), on a private daemon: start, destroy, the full
// define+start+destroy+undefine cycle, and list with many domains. Run
// with `make bench`; see README.md beside this file.
package bench

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"
	"golang.org/x/sys/unix"

	"virtlxc/internal/daemon"
	"virtlxc/internal/testutil"
)

// daemonConn starts a private virtlxcd and connects go-libvirt to it.
func daemonConn(b *testing.B) *libvirt.Libvirt {
	return startDaemon(b).l
}

// privDaemon is a private virtlxcd under a temporary --root.
type privDaemon struct {
	l     *libvirt.Libvirt // the first connection
	cmd   *exec.Cmd
	root  string // the --root
	sock  string // its read-write socket
	uri   string // for virsh -c
	scope string // its cgroup partition component
	run   string // root/run, a tmpfs of the benchmark's own
}

// startDaemon starts a private virtlxcd; its cleanup destroys every
// running container, stops the daemon and removes its cgroup partition.
func startDaemon(b testing.TB) *privDaemon {
	testutil.RequireRoot(b)
	bin := testutil.Binaries(b)
	builtBinaries = bin
	dir := b.TempDir()
	_ = os.Chmod(dir, 0o755)
	root := filepath.Join(dir, "root")
	// Its run directory is a tmpfs, as /run is on a host: the status,
	// pid and config files a start writes would otherwise go to the disk
	// the temporary directory is on.
	run := filepath.Join(root, "run")
	if err := os.MkdirAll(run, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := unix.Mount("tmpfs", run, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=755"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = unix.Unmount(run, unix.MNT_DETACH) })
	d := &privDaemon{run: run, root: root, sock: filepath.Join(root, "run/libvirt/virtlxcd-sock"), scope: daemon.CgroupScope(root)}
	d.uri = "lxc:///system?socket=" + d.sock
	args := []string{"--root", root, "--log-level", "error"}
	if v := os.Getenv("VIRTLXC_BENCH_SPARE"); v != "" {
		args = append(args, "--spare-controller", v) // yes (the default) or no
	}
	d.cmd = exec.Command(filepath.Join(bin, "virtlxcd"), args...)
	if err := d.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(d.stop)
	d.l = d.dial(b)
	return d
}

// dial opens one more go-libvirt connection (closed by the daemon's stop).
func (d *privDaemon) dial(b testing.TB) *libvirt.Libvirt {
	var conn net.Conn
	for i := 0; ; i++ {
		c, err := net.Dial("unix", d.sock)
		if err == nil {
			conn = c
			break
		}
		if i > 500 {
			b.Fatal("virtlxcd did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	l := libvirt.New(conn)
	if err := l.ConnectToURI(libvirt.ConnectURI("lxc:///system")); err != nil {
		b.Fatal(err)
	}
	return l
}

// stop destroys the running containers, stops the daemon and removes its
// (then empty) cgroup partitions; reap cleans up after a failed run.
func (d *privDaemon) stop() {
	if d.l != nil {
		doms, _, _ := d.l.ConnectListAllDomains(1, libvirt.ConnectListDomainsActive)
		for _, dom := range doms {
			_ = d.l.DomainDestroy(dom)
		}
		_ = d.l.Disconnect()
	}
	controllers := procTree()[d.cmd.Process.Pid]
	_ = d.cmd.Process.Kill()
	_ = d.cmd.Wait()
	// With every container destroyed, what is left is the spare
	// controller (perhaps still booting): it leaves on its socket's EOF,
	// removing its cgroup and mount.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if !slices.ContainsFunc(controllers, alive) {
			break
		}
	}
	d.reap(controllers)
	parts, _ := filepath.Glob("/sys/fs/cgroup/*/machine/" + d.scope + ".partition")
	for _, p := range parts {
		_ = os.Remove(p)
	}
}

func sleepXML(name string) string {
	return fmt.Sprintf("<domain type='lxc'><name>%s</name><memory>65536</memory><os><type>exe</type><init>/bin/sleep</init><initarg>3600</initarg></os><devices><console type='pty'/></devices></domain>", name)
}

// BenchmarkStart: a defined container → running init (DomainCreate returns
// once init runs), then destroyed outside the timer.
func BenchmarkStart(b *testing.B) {
	benchStart(b, "bstart", record("api/start", "virtlxc", "ms", "API start, defined container (init sleep) → running"), 0)
}

// BenchmarkStartIdle: the same start after idleBeforeStart without any
// work (the other figures are tight loops, as the anchors' are): what a
// user starting one container on a quiet host sees.
func BenchmarkStartIdle(b *testing.B) {
	benchStart(b, "bstartidle", record("api/start-idle", "virtlxc", "ms",
		"API start after 100 ms idle, defined container (init sleep) → running"), idleBeforeStart)
}

// idleBeforeStart is the pause before each start of the "-idle" figures.
const idleBeforeStart = 100 * time.Millisecond

// benchStart times starts of a sleeping container named name into fig,
// each after a destroy (untimed) and a pause of idle.
func benchStart(b *testing.B, name string, fig *figure, idle time.Duration) {
	l := daemonConn(b)
	dom, err := l.DomainDefineXML(sleepXML(name))
	if err != nil {
		b.Fatal(err)
	}
	warmUp(b, func() error {
		if err := l.DomainCreate(dom); err != nil {
			return err
		}
		return l.DomainDestroy(dom)
	})
	for b.Loop() {
		traceMark("OPB")
		if err := fig.timeOp(func() error { return l.DomainCreate(dom) }); err != nil {
			b.Fatal(err)
		}
		traceMark("OPE")
		b.StopTimer()
		if err := l.DomainDestroy(dom); err != nil {
			b.Fatal(err)
		}
		time.Sleep(idle)
		b.StartTimer()
	}
}

// BenchmarkDestroy: destroy of a running container (sleep as init).
func BenchmarkDestroy(b *testing.B) {
	benchDestroy(b, sleepXML("bdestroy"), record("api/destroy", "virtlxc", "ms", "API destroy, running container"))
}

// BenchmarkDestroyKept: destroy of a running container the keeper serves
// (the daemon hands a container over once it has been quiet for a
// second: each run waits for that, and 0.5 s more, untimed).
func BenchmarkDestroyKept(b *testing.B) {
	if os.Getenv("VIRTLXC_KEEP_AFTER") == "off" {
		b.Skip("VIRTLXC_KEEP_AFTER=off: no keeper")
	}
	d := startDaemon(b)
	fig := record("api/destroy-kept", "virtlxc", "ms", "API destroy, running container served by the keeper")
	benchDestroyOn(b, d, sleepXML("bdkept"), fig, func() {
		if _, kept := d.waitKept("bdkept", -1, 30*time.Second); kept != 1 {
			b.Fatal("the keeper did not take the container over in 30 s")
		}
		time.Sleep(500 * time.Millisecond) // settled: past its start-up and trim
	})
}

// BenchmarkDestroyIdle: destroy of a running container its controller
// serves (VIRTLXC_KEEP_AFTER=off), after as long idle as
// BenchmarkDestroyKept's (2.5 s): the same destroy without the keeper.
func BenchmarkDestroyIdle(b *testing.B) {
	b.Setenv("VIRTLXC_KEEP_AFTER", "off")
	d := startDaemon(b)
	fig := record("api/destroy-idle", "virtlxc", "ms", "API destroy, running container its controller serves, after 2.5 s idle")
	benchDestroyOn(b, d, sleepXML("bdidle"), fig, func() { time.Sleep(2500 * time.Millisecond) })
}

// benchDestroy times the destroy of the domain defined by xml, started
// (untimed) before each one, into fig.
func benchDestroy(b *testing.B, xml string, fig *figure) {
	benchDestroyOn(b, startDaemon(b), xml, fig, nil)
}

// benchDestroyOn is benchDestroy on daemon d; settle, when set, runs
// (untimed) between each start and its destroy.
func benchDestroyOn(b *testing.B, d *privDaemon, xml string, fig *figure, settle func()) {
	l := d.l
	dom, err := l.DomainDefineXML(xml)
	if err != nil {
		b.Fatal(err)
	}
	if settle == nil {
		warmUp(b, func() error {
			if err := l.DomainCreate(dom); err != nil {
				return err
			}
			return l.DomainDestroy(dom)
		})
	}
	for b.Loop() {
		b.StopTimer()
		if err := l.DomainCreate(dom); err != nil {
			b.Fatal(err)
		}
		if settle != nil {
			settle()
		}
		b.StartTimer()
		if err := fig.timeOp(func() error { return l.DomainDestroy(dom) }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFullCycle: define + start + destroy + undefine.
func BenchmarkFullCycle(b *testing.B) {
	l := daemonConn(b)
	fig := record("api/cycle", "virtlxc", "ms", "API full cycle define+start+destroy+undefine")
	cycle := func() error {
		dom, err := l.DomainDefineXML(sleepXML("bcycle"))
		if err != nil {
			return err
		}
		if err := l.DomainCreate(dom); err != nil {
			return err
		}
		if err := l.DomainDestroy(dom); err != nil {
			return err
		}
		return l.DomainUndefine(dom)
	}
	warmUp(b, cycle)
	for b.Loop() {
		if err := fig.timeOp(cycle); err != nil {
			b.Fatal(err)
		}
	}
}

// warmUps is how many untimed operations precede a virtlxc figure's timed
// ones: as many as the anchors get (timeInNS), so that no tool's figure
// holds its first run after a (daemon) start.
const warmUps = 2

// warmUp runs op warmUps times, untimed (before b.Loop).
func warmUp(b *testing.B, op func() error) {
	for range warmUps {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
}
