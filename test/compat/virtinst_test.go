package compat

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVirtInstall creates a container with Debian's virt-install
// (virtinst 4.1), as a user of libvirt's LXC driver would: it asks for the
// host's capabilities, builds its domain XML, defines and starts it. The
// container runs with what was asked, and goes as virsh takes it down.
func TestVirtInstall(t *testing.T) {
	e := setup(t)
	if _, err := exec.LookPath("virt-install"); err != nil {
		t.Fatalf("virt-install (virtinst) is needed: %v", err)
	}
	uri := "lxc:///system?socket=" + filepath.Join(e.root, "run/libvirt/virtlxcd-sock")
	out, err := exec.Command("virt-install", "--connect", uri, "--name", "vi1", "--memory", "64",
		"--filesystem", e.rootfs+",/", "--init", "/bin/sh", "--network", "none", "--noautoconsole").CombinedOutput()
	if err != nil {
		t.Fatalf("virt-install: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Domain creation completed.") {
		t.Errorf("virt-install printed:\n%s", out)
	}
	if got := e.out("domstate vi1 --reason"); got != "running (booted)" {
		t.Errorf("domstate: %q", got)
	}
	x := e.out("dumpxml vi1")
	for _, want := range []string{"<init>/bin/sh</init>", "<memory unit='KiB'>65536</memory>", "<source dir='" + e.rootfs + "'/>"} {
		if !strings.Contains(x, want) {
			t.Errorf("live XML lacks %s:\n%s", want, x)
		}
	}
	e.out("destroy vi1")
	e.out("undefine vi1")
	if got := e.out("list --all --name"); got != "" {
		t.Errorf("left: %q", got)
	}
}
