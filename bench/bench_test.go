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
	"testing"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/daemon"
	"virtlxc/internal/testutil"
)

// daemonConn starts a private virtlxcd and connects go-libvirt to it.
func daemonConn(b *testing.B) *libvirt.Libvirt {
	testutil.RequireRoot(b)
	bin := testutil.Binaries(b)
	dir := b.TempDir()
	_ = os.Chmod(dir, 0o755)
	root := filepath.Join(dir, "root")
	d := exec.Command(filepath.Join(bin, "virtlxcd"), "--root", root, "--log-level", "error")
	if err := d.Start(); err != nil {
		b.Fatal(err)
	}
	sock := filepath.Join(root, "run/libvirt/virtlxcd-sock")
	var conn net.Conn
	for i := 0; ; i++ {
		c, err := net.Dial("unix", sock)
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
	b.Cleanup(func() {
		doms, _, _ := l.ConnectListAllDomains(1, libvirt.ConnectListDomainsActive)
		for _, dom := range doms {
			_ = l.DomainDestroy(dom)
		}
		_ = l.Disconnect()
		_ = d.Process.Kill()
		_ = d.Wait()
		parts, _ := filepath.Glob("/sys/fs/cgroup/*/machine/" + daemon.CgroupScope(root) + ".partition")
		for _, p := range parts {
			_ = os.Remove(p)
		}
	})
	return l
}

func sleepXML(name string) string {
	return fmt.Sprintf("<domain type='lxc'><name>%s</name><memory>65536</memory><os><type>exe</type><init>/bin/sleep</init><initarg>3600</initarg></os><devices><console type='pty'/></devices></domain>", name)
}

// BenchmarkStart: a defined container → running init (DomainCreate returns
// once init runs), then destroyed outside the timer.
func BenchmarkStart(b *testing.B) {
	l := daemonConn(b)
	dom, err := l.DomainDefineXML(sleepXML("bstart"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := l.DomainCreate(dom); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := l.DomainDestroy(dom); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkDestroy: destroy of a running container (sleep as init).
func BenchmarkDestroy(b *testing.B) {
	l := daemonConn(b)
	dom, err := l.DomainDefineXML(sleepXML("bdestroy"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		if err := l.DomainCreate(dom); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := l.DomainDestroy(dom); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFullCycle: define + start + destroy + undefine.
func BenchmarkFullCycle(b *testing.B) {
	l := daemonConn(b)
	for b.Loop() {
		dom, err := l.DomainDefineXML(sleepXML("bcycle"))
		if err != nil {
			b.Fatal(err)
		}
		if err := l.DomainCreate(dom); err != nil {
			b.Fatal(err)
		}
		if err := l.DomainDestroy(dom); err != nil {
			b.Fatal(err)
		}
		if err := l.DomainUndefine(dom); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListAll1000: ConnectListAllDomains with 1,000 defined domains
// (one API round trip over the unix socket).
func BenchmarkListAll1000(b *testing.B) {
	l := daemonConn(b)
	for i := 0; i < 1000; i++ {
		if _, err := l.DomainDefineXML(sleepXML(fmt.Sprintf("blist%04d", i))); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		doms, _, err := l.ConnectListAllDomains(1, libvirt.ConnectListDomainsActive|libvirt.ConnectListDomainsInactive)
		if err != nil || len(doms) != 1000 {
			b.Fatalf("%d domains, %v", len(doms), err)
		}
	}
}
