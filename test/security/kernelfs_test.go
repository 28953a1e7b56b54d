package security

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// readHost returns the trimmed content of a host file ("<absent>" when it
// does not exist).
func readHost(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "<absent>"
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// tryWrite is a shell line that writes value to path and prints
// @@key=ok or @@key=denied.
func tryWrite(key, value, path string) string {
	return `if echo ` + value + ` > ` + path + ` 2>/dev/null; then echo @@` + key + `=ok; else echo @@` + key + `=denied; fi;`
}

// Writes to the kernel's knobs from a container sharing the host's
// network namespace fail: /proc/sys and /sys are read-only, and so is
// /proc/sysrq-trigger; the host's values stay as they were.
func TestKernelKnobWrites(t *testing.T) {
	knobs := []struct{ key, path, value string }{
		{"procsys", "/proc/sys/kernel/printk_ratelimit", ""},
		{"procsysnet", "/proc/sys/net/ipv4/ip_forward", ""},
		{"sysmtu", "/sys/class/net/lo/mtu", ""},
		{"ueventhelper", "/sys/kernel/uevent_helper", "/tmp/virtlxc-evil-helper"},
	}
	before := map[string]string{}
	script := tryWrite("sysrq", "h", "/proc/sysrq-trigger")
	for i, k := range knobs {
		before[k.key] = readHost(t, k.path)
		if k.value == "" { // a different number
			n, _ := strconv.Atoi(before[k.key])
			knobs[i].value = strconv.Itoa(n ^ 1)
		}
		script += tryWrite(k.key, knobs[i].value, k.path)
	}
	v := run(t, "knobs", domainXML("knobs", script+" echo @@done=1", "", ""))
	if v["sysrq"] != "denied" {
		t.Errorf("write to /proc/sysrq-trigger: %s", v["sysrq"])
	}
	for _, k := range knobs {
		if v[k.key] != "denied" {
			t.Errorf("write to %s: %s", k.path, v[k.key])
		}
		if after := readHost(t, k.path); after != before[k.key] {
			t.Errorf("host %s changed from %q to %q", k.path, before[k.key], after)
		}
	}
}
