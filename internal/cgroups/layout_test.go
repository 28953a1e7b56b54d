package cgroups

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// loadLayout parses testdata/<name>.mountinfo and .cgroup; every cgroup2
// mount's cgroup.controllers reads as v2ctrls.
func loadLayout(t *testing.T, name, v2ctrls string) *Layout {
	t.Helper()
	mi, err := os.Open(filepath.Join("testdata", name+".mountinfo"))
	if err != nil {
		t.Fatal(err)
	}
	defer mi.Close()
	cg, err := os.Open(filepath.Join("testdata", name+".cgroup"))
	if err != nil {
		t.Fatal(err)
	}
	defer cg.Close()
	l, err := ParseLayout(mi, cg, func(path string) ([]byte, error) {
		if filepath.Base(path) != "cgroup.controllers" {
			t.Errorf("unexpected read of %s", path)
		}
		return []byte(v2ctrls + "\n"), nil
	})
	if err != nil {
		t.Fatalf("ParseLayout(%s): %v", name, err)
	}
	return l
}

// mountOf returns the mount point serving c and its version, or "".
func mountOf(l *Layout, c Controller) (string, int) {
	h, ok := l.Hierarchy(c)
	if !ok {
		return "", 0
	}
	return h.Mount, h.Version
}

func TestDetectV1(t *testing.T) {
	l := loadLayout(t, "v1-debian10", "")
	if l.Mode != ModeV1 || l.V2 != nil {
		t.Fatalf("mode %v, v2 %v; want v1 without unified", l.Mode, l.V2)
	}
	want := map[Controller]string{
		CPU: "/sys/fs/cgroup/cpu,cpuacct", CPUAcct: "/sys/fs/cgroup/cpu,cpuacct",
		CPUSet: "/sys/fs/cgroup/cpuset", Memory: "/sys/fs/cgroup/memory",
		Devices: "/sys/fs/cgroup/devices", Freezer: "/sys/fs/cgroup/freezer",
		Blkio: "/sys/fs/cgroup/blkio", Pids: "/sys/fs/cgroup/pids",
	}
	for c, mount := range want {
		if got, v := mountOf(l, c); got != mount || v != 1 {
			t.Errorf("%s: got %s v%d, want %s v1", c, got, v, mount)
		}
	}
	var dirs []string
	for _, h := range l.groupHierarchies() {
		dirs = append(dirs, filepath.Base(h.Mount))
	}
	// Named (systemd), rdma and hugetlb hierarchies get no directory.
	wantDirs := []string{"cpu,cpuacct", "net_cls,net_prio", "memory", "blkio", "devices", "freezer", "cpuset", "pids", "perf_event"}
	if !slices.Equal(dirs, wantDirs) {
		t.Errorf("group hierarchies %v, want %v", dirs, wantDirs)
	}
	h, _ := l.Hierarchy(Memory)
	if h.Self != "/system.slice/libvirtd.service" || h.Root != "/" {
		t.Errorf("memory self %q root %q", h.Self, h.Root)
	}
	if !l.V1[0].Named() || l.V1[0].Controllers[0] != "name=systemd" {
		t.Errorf("first hierarchy %+v, want the named systemd one", l.V1[0])
	}
}

func TestDetectV2(t *testing.T) {
	l := loadLayout(t, "v2-debian12", "cpuset cpu io memory hugetlb pids rdma misc")
	if l.Mode != ModeV2 || len(l.V1) != 0 || l.V2 == nil {
		t.Fatalf("mode %v, %d v1 hierarchies; want pure v2", l.Mode, len(l.V1))
	}
	if l.V2.Self != "/system.slice/virtlxcd.service" {
		t.Errorf("v2 self %q", l.V2.Self)
	}
	for _, c := range []Controller{CPU, CPUAcct, CPUSet, Memory, Devices, Freezer, Blkio, Pids} {
		if got, v := mountOf(l, c); got != "/sys/fs/cgroup" || v != 2 {
			t.Errorf("%s: got %s v%d, want /sys/fs/cgroup v2", c, got, v)
		}
	}
	l = loadLayout(t, "v2-debian12", "memory pids") // cpu, cpuset, io not delegated
	for _, c := range []Controller{CPU, CPUSet, Blkio} {
		if l.Has(c) {
			t.Errorf("%s available without being in cgroup.controllers", c)
		}
	}
}

// TestDetectHybridHost uses this machine's real mountinfo: every
// controller is v1, the unified hierarchy only has hugetlb, and must be
// used for nothing but process tracking (cgroup.kill).
func TestDetectHybridHost(t *testing.T) {
	l := loadLayout(t, "hybrid-host", "hugetlb")
	if l.Mode != ModeHybrid || l.V2 == nil || l.V2.Mount != "/sys/fs/cgroup/unified" {
		t.Fatalf("mode %v, v2 %+v; want hybrid with unified at /sys/fs/cgroup/unified", l.Mode, l.V2)
	}
	for _, c := range []Controller{CPU, CPUAcct, CPUSet, Memory, Devices, Freezer, Blkio, Pids} {
		if got, v := mountOf(l, c); got != "/sys/fs/cgroup/"+string(c) || v != 1 {
			t.Errorf("%s: got %s v%d, want v1 /sys/fs/cgroup/%s", c, got, v, c)
		}
	}
	h, _ := l.Hierarchy(Memory)
	if h.Self != "/process_api/b1f4cf8aa613068a8bc943e92aec3720" {
		t.Errorf("memory self %q", h.Self)
	}
	hs := l.groupHierarchies()
	if last := hs[len(hs)-1]; last != l.V2 || len(hs) != 9 {
		t.Errorf("got %d group hierarchies ending in %s; want 8 v1 + unified", len(hs), last.Mount)
	}
}

func TestDetectHybridSystemd(t *testing.T) {
	l := loadLayout(t, "hybrid-ubuntu20", "")
	if l.Mode != ModeHybrid {
		t.Fatalf("mode %v, want hybrid", l.Mode)
	}
	if got, v := mountOf(l, CPUAcct); got != "/sys/fs/cgroup/cpu,cpuacct" || v != 1 {
		t.Errorf("cpuacct: %s v%d", got, v)
	}
	if l.V2.Self != "/system.slice/libvirtd.service" || len(l.V2.Controllers) != 0 {
		t.Errorf("unified %+v", l.V2)
	}
}

// TestDetectHybridV2Only: a controller that only the unified hierarchy
// has is used there, all others stay on v1.
func TestDetectHybridV2Only(t *testing.T) {
	mi := strings.Join([]string{
		`33 24 0:27 / /sys/fs/cgroup ro - tmpfs tmpfs ro,mode=755`,
		`34 33 0:28 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw`,
		`38 33 0:32 / /sys/fs/cgroup/cpu\040and\040acct rw - cgroup cgroup rw,cpu,cpuacct`,
		`39 33 0:33 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory`,
		`40 33 0:33 /sub /mnt/memsub rw - cgroup cgroup rw,memory`,
	}, "\n")
	l, err := ParseLayout(strings.NewReader(mi), strings.NewReader("3:cpu,cpuacct:/\n2:memory:/\n0::/\n"),
		func(string) ([]byte, error) { return []byte("pids memory io\n"), nil })
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		c     Controller
		mount string
		v     int
	}{
		{CPU, "/sys/fs/cgroup/cpu and acct", 1},
		{Memory, "/sys/fs/cgroup/memory", 1},
		{Pids, "/sys/fs/cgroup/unified", 2},
		{Blkio, "/sys/fs/cgroup/unified", 2},
		{Freezer, "/sys/fs/cgroup/unified", 2},
		{Devices, "/sys/fs/cgroup/unified", 2},
		{CPUSet, "", 0},
	}
	for _, c := range checks {
		if got, v := mountOf(l, c.c); got != c.mount || v != c.v {
			t.Errorf("%s: got %q v%d, want %q v%d", c.c, got, v, c.mount, c.v)
		}
	}
	if len(l.V1) != 2 {
		t.Errorf("the subtree bind mount of memory was counted: %d v1 hierarchies", len(l.V1))
	}
}

func TestDetectErrors(t *testing.T) {
	_, err := ParseLayout(strings.NewReader("22 27 0:21 / /proc rw - proc proc rw\n"), nil, nil)
	if !errors.Is(err, ErrNoCgroups) {
		t.Errorf("no cgroup mounts: got %v, want ErrNoCgroups", err)
	}
	_, err = ParseLayout(strings.NewReader("garbage - \n"), nil, nil)
	if err == nil {
		t.Error("malformed mountinfo accepted")
	}
	mi := "34 33 0:28 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
	_, err = ParseLayout(strings.NewReader(mi), nil, func(string) ([]byte, error) { return nil, os.ErrPermission })
	if !errors.Is(err, os.ErrPermission) {
		t.Errorf("unreadable cgroup.controllers: got %v", err)
	}
}

// TestDetectLive checks Detect on the machine running the tests.
func TestDetectLive(t *testing.T) {
	l, err := Detect()
	if errors.Is(err, ErrNoCgroups) {
		t.Skip("no cgroup hierarchy mounted")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("mode %v, %d v1 hierarchies, unified %v", l.Mode, len(l.V1), l.V2 != nil)
}
