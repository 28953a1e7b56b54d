package network

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// outcome runs a CLI and returns its combined output and exit status.
func outcome(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		return err.Error()
	}
	return string(out) + "rc=" + strconv.Itoa(code)
}

// TestNetCommandsMatchVirsh runs the net-* commands through the real
// virsh and through virtlxc against the same daemon (in the test
// namespace) and compares their output. A state-changing command is run
// by virsh, undone, then run by virtlxc.
func TestNetCommandsMatchVirsh(t *testing.T) {
	if _, err := exec.LookPath("virsh"); err != nil {
		t.Skip("virsh (libvirt-clients) is not installed")
	}
	ns := newNS(t)
	bin, root, sock := ns.daemon()
	uri := "lxc:///system?socket=" + sock
	virsh := func(args ...string) string { return outcome("virsh", append([]string{"-c", uri}, args...)...) }
	ours := func(args ...string) string {
		return outcome(filepath.Join(bin, "virtlxc"), append([]string{"-c", uri}, args...)...)
	}
	compare := func(args []string, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s:\nvirtlxc:\n%s\nvirsh:\n%s", strings.Join(args, " "), got, want)
		}
	}
	both := func(args ...string) {
		t.Helper()
		compare(args, ours(args...), virsh(args...))
	}
	// change runs a state-changing command through virsh, undoes it, then
	// runs it through virtlxc.
	change := func(undo []string, args ...string) {
		t.Helper()
		want := virsh(args...)
		mustVirsh(t, sock, undo...)
		compare(args, ours(args...), want)
	}
	iso := filepath.Join(root, "iso.xml")
	routed := filepath.Join(root, "routed.xml")
	files := map[string]string{iso: isoNetXML, routed: `<network>
  <name>Routed</name>
  <uuid>0f4d2b5c-9d1e-4a57-9c55-2a6f0a1b2c3d</uuid>
  <forward mode='route'/>
  <ip address='10.98.0.1' prefix='24'/>
</network>
`}
	for f, x := range files {
		if err := os.WriteFile(f, []byte(x), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	mustVirsh(t, sock, "net-define", routed)
	change([]string{"net-undefine", "iso"}, "net-define", iso)
	change([]string{"net-destroy", "iso"}, "net-start", "iso")
	change([]string{"net-autostart", "iso", "--disable"}, "net-autostart", "iso")
	for _, args := range [][]string{
		{"net-list"}, {"net-list", "--all"}, {"net-list", "--inactive"}, {"net-list", "--all", "--name"},
		{"net-list", "--all", "--uuid"}, {"net-list", "--name", "--uuid"}, {"net-list", "--table", "--name"},
		{"net-list", "--autostart"}, {"net-list", "--all", "--no-autostart"}, {"net-list", "--transient"},
		{"-q", "net-list", "--all"}, {"net-info", "iso"}, {"net-info", "Routed"},
		{"net-info", "0f4d2b5c-9d1e-4a57-9c55-2a6f0a1b2c3d"}, {"net-dumpxml", "Routed"},
		{"net-dumpxml", "iso"}, {"net-dumpxml", "--inactive", "iso"}, {"net-dumpxml", "iso", "--xpath", "//ip"},
		{"net-info", "nosuch"}, {"net-start", "nosuch"}, {"net-dumpxml", "nosuch"},
		{"net-start", "iso"}, {"net-destroy", "Routed"}, {"net-define", "/nonexistent.xml"},
		{"net-uuid", "Routed"}, {"net-uuid", "nosuch"}, {"net-uuid", "0f4d2b5c-9d1e-4a57-9c55-2a6f0a1b2c3d"},
		{"net-name", "0f4d2b5c-9d1e-4a57-9c55-2a6f0a1b2c3d"}, {"net-name", "Routed"},
		{"net-name", "0f4d2b5c-9d1e-4a57-9c55-2a6f0a1b2c3e"}, {"net-create", "/nonexistent.xml"},
	} {
		both(args...)
	}
	// A transient network: created running, gone once destroyed.
	tmp := filepath.Join(root, "tmp.xml")
	if err := os.WriteFile(tmp, []byte("<network><name>tmpnet</name><bridge name='vltmpbr0'/></network>\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	change([]string{"net-destroy", "tmpnet"}, "net-create", tmp)
	both("net-info", "tmpnet")
	change([]string{"net-create", tmp}, "net-destroy", "tmpnet")
	both("net-info", "tmpnet")
	change([]string{"net-autostart", "iso"}, "net-autostart", "iso", "--disable")
	change([]string{"net-start", "iso"}, "net-destroy", "iso")
	change([]string{"net-define", iso}, "net-undefine", "iso")
	mustVirsh(t, sock, "net-undefine", "Routed")
	ns.assertOnly("lo")
}
