package network

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"virtlxc/internal/virerr"
)

// TestParseAsLibvirt defines each testdata/parse/NAME.xml as libvirt 9.0's
// network driver took it (virNetworkDefineXML on this machine kind,
// 2026-11-29): NAME.want is "ok", or the error's code, domain and message.
func TestParseAsLibvirt(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "parse", "*.xml"))
	if err != nil || len(inputs) < 50 {
		t.Fatalf("%d recorded networks: %v", len(inputs), err)
	}
	for _, in := range inputs {
		base := strings.TrimSuffix(in, ".xml")
		data, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(base + ".want")
		if err != nil {
			t.Fatal(err)
		}
		got := "ok"
		if _, err := Parse(data); err != nil {
			var e *virerr.Error
			if !errors.As(err, &e) {
				t.Errorf("%s: not a libvirt error: %v", filepath.Base(base), err)
				continue
			}
			got = fmt.Sprintf("%d %d %s", e.Code, e.Domain, e.Error())
		}
		if w := strings.TrimSuffix(string(want), "\n"); got != w {
			t.Errorf("%s:\n got  %s\n want %s", filepath.Base(base), got, w)
		}
	}
}
