package nsenter

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"virtlxc/internal/seccomp"
)

// hybridMountinfo is this project's CI host: v1 controllers and a unified
// hierarchy with nothing but hugetlb.
const hybridMountinfo = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
`

func TestResolveCgroupDirsHybrid(t *testing.T) {
	proc := `9:name=systemd:/
8:pids:/
4:memory:/machine/lxc-1-a.libvirt-lxc
2:cpuacct:/machine/lxc-1-a.libvirt-lxc
1:cpu:/machine/lxc-1-a.libvirt-lxc
0::/machine/lxc-1-a.libvirt-lxc
`
	got := resolveCgroupDirs([]byte(proc), parseCgroupMounts([]byte(hybridMountinfo)))
	want := []string{
		"/sys/fs/cgroup/pids",
		"/sys/fs/cgroup/memory/machine/lxc-1-a.libvirt-lxc",
		"/sys/fs/cgroup/cpuacct/machine/lxc-1-a.libvirt-lxc",
		"/sys/fs/cgroup/cpu/machine/lxc-1-a.libvirt-lxc",
		"/sys/fs/cgroup/unified/machine/lxc-1-a.libvirt-lxc",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestResolveCgroupDirsJoinedControllersAndRoots(t *testing.T) {
	mi := `30 23 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpuacct,cpu
31 23 0:29 /lxc/outer /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
32 23 0:30 / /mnt/my\040cgroup rw - cgroup2 cgroup2 rw
`
	proc := `3:cpu,cpuacct:/a
2:memory:/lxc/outer/b
1:memory:/elsewhere
0::/c
`
	got := resolveCgroupDirs([]byte(proc), parseCgroupMounts([]byte(mi)))
	want := []string{"/sys/fs/cgroup/cpu,cpuacct/a", "/sys/fs/cgroup/memory/b", "/mnt/my cgroup/c"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestCgroupDirsOfSelf(t *testing.T) {
	dirs, err := CgroupDirs("self")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "cgroup.procs")); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
}

func TestReadInitState(t *testing.T) {
	p := filepath.Join(t.TempDir(), "status")
	os.WriteFile(p, []byte("Name:\tsh\nCapBnd:\t000001fdb4feffff\nCapAmb:\t0\nNoNewPrivs:\t1\nSeccomp:\t2\n"), 0o644)
	if st, err := readInitState(p); err != nil || st != (InitState{CapBnd: 0x1fdb4feffff, Seccomp: true, NoNewPrivs: true}) {
		t.Errorf("%+v %v", st, err)
	}
	os.WriteFile(p, []byte("Name:\tsh\nCapBnd:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"), 0o644)
	if st, err := readInitState(p); err != nil || st != (InitState{}) {
		t.Errorf("%+v %v", st, err)
	}
	os.WriteFile(p, []byte("Name:\tsh\n"), 0o644)
	if _, err := readInitState(p); err == nil {
		t.Error("missing CapBnd accepted")
	}
}

func TestEncodePrograms(t *testing.T) {
	progs, err := seccomp.Programs("amd64")
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodePrograms(encodePrograms(progs))
	if err != nil || len(got) != len(progs) {
		t.Fatalf("%d programs, %v", len(got), err)
	}
	for i := range progs {
		if !reflect.DeepEqual(got[i], progs[i].Filter) {
			t.Errorf("program %d differs after encoding", i)
		}
	}
	for _, bad := range []string{"", "12", "zzzzzzzzzzzzzzzz", "0006000000000000,"} {
		if _, err := decodePrograms(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRunChecksItsRequest(t *testing.T) {
	if _, err := Run(Request{}); err == nil || err.Error() != "No command to run" {
		t.Errorf("no argv: %v", err)
	}
	if _, err := Run(Request{Argv: []string{"/bin/true"}}); err == nil || err.Error() != "Expected at least one file descriptor" {
		t.Errorf("no fds: %v", err)
	}
	own, err := os.Open("/proc/self/ns/user")
	if err != nil {
		t.Skip(err)
	}
	defer own.Close()
	if user, err := joinsUserNS([]*os.File{own}); err != nil || user {
		t.Errorf("own user namespace counted as foreign: %v %v", user, err)
	}
}

func TestHelperEnv(t *testing.T) {
	bnd := uint64(0x3f)
	env := helperEnv(Request{Env: []string{"A=1"}, Cgroups: []string{"/x", "/y"}, CapBnd: &bnd}, 3, EnvFDs)
	want := []string{"A=1", EnvFDs + "=3,4,5", EnvCgroups + "=/x\n/y", EnvCapBnd + "=3f"}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("got %q\nwant %q", env, want)
	}
}
