package network

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNetworkEventsWithVirsh watches network lifecycle events with the
// real virsh (net-event --loop) while another virsh defines, starts,
// destroys and undefines a network: every event arrives, in order, and a
// watch on one network sees only that network's. virtlxc's net-event
// prints the same as virsh's.
func TestNetworkEventsWithVirsh(t *testing.T) {
	if _, err := exec.LookPath("virsh"); err != nil {
		t.Skip("virsh (libvirt-clients) is not installed")
	}
	ns := newNS(t)
	bin, root, sock := ns.daemon()
	uri := "lxc:///system?socket=" + sock
	watchWith := func(client string, args ...string) (*exec.Cmd, *bytes.Buffer) {
		var out bytes.Buffer
		cmd := exec.Command(client, append([]string{"-c", uri, "net-event", "--loop", "--timeout", "3"}, args...)...)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd, &out
	}
	watch := func(args ...string) (*exec.Cmd, *bytes.Buffer) { return watchWith("virsh", args...) }
	other := filepath.Join(root, "other.xml")
	if err := os.WriteFile(other, []byte("<network><name>other</name><bridge name='vlothbr0'/></network>\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustVirsh(t, sock, "net-define", other)
	all, allOut := watch("--event", "lifecycle")
	one, oneOut := watch("--event", "lifecycle", "--network", "other")
	ours, oursOut := watchWith(filepath.Join(bin, "virtlxc"), "--event", "lifecycle")
	time.Sleep(500 * time.Millisecond) // both have registered their callbacks
	cfg := filepath.Join(root, "iso.xml")
	if err := os.WriteFile(cfg, []byte(isoNetXML), 0o600); err != nil {
		t.Fatal(err)
	}
	mustVirsh(t, sock, "net-define", cfg)
	mustVirsh(t, sock, "net-start", "iso")
	mustVirsh(t, sock, "net-destroy", "iso")
	mustVirsh(t, sock, "net-undefine", "iso")
	mustVirsh(t, sock, "net-undefine", "other")
	_ = all.Wait()
	_ = one.Wait()
	_ = ours.Wait()
	if oursOut.String() != allOut.String() {
		t.Errorf("virtlxc net-event printed:\n%s\nvirsh:\n%s", oursOut, allOut)
	}
	// (virsh ignores an unknown --network and waits for every network's
	// events; virtlxc says the network does not exist.)
	for _, args := range [][]string{{"net-event", "--list"}, {"net-event"}, {"net-event", "--event", "bogus"},
		{"help", "net-event"}} {
		got := outcome(filepath.Join(bin, "virtlxc"), append([]string{"-c", uri}, args...)...)
		if want := outcome("virsh", append([]string{"-c", uri}, args...)...); got != want {
			t.Errorf("%s:\nvirtlxc:\n%s\nvirsh:\n%s", strings.Join(args, " "), got, want)
		}
	}
	want := "event 'lifecycle' for network iso: Defined\n" +
		"event 'lifecycle' for network iso: Started\n" +
		"event 'lifecycle' for network iso: Stopped\n" +
		"event 'lifecycle' for network iso: Undefined\n" +
		"event 'lifecycle' for network other: Undefined\n"
	if !strings.HasPrefix(allOut.String(), want) {
		t.Errorf("net-event printed:\n%s\nwant it to start with:\n%s", allOut, want)
	}
	if got := oneOut.String(); !strings.HasPrefix(got, "event 'lifecycle' for network other: Undefined\n") || strings.Contains(got, "network iso") {
		t.Errorf("net-event --network other printed:\n%s", got)
	}
	ns.assertOnly("lo")
}
