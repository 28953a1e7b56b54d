package security

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// customXML is a domain with the given <os> content, top-level extra
// XML and <devices> content.
func customXML(name, osBody, extra, devices string) string {
	return fmt.Sprintf(`<domain type='lxc'>
  <name>%s</name>
  <memory unit='MiB'>96</memory>
  <os><type>exe</type>%s</os>
  %s
  <devices>
%s    <console type='pty'/>
  </devices>
</domain>
`, name, osBody, extra, devices)
}

// userXML is a private-root domain whose init runs script as uid 1000,
// with the given <features> block.
func userXML(name, root, script, features string) string {
	return customXML(name, `<init>/bin/sh</init><initarg>-c</initarg><initarg>`+xmlEscape(script)+
		`</initarg><inituser>1000</inituser><initgroup>1000</initgroup>`, features, rootFS(root, false))
}

// Under <capabilities policy='deny'/> init runs with no_new_privs: a
// setuid-root binary started by uid 1000 keeps euid 1000. Under the
// default policy (libvirt's behaviour, setuid tools work) the same binary
// gets euid 0, which shows the test's setuid binary works.
func TestNoNewPrivsUnderDenyPolicy(t *testing.T) {
	for _, tc := range []struct {
		name, features, nnp, euid string
	}{
		{"nnp-deny", "<features><capabilities policy='deny'/></features>", "1", "1000"},
		{"nnp-default", "", "0", "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := busyboxRoot(t)
			a := inRoot(t, root)
			if err := os.Chmod(filepath.Join(root, a), 0o755|os.ModeSetuid); err != nil {
				t.Fatal(err)
			}
			script := `grep NoNewPrivs /proc/self/status | sed 's/^/@@/;s/:\t/=/'; ` + a + ` ids; echo @@done=1`
			v := run(t, tc.name, userXML(tc.name, root, script, tc.features))
			if v["uid"] != "1000" {
				t.Fatalf("the setuid binary ran as uid %q, want 1000", v["uid"])
			}
			if v["NoNewPrivs"] != tc.nnp {
				t.Errorf("NoNewPrivs = %q, want %s", v["NoNewPrivs"], tc.nnp)
			}
			if v["euid"] != tc.euid {
				t.Errorf("euid of a setuid-root binary run by uid 1000: %q, want %s", v["euid"], tc.euid)
			}
		})
	}
}
