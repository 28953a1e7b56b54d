package network

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// TestNetworkSurvivesDaemonCrash kills virtlxcd (-9) with the default
// network active and its dnsmasq killed too: the next daemon finds the
// network active, reinstalls nothing twice and starts dnsmasq again.
// Then, with the daemon down again, the bridge disappears (as after a
// reboot or an admin's ip link del): the next daemon marks the network
// inactive and removes its firewall table, dnsmasq and files.
func TestNetworkSurvivesDaemonCrash(t *testing.T) {
	ns := newNS(t)
	root := t.TempDir()
	if err := os.Chmod(root, 0o755); err != nil { // dnsmasq runs unprivileged
		t.Fatal(err)
	}
	_, sock, d := ns.daemonAt(root, "--default-network", "yes")
	pidFile := filepath.Join(root, "run/libvirt/network/default.pid")
	first := pidIn(t, pidFile)

	crash := func(p *os.Process) {
		t.Helper()
		if err := p.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_, _ = p.Wait()
		if err := os.Remove(sock); err != nil {
			t.Fatal(err)
		}
	}
	crash(d)
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for processAlive(first) {
	}
	_, _, d = ns.daemonAt(root)
	if out := mustVirsh(t, sock, "net-list", "--all"); !regexp.MustCompile(`(?m)^ default\s+active\s+yes\s+yes$`).MatchString(out) {
		t.Fatalf("net-list after the crash:\n%s", out)
	}
	second := pidIn(t, pidFile)
	if second == first {
		t.Fatalf("dnsmasq was not started again (pid %d)", second)
	}
	if out := ns.nft("list", "tables"); strings.Count(out, "virtlxc_virbr0") != 1 {
		t.Fatalf("nftables tables: %s", out)
	}

	crash(d)
	ns.ip("link", "del", "virbr0")
	_, _, _ = ns.daemonAt(root)
	if out := mustVirsh(t, sock, "net-list", "--all"); !regexp.MustCompile(`(?m)^ default\s+inactive\s+yes\s+yes$`).MatchString(out) {
		t.Fatalf("net-list after the bridge went away:\n%s", out)
	}
	if processAlive(second) {
		t.Errorf("dnsmasq %d of a network whose bridge is gone still runs", second)
	}
	if out := ns.nft("list", "tables"); strings.Contains(out, "virtlxc") {
		t.Errorf("nftables tables left: %s", out)
	}
	assertNoFiles(t, filepath.Join(root, "var/lib/libvirt/dnsmasq"))
	ns.assertOnly("lo")
}
