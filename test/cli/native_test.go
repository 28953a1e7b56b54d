package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"virtlxc/internal/testutil"
)

// TestDomXMLFromNativeMatchesVirsh converts libvirt's LXC configuration
// test data and some refused configurations through both clients.
func TestDomXMLFromNativeMatchesVirsh(t *testing.T) {
	d := startDaemon(t)
	dir := filepath.Join(testutil.ConformanceDir(t), "lxcconf2xml")
	configs, _ := filepath.Glob(filepath.Join(dir, "*.config"))
	if len(configs) == 0 {
		t.Fatalf("no configurations in %s", dir)
	}
	for _, c := range configs {
		r := d.both(t, "domxml-from-native", "lxc-tools", c)
		if !strings.Contains(c, "fstab") && (r.rc != 0 || !strings.Contains(r.stdout, "<domain type='lxc'>")) {
			t.Errorf("%s: %s", c, r)
		}
	}
	d.writeFile("bad.config", "lxc.utsname = a\nlxc.rootfs = /r\nlxc.network.type = veth\nlxc.network.ipv4 = 1.2.3.4\n")
	d.writeFile("none.config", "# nothing\n")
	d.writeFile("syntax.config", "lxc.utsname = a\n 1x = 3\n")
	d.writeFile("ok.config", "lxc.utsname = a\nlxc.rootfs = /r\n")
	for _, args := range [][]string{
		{"domxml-from-native", "lxc-tools", "bad.config"},
		{"domxml-from-native", "lxc-tools", "none.config"},
		{"domxml-from-native", "lxc-tools", "syntax.config"},
		{"domxml-from-native", "qemu-argv", "ok.config"},
		{"domxml-from-native", "lxc-tools", "/nonexistent/x.config"},
		{"domxml-from-native", "lxc-tools"},
		{"-r", "domxml-from-native", "lxc-tools", "ok.config"},
	} {
		d.both(t, args...)
	}
	// The LXC driver has no XML-to-native conversion.
	if r := d.virsh("domxml-to-native", "lxc-tools", "--xml", "ok.config"); !strings.Contains(r.stderr,
		"error: this function is not supported by the connection driver: virConnectDomainXMLToNative") {
		t.Errorf("domxml-to-native: %s", r)
	}
	// What comes out defines and starts as it is.
	r := d.virtlxc("domxml-from-native", "lxc-tools", "ok.config")
	if err := os.WriteFile(filepath.Join(d.root, "ok.xml"), []byte(strings.Replace(r.stdout, "<source dir='/r'/>", "<source dir='/'/>", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := d.virtlxc("define", "ok.xml"); r.rc != 0 {
		t.Fatalf("the converted definition does not define: %s", r)
	}
}
