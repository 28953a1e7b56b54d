package domainxml

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds the parser hostile documents: it must never panic, hang or
// blow up memory, and whatever it accepts must format and re-parse to the
// same text.
func FuzzParse(f *testing.F) {
	dir := corpusDir(f)
	files, _ := filepath.Glob(filepath.Join(dir, "lxcxml2xml", "*.xml"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(strings.Repeat("<a>", 100000)))
	f.Add([]byte(`<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><domain type='lxc'>&b;</domain>`))
	f.Add([]byte(`<domain type='lxc'><name>` + strings.Repeat("x", 1<<16) + `</name></domain>`))
	f.Add([]byte(`<domain type='lxc' xmlns:lxc='http://libvirt.org/schemas/domain/lxc/1.0' xmlns:m='urn:m'>
  <name>f</name><memory unit='MiB'>64</memory><currentMemory>1</currentMemory><vcpu cpuset='0-3'>2</vcpu>
  <metadata><m:a x='1'><m:b>t</m:b></m:a><n:c xmlns:n='urn:n'/></metadata>
  <cputune><shares>1024</shares><period>100000</period><quota>-1</quota></cputune>
  <os><type>exe</type><init>/sbin/init</init><initarg>a</initarg><initenv name='A'>b</initenv></os>
  <idmap><uid start='0' target='1000' count='10'/><gid start='0' target='1000' count='10'/></idmap>
  <features><privnet/><capabilities policy='deny'><mknod state='on'/></capabilities></features>
  <clock offset='localtime' adjustment='5'/>
  <devices>
    <filesystem type='ram'><source usage='1' units='MiB'/><target dir='/m'/></filesystem>
    <interface type='ethernet'><mac address='52:54:00:00:00:01'/><target dev='vnet1'/><link state='up'/></interface>
    <console type='pty'><target port='3'/></console>
  </devices>
  <lxc:namespace><lxc:sharenet type='none' value='x'/><lxc:shareuts type='name' value='y'/></lxc:namespace>
</domain>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		Parse(data, Options{HostArch: "x86_64", Validate: true}) // must not panic either
		d, err := Parse(data, Options{HostArch: "x86_64"})
		if time.Since(start) > 2*time.Second {
			t.Fatalf("parse took %v", time.Since(start))
		}
		if err != nil {
			return
		}
		out, err := Format(d)
		if err != nil {
			t.Fatalf("accepted document does not format: %v", err)
		}
		d2, err := Parse(out, Options{HostArch: "x86_64"})
		if err != nil {
			t.Fatalf("formatted output does not re-parse: %v\n%s", err, out)
		}
		out2, err := Format(d2)
		if err != nil || string(out2) != withoutEmptyNamespace(string(out)) {
			t.Fatalf("format is not a fixed point:\n%s\n---\n%s", out, out2)
		}
	})
}

// withoutEmptyNamespace is what libvirt makes of its own output for a
// definition whose <lxc:namespace> entries were all of type 'none': the
// element, printed empty, has no entries when read back and goes away with
// the root's declaration of the lxc prefix.
func withoutEmptyNamespace(out string) string {
	const empty = "  <lxc:namespace>\n  </lxc:namespace>\n"
	if !strings.Contains(out, empty) {
		return out
	}
	out = strings.Replace(out, empty, "", 1)
	return strings.Replace(out, " xmlns:lxc='"+LXCNamespaceURI+"'", "", 1)
}
