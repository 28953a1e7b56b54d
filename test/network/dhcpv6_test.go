package network

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/testutil"
)

const dhcp6NetXML = `<network>
  <name>six</name>
  <bridge name='virbr9'/>
  <ip family='ipv6' address='fd00:142::1' prefix='64'>
    <dhcp>
      <range start='fd00:142::100' end='fd00:142::1ff'/>
      <host name='fixed6' ip='fd00:142::77'/>
    </dhcp>
  </ip>
</network>
`

// dhclient6Script records in OUT what dhclient -6 was given (instead of
// configuring anything: the host's resolv.conf stays untouched; dhclient
// gives its script no environment of the caller's).
const dhclient6Script = `#!/bin/sh
[ -n "$new_ip6_address" ] && echo "$reason $new_ip6_address/$new_ip6_prefixlen" >> OUT
exit 0
`

// TestStatefulDHCPv6: a network with an IPv6 <dhcp> range serves
// addresses by DHCPv6 (dnsmasq configured as libvirt configures it): ISC
// dhclient -6, run in a container's network namespace, leases one from
// the range. (busybox has no DHCPv6 client, so the client is the host's,
// entered into the container's network namespace only.)
func TestStatefulDHCPv6(t *testing.T) {
	if _, err := exec.LookPath("dhclient"); err != nil {
		t.Fatal("dhclient (isc-dhcp-client) is needed: make check installs it")
	}
	ns := newNS(t)
	root := dnsmasqRoot(t)
	bin, sock, _ := ns.daemonAt(root)
	dir := t.TempDir()
	mustVirsh(t, sock, "net-create", writeFile(t, dir, "six.xml", dhcp6NetXML))
	t.Cleanup(func() { _, _ = virsh(t, sock, "net-destroy", "six") })
	rootfs := testutil.BusyboxRoot(t)
	token := strconv.Itoa(100000 + os.Getpid()%800000)
	createCtr(t, bin, sock, dir, "d6", domainXML("d6", rootfs, "ip link set eth0 up; exec sleep "+token,
		"    <interface type='network'><source network='six'/><mac address='52:54:00:bb:06:01'/></interface>\n", ""))
	pid := findProcess(t, "sleep\x00"+token)
	// dhclient binds to eth0's link-local address: wait out its duplicate
	// address detection.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		a, _ := exec.Command("nsenter", "-t", strconv.Itoa(pid), "-n", "--", "ip", "-6", "addr", "show", "dev", "eth0", "scope", "link").CombinedOutput()
		if strings.Contains(string(a), "fe80::") && !strings.Contains(string(a), "tentative") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("eth0 has no usable link-local address:\n%s", a)
		}
	}

	out := filepath.Join(dir, "leased")
	script := writeFile(t, dir, "script.sh", strings.Replace(dhclient6Script, "OUT", out, 1))
	if err := os.Chmod(script, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "nsenter", "-t", strconv.Itoa(pid), "-n", "--",
		"dhclient", "-6", "-d", "-1", "-lf", filepath.Join(dir, "leases"), "-pf", filepath.Join(dir, "pid"), "-sf", script, "eth0")
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var got string
	for deadline := time.Now().Add(25 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if b, err := os.ReadFile(out); err == nil && strings.Contains(string(b), "\n") {
			got = strings.TrimSpace(string(b))
			break
		}
	}
	f := strings.Fields(got)
	lo, hi := netip.MustParseAddr("fd00:142::100"), netip.MustParseAddr("fd00:142::1ff")
	var a netip.Addr
	if len(f) == 2 {
		a, _ = netip.ParseAddr(strings.TrimSuffix(f[1], "/128"))
	}
	if len(f) != 2 || f[0] != "BOUND6" || !a.IsValid() || a.Less(lo) || hi.Less(a) {
		t.Fatalf("dhclient -6 got %q, want BOUND6 with an address of fd00:142::100-1ff\n%s", got, log.String())
	}
	// The lease as virsh lists it (dnsmasq's IPv6 lease lines).
	if out := mustVirsh(t, sock, "net-dhcp-leases", "six"); !strings.Contains(out, a.String()+"/64") || !strings.Contains(out, "ipv6") {
		t.Errorf("net-dhcp-leases six, want %s:\n%s", a, out)
	}
}

// findProcess returns the pid of the process whose command line contains
// marker (NUL-separated arguments), waiting for it a little.
func findProcess(t *testing.T, marker string) int {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, p := range dirs {
			if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), marker) {
				pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
				return pid
			}
		}
	}
	t.Fatalf("no process with %q in its command line", marker)
	return 0
}
