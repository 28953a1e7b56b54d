package plan

import (
	"errors"
	"testing"

	"virtlxc/internal/domainxml"

	"virtlxc/internal/virerr"
)

const consoleOnly = "<devices><console type='pty'/></devices>"

func TestSeccompFromMetadata(t *testing.T) {
	for _, tc := range []struct {
		name, meta string
		root       bool // declare the prefix on <domain>
		want       bool
	}{
		{"no metadata", "", false, true},
		{"other namespace only", "<metadata><app:x xmlns:app='http://example.org/app'><app:seccomp state='off'/></app:x></metadata>", false, true},
		{"security without seccomp", "<metadata><virtlxc:security xmlns:virtlxc='https://virtlxc.dev/xmlns/1.0'/></metadata>", false, true},
		{"on", "<metadata><virtlxc:security xmlns:virtlxc='https://virtlxc.dev/xmlns/1.0'><virtlxc:seccomp state='on'/></virtlxc:security></metadata>", false, true},
		{"off", "<metadata><virtlxc:security xmlns:virtlxc='https://virtlxc.dev/xmlns/1.0'><virtlxc:seccomp state='off'/></virtlxc:security></metadata>", false, false},
		{"off, other prefix", "<metadata><v:security xmlns:v='https://virtlxc.dev/xmlns/1.0'><v:seccomp state='off'/></v:security></metadata>", false, false},
		{"off, prefix declared on the root", "<metadata><virtlxc:security><virtlxc:seccomp state='off'/></virtlxc:security></metadata>", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d *domainxml.Domain
			if tc.root {
				d = parseRootNS(t, osInit+tc.meta+consoleOnly)
			} else {
				d = parse(t, osInit+tc.meta+consoleOnly)
			}
			c, err := Build(d, 0, Host{})
			if err != nil {
				t.Fatal(err)
			}
			if c.Seccomp != tc.want {
				t.Errorf("Seccomp = %v, want %v", c.Seccomp, tc.want)
			}
		})
	}
}

// parseRootNS parses body in a <domain> that declares the virtlxc prefix
// itself, as libvirt-written files may.
func parseRootNS(t *testing.T, body string) *domainxml.Domain {
	t.Helper()
	doc := "<domain type='lxc' xmlns:virtlxc='" + MetadataNS + "'><name>ns</name><memory>65536</memory>" + body + "</domain>"
	d, err := domainxml.Parse([]byte(doc), domainxml.Options{HostArch: "x86_64"})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return d
}

func TestSeccompMetadataInvalidState(t *testing.T) {
	d := parse(t, osInit+"<metadata><virtlxc:security xmlns:virtlxc='https://virtlxc.dev/xmlns/1.0'><virtlxc:seccomp state='maybe'/></virtlxc:security></metadata>"+consoleOnly)
	_, err := Build(d, 0, Host{})
	var ve *virerr.Error
	if !errors.As(err, &ve) || ve.Code != virerr.ErrXMLError {
		t.Fatalf("Build = %v, want an XML error", err)
	}
}

func TestPidsFromMetadata(t *testing.T) {
	const open = "<metadata><virtlxc:security xmlns:virtlxc='https://virtlxc.dev/xmlns/1.0'>"
	const end = "</virtlxc:security></metadata>"
	for _, tc := range []struct {
		name, meta string
		want       int64
		bad        bool
	}{
		{"no metadata", "", 0, false},
		{"security without pids", open + end, 0, false},
		{"pids", open + "<virtlxc:pids max='512'/>" + end, 512, false},
		{"pids beside seccomp, other prefix", "<metadata><v:security xmlns:v='https://virtlxc.dev/xmlns/1.0'><v:seccomp state='off'/><v:pids max=' 64 '/></v:security></metadata>", 64, false},
		{"other namespace", "<metadata><app:security xmlns:app='http://example.org/app'><app:pids max='x'/></app:security></metadata>", 0, false},
		{"zero", open + "<virtlxc:pids max='0'/>" + end, 0, true},
		{"negative", open + "<virtlxc:pids max='-1'/>" + end, 0, true},
		{"word", open + "<virtlxc:pids max='max'/>" + end, 0, true},
		{"missing", open + "<virtlxc:pids/>" + end, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := parse(t, osInit+tc.meta+consoleOnly)
			r, err := SecurityFromMetadata(d)
			_, berr := Build(d, 0, Host{})
			if tc.bad {
				var ve *virerr.Error
				if !errors.As(err, &ve) || ve.Code != virerr.ErrXMLError || !errors.As(berr, &ve) {
					t.Fatalf("SecurityFromMetadata = %v, Build = %v, want XML errors", err, berr)
				}
				return
			}
			if err != nil || berr != nil {
				t.Fatalf("SecurityFromMetadata = %v, Build = %v", err, berr)
			}
			if r.PidsMax != tc.want {
				t.Errorf("PidsMax = %d, want %d", r.PidsMax, tc.want)
			}
		})
	}
}
