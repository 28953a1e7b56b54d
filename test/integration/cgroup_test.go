package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/monitor"
)

// TestCgroupLimitsOnHost checks the limits the host applies to a running
// container, file by file.
func TestCgroupLimitsOnHost(t *testing.T) {
	tune := `<memtune><hard_limit unit='MiB'>80</hard_limit><soft_limit unit='MiB'>40</soft_limit><swap_hard_limit unit='MiB'>120</swap_hard_limit></memtune>
<cputune><shares>512</shares><period>100000</period><quota>50000</quota></cputune>`
	c := start(t, "limits", domainXML("limits", "/bin/sh", []string{"-c", "trap 'exit 0' TERM; echo @@ready=1; while true; do sleep 0.05; done"}, "", tune))
	c.waitLog("@@ready=1")
	pid, err := os.ReadFile(c.Layout.PidFile("limits"))
	if err != nil {
		t.Fatal(err)
	}
	// The group is named after the controller's pid (the domain id), as
	// libvirt names it: lxc-<id>-<name>.libvirt-lxc.
	group := "machine/" + scope + ".partition/lxc-" + strings.TrimSpace(string(pid)) + "-limits.libvirt-lxc"
	want := map[string]string{
		"memory/memory.limit_in_bytes":       "83886080",
		"memory/memory.soft_limit_in_bytes":  "41943040",
		"memory/memory.memsw.limit_in_bytes": "125829120",
		"cpu/cpu.shares":                     "512",
		"cpu/cpu.cfs_period_us":              "100000",
		"cpu/cpu.cfs_quota_us":               "50000",
	}
	for file, w := range want {
		ctrl, name := filepath.Split(file)
		p := filepath.Join("/sys/fs/cgroup", ctrl, group, name)
		b, err := os.ReadFile(p)
		if err != nil {
			if os.IsNotExist(err) && strings.Contains(name, "memsw") {
				t.Logf("skipping %s: the kernel has no swap accounting", name)
				continue
			}
			t.Errorf("%s: %v", p, err)
			continue
		}
		if got := strings.TrimSpace(string(b)); got != w {
			t.Errorf("%s = %s, want %s", p, got, w)
		}
	}
	devices, err := os.ReadFile(filepath.Join("/sys/fs/cgroup/devices", group, "devices.list"))
	if err != nil {
		t.Fatal(err)
	}
	wantRules := []string{"c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 10:229 rwm", "c 136:* rwm"}
	got := strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(devices)), "\n", " | "))
	gotRules := strings.Split(strings.Join(got, " "), " | ")
	if strings.Join(gotRules, ",") != strings.Join(wantRules, ",") {
		t.Errorf("devices.list\n got %q\nwant %q", gotRules, wantRules)
	}
	c.call(monitor.Request{Op: monitor.OpShutdown, Mode: "signal"})
	c.wait(10 * time.Second)
}
