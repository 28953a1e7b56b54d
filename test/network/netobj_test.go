package network

import (
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"virtlxc/internal/network"
	"virtlxc/internal/paths"
)

// inNS runs f on an OS thread that has joined the test namespace, then
// returns the thread to the test's own namespace. A thread that cannot
// go back is never given back to the runtime (it exits with the
// goroutine), so no other goroutine ever runs in that namespace. (A
// thread must not simply be discarded after every call: the namespace's
// holder process dies with the thread that started it, Pdeathsig.)
func (n *testNS) inNS(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("opening our network namespace: %w", err)
			return
		}
		defer unix.Close(self)
		fd, err := unix.Open(fmt.Sprintf("/proc/%d/ns/net", n.pid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("opening the test namespace: %w", err)
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("joining the test namespace: %w", err)
			return
		}
		ferr := f()
		if err := unix.Setns(self, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("leaving the test namespace: %w", err) // the thread stays locked and dies
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// TestNetworkBridgeLifecycle starts an isolated network with an address
// through the registry (in the test namespace): the bridge is up with the
// network's MAC and address, and destroy removes it.
func TestNetworkBridgeLifecycle(t *testing.T) {
	ns := newNS(t)
	l := paths.New(t.TempDir(), "")
	var r *network.Registry
	err := ns.inNS(func() error {
		r = network.NewRegistry(network.Config{ConfigDir: l.NetworkConfigDir,
			AutostartDir: l.NetworkAutostartDir, StateDir: l.NetworkStateDir})
		if _, err := r.Define([]byte(`<network><name>iso</name><bridge name='vltbr0'/>
  <mac address='52:54:00:11:22:33'/><ip address='10.88.0.1' netmask='255.255.255.0'/></network>`)); err != nil {
			return err
		}
		return r.Start("iso")
	})
	if err != nil {
		t.Fatal(err)
	}
	link, ok := ns.links()["vltbr0"]
	if !ok || link.Type != "bridge" || !strings.EqualFold(link.MAC, "52:54:00:11:22:33") {
		t.Fatalf("bridge: %+v (%v)", link, ok)
	}
	if !link.Up || len(link.Addrs) == 0 || !slices.Contains(link.Addrs, "10.88.0.1/24") {
		t.Fatalf("bridge address/state: %+v", link)
	}
	if err := ns.inNS(func() error { return r.Destroy("iso") }); err != nil {
		t.Fatal(err)
	}
	ns.assertOnly("lo")
	if err := ns.inNS(func() error { return r.Undefine("iso") }); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(l.NetworkConfigDir, "*.xml")); len(m) != 0 {
		t.Fatalf("configs left: %v", m)
	}
}
