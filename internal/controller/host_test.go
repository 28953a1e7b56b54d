package controller

import (
	"testing"

	"virtlxc/internal/spec"
)

// TestBindCgroupRoots: each v1 hierarchy gets the joined directory below
// its own mount (not one below a mount whose path it prefixes), links and
// the unified hierarchy keep their fresh mounts.
func TestBindCgroupRoots(t *testing.T) {
	mounts := []spec.CgroupMount{
		{Target: "/sys/fs/cgroup/cpu", Link: "cpu,cpuacct"},
		{Target: "/sys/fs/cgroup/cpu,cpuacct", Options: "cpu,cpuacct"},
		{Target: "/sys/fs/cgroup/devices", Options: "devices"},
		{Target: "/sys/fs/cgroup/memory", Options: "memory"},
		{Target: "/sys/fs/cgroup/unified", V2: true},
	}
	joined := []string{
		"/sys/fs/cgroup/cpu,cpuacct/machine/c.libvirt-lxc",
		"/sys/fs/cgroup/devices/machine/c.libvirt-lxc/payload",
	}
	bindCgroupRoots(mounts, joined)
	want := []string{"", joined[0], joined[1], "", ""}
	for i, m := range mounts {
		if m.Source != want[i] {
			t.Errorf("%s: Source %q, want %q", m.Target, m.Source, want[i])
		}
	}
}
