package cgroups

import (
	"strings"
	"testing"
)

func ruleLines(rules []*DeviceRule) []string {
	var out []string
	for _, r := range rules {
		file, line := V1Write(r)
		out = append(out, file+" "+line)
	}
	return out
}

var defaultACL = []string{
	"devices.allow c 1:3 rwm",
	"devices.allow c 1:5 rwm",
	"devices.allow c 1:7 rwm",
	"devices.allow c 1:8 rwm",
	"devices.allow c 1:9 rwm",
	"devices.allow c 5:0 rwm",
	"devices.allow c 5:2 rwm",
	"devices.allow c 10:229 rwm",
}

func TestDeviceRulesDefault(t *testing.T) {
	got := ruleLines(DeviceRules(DevicePolicy{}))
	want := append(append([]string{"devices.deny a"}, defaultACL...), "devices.allow c 136:* rwm")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("default ACL:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, l := range got {
		if strings.Contains(l, " 5:1 ") {
			t.Errorf("/dev/console allowed: %s", l)
		}
	}
}

func TestDeviceRulesFull(t *testing.T) {
	hostdev, err := HostdevRule('c', 189, 1, "rwm")
	if err != nil {
		t.Fatal(err)
	}
	rules := DeviceRules(DevicePolicy{
		Mknod: true,
		Extra: []*DeviceRule{DiskRule(8, 0, true), DiskRule(8, 16, false),
			BlockFilesystemRule(7, 1, true), BlockFilesystemRule(7, 2, false), hostdev},
		Timers: []*DeviceRule{TimerRule(252, 0), TimerRule(10, 228)},
	})
	want := []string{"devices.deny a", "devices.allow b *:* m", "devices.allow c *:* m"}
	want = append(want, defaultACL...)
	want = append(want,
		"devices.allow b 8:0 rm",
		"devices.allow b 8:16 rwm",
		"devices.allow b 7:1 r",
		"devices.allow b 7:2 rw",
		"devices.allow c 189:1 rwm",
		"devices.allow c 136:* rwm",
		"devices.allow c 252:0 r",
		"devices.allow c 10:228 r",
	)
	if got := ruleLines(rules); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ACL:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestHostdevRule(t *testing.T) {
	r, err := HostdevRule('b', 8, -1, "wr")
	if err != nil || r.CgroupString() != "b 8:* rw" || !r.Allow {
		t.Errorf("HostdevRule('b', 8, -1, \"wr\") = %v, %v", r, err)
	}
	bad := []struct {
		typ          byte
		major, minor int64
		perms        string
	}{
		{'a', 1, 1, "rwm"},
		{'p', 1, 1, "rwm"},
		{'c', -2, 1, "rwm"},
		{'c', 1, 1, ""},
		{'c', 1, 1, "rwx"},
	}
	for _, b := range bad {
		if _, err := HostdevRule(b.typ, b.major, b.minor, b.perms); err == nil {
			t.Errorf("HostdevRule(%q, %d, %d, %q) accepted", b.typ, b.major, b.minor, b.perms)
		}
	}
}
