package cgroups

import (
	"strings"
	"testing"
)

func TestGroupPath(t *testing.T) {
	cases := []struct {
		partition, scope, name, want string
	}{
		{"", "", "web", "/machine/web.libvirt-lxc"},
		{"/machine", "", "web", "/machine/web.libvirt-lxc"},
		{"/machine/", "", "web", "/machine/web.libvirt-lxc"},
		// Names that could clash with control files get a '_' prefix.
		{"", "", "cpu", "/machine/_cpu.libvirt-lxc"},
		{"", "", "memory", "/machine/_memory.libvirt-lxc"},
		{"", "", "cgroup", "/machine/_cgroup.libvirt-lxc"},
		{"", "", "_x", "/machine/__x.libvirt-lxc"},
		{"", "", ".hidden", "/machine/_.hidden.libvirt-lxc"},
		{"", "", "cpux", "/machine/cpux.libvirt-lxc"},
		// Partition components other than a top-level machine/system/user
		// get ".partition" unless they already have a dot.
		{"/machine/tenant", "", "web", "/machine/tenant.partition/web.libvirt-lxc"},
		{"/production/web", "", "db", "/production.partition/web.partition/db.libvirt-lxc"},
		{"/system/foo", "", "a", "/system/foo.partition/a.libvirt-lxc"},
		{"/user", "", "a", "/user/a.libvirt-lxc"},
		{"/a.b", "", "a", "/a.b/a.libvirt-lxc"},
		{"/cgroup.x", "", "a", "/_cgroup.x/a.libvirt-lxc"},
		{"/memory.x", "", "a", "/_memory.x/a.libvirt-lxc"},
		{"/", "", "a", "/a.libvirt-lxc"},
		// The scope is one more partition component.
		{"", "t1", "web", "/machine/t1.partition/web.libvirt-lxc"},
		{"/virtlxc-test-123", "", "c1", "/virtlxc-test-123.partition/c1.libvirt-lxc"},
	}
	for _, c := range cases {
		got, err := Naming{Partition: c.partition, Scope: c.scope}.GroupPath(c.name)
		if err != nil || got != c.want {
			t.Errorf("GroupPath(%q, scope %q, %q) = %q, %v; want %q", c.partition, c.scope, c.name, got, err, c.want)
		}
	}
}

func TestGroupPathErrors(t *testing.T) {
	cases := []struct {
		n    Naming
		name string
		want string
	}{
		{Naming{Partition: "machine"}, "a", "resource partition 'machine' must start with '/'"},
		{Naming{}, "a/b", "invalid domain name"},
		{Naming{}, "", "invalid domain name"},
		{Naming{Scope: "x/y"}, "a", "single path component"},
		{Naming{Scope: ".."}, "a", "single path component"},
	}
	for _, c := range cases {
		_, err := c.n.GroupPath(c.name)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("GroupPath(%+v, %q): got %v, want error containing %q", c.n, c.name, err, c.want)
		}
	}
	if _, err := NewManager(&Layout{}, Naming{Partition: "rel"}, nil); err == nil {
		t.Error("NewManager accepted a relative partition")
	}
}

func TestMachineName(t *testing.T) {
	for _, c := range []struct {
		id         int
		name, want string
	}{
		{1234, "anchor-basic", "lxc-1234-anchor-basic"},
		{7, "a_b.c--d.", "lxc-7-ab.c-d"},
		{7, "-x", "lxc-7-x"},
		{99, strings.Repeat("n", 100), "lxc-99-" + strings.Repeat("n", 57)},
	} {
		if got := MachineName(c.id, c.name); got != c.want {
			t.Errorf("MachineName(%d, %q) = %q, want %q", c.id, c.name, got, c.want)
		}
	}
}

// TestUnifiedRel: on a hybrid host a container's unified directory is
// named after its controller's pid alone; v1 hierarchies, pure v2 hosts
// and names that are not machine names keep the group path.
func TestUnifiedRel(t *testing.T) {
	v1 := &Hierarchy{Version: 1, Mount: "/sys/fs/cgroup/cpu"}
	v2 := &Hierarchy{Version: 2, Mount: "/sys/fs/cgroup/unified"}
	hybrid := &Layout{Mode: ModeHybrid, V1: []*Hierarchy{v1}, V2: v2}
	pure := &Layout{Mode: ModeV2, V2: v2}
	for _, c := range []struct {
		l    *Layout
		h    *Hierarchy
		rel  string
		want string
	}{
		{hybrid, v2, "/machine/lxc-42-web.libvirt-lxc", "/machine/lxc-42.libvirt-lxc"},
		{hybrid, v2, "/machine/a.partition/lxc-7-x-y.libvirt-lxc", "/machine/a.partition/lxc-7.libvirt-lxc"},
		{hybrid, v1, "/machine/lxc-42-web.libvirt-lxc", "/machine/lxc-42-web.libvirt-lxc"},
		{pure, v2, "/machine/lxc-42-web.libvirt-lxc", "/machine/lxc-42-web.libvirt-lxc"},
		{hybrid, v2, "/machine/web.libvirt-lxc", "/machine/web.libvirt-lxc"},
		{hybrid, v2, "/machine/lxc-42.libvirt-lxc", "/machine/lxc-42.libvirt-lxc"}, // SpareName's
		{hybrid, v2, "/machine/lxc-x1-web.libvirt-lxc", "/machine/lxc-x1-web.libvirt-lxc"},
		{hybrid, v2, "/machine/lxc-42-web.libvirt-qemu", "/machine/lxc-42-web.libvirt-qemu"},
	} {
		if got := c.l.UnifiedRel(c.h, c.rel); got != c.want {
			t.Errorf("UnifiedRel(%s v%d, %q) = %q, want %q", c.l.Mode, c.h.Version, c.rel, got, c.want)
		}
	}
}
