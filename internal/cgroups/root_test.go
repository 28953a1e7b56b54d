package cgroups

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestRootLifecycle creates a group with limits, checks the files, adds,
// freezes, thaws and kills a child, and destroys the group.
func TestRootLifecycle(t *testing.T) {
	m := newRootManager(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const name = "life"
	cleanupGroup(t, m, name)

	lim := Limits{MemoryKiB: 65536, SoftLimitKiB: 32768, CPUShares: 512, CPUPeriod: 100000,
		CPUQuota: 50000, CpusetCpus: "0", CpusetMems: "0", PidsMax: 64}
	if h, _ := m.layout.Hierarchy(Memory); h.Version == 1 && fileExists(h.Mount, "memory.memsw.limit_in_bytes") {
		lim.SwapHardLimitKiB = 131072
	}
	if major, minor, ok := wholeDisk(); ok && m.layout.Has(Blkio) {
		lim.BlkioDevices = []BlkioDevice{{Major: major, Minor: minor, ReadBps: 1048576, WriteIops: 100}}
	}
	g, err := m.Create(name, lim)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	checkValues(t, m, g, lim)
	live := Limits{MemoryKiB: 32768, CPUQuota: -1}
	if err := g.Set(live); err != nil {
		t.Fatalf("Set: %v", err)
	}
	checkValues(t, m, g, live)

	cmd, done, waitErr := startSleep(t)
	pid := cmd.Process.Pid
	if err := g.AddPid(pid); err != nil {
		t.Fatalf("AddPid: %v", err)
	}
	if pids, err := g.Pids(); err != nil || !slices.Contains(pids, pid) {
		t.Fatalf("Pids = %v, %v; want %d in it", pids, err, pid)
	}
	checkProcCgroup(t, g, pid)
	checkChown(t, g)
	checkDevices(t, m, g)

	st, err := g.Stats()
	if err != nil || st.MemoryLimit != 32<<20 {
		t.Errorf("Stats = %+v, %v; want the 32 MiB limit set live", st, err)
	}
	if ms, err := g.MemoryStats(); err != nil || ms.MemoryLimit != 32<<20 || ms.SwapLimit == 0 || ms.CPUUsageNs != 0 {
		t.Errorf("MemoryStats = %+v, %v; want the 32 MiB limit, a swap limit, nothing but memory", ms, err)
	}
	fdir, _, _ := g.freezer()
	if s := taskStates(fdir); !strings.HasPrefix(s, fmt.Sprintf("tasks: %d (", pid)) {
		t.Errorf("taskStates = %q; want the sleep %d in it", s, pid)
	}
	if err := g.Freeze(ctx); err != nil {
		t.Fatalf("Freeze: %v", err)
	}
	if frozen, err := g.Frozen(); !frozen || err != nil {
		t.Errorf("after Freeze: Frozen = %v, %v", frozen, err)
	}
	if err := g.Thaw(); err != nil {
		t.Fatalf("Thaw: %v", err)
	}
	if err := poll(ctx, time.Second, func() (bool, error) { f, err := g.Frozen(); return !f, err }); err != nil {
		t.Errorf("still frozen after Thaw: %v", err)
	}

	// Kill a frozen group, as destroy of a paused domain does.
	if err := g.Freeze(ctx); err != nil {
		t.Fatalf("Freeze: %v", err)
	}
	start := time.Now()
	if err := g.Kill(ctx); err != nil {
		t.Fatalf("Kill: %v", err)
	}
	select {
	case <-done:
		t.Logf("child exited %v after Kill: %v", time.Since(start), *waitErr)
	case <-time.After(5 * time.Second):
		t.Fatal("child still running after Kill")
	}

	g2, err := m.Open(name)
	if err != nil || len(g2.Dirs()) != len(g.Dirs()) {
		t.Fatalf("Open = %v, %v; want %d dirs", g2, err, len(g.Dirs()))
	}
	if err := g2.Destroy(ctx); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
	for _, dir := range g.Dirs() {
		if fileExists(dir, "") {
			t.Errorf("%s still exists after Destroy", dir)
		}
	}
	if err := g.Destroy(ctx); err != nil {
		t.Errorf("second Destroy: %v", err)
	}
	if _, err := m.Open(name); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open after Destroy: %v, want fs.ErrNotExist", err)
	}
}

// TestRootCreateFailureLeavesNothing checks that a failed Create undoes
// every directory it made, and that an existing group is not touched.
func TestRootCreateFailureLeavesNothing(t *testing.T) {
	m := newRootManager(t)
	assertPartitionGone(t, m)
	const name = "bad"
	cleanupGroup(t, m, name)
	_, err := m.Create(name, Limits{MemoryKiB: 65536, CpusetCpus: "999"})
	if err == nil || !strings.Contains(err.Error(), "cpuset.cpus") {
		t.Fatalf("Create with cpuset.cpus 999: %v, want an invalid value error", err)
	}
	assertPartitionGone(t, m)

	// An existing group is reported and left intact.
	g, err := m.Create("dup", Limits{})
	cleanupGroup(t, m, "dup")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Create("dup", Limits{}); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second Create: %v, want fs.ErrExist", err)
	}
	for _, dir := range g.Dirs() {
		if !fileExists(dir, "") {
			t.Errorf("%s removed by the failed second Create", dir)
		}
	}
}

// TestRootV1OnlyKill runs the same host as if it had no unified hierarchy
// (pure v1): Kill must fall back to signalling every pid, with a frozen
// v1 freezer thawed so the tasks can die.
func TestRootV1OnlyKill(t *testing.T) {
	base := newRootManager(t)
	if base.layout.Mode != ModeHybrid {
		t.Skip("needs a hybrid host to simulate pure v1")
	}
	if h, _ := base.layout.Hierarchy(Freezer); h.Version != 1 {
		t.Skip("needs a v1 freezer")
	}
	v1 := &Layout{Mode: ModeV1, V1: base.layout.V1}
	m, err := NewManager(v1, base.naming, base.log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cleanupGroup(t, m, "v1kill")
	g, err := m.Create("v1kill", Limits{PidsMax: 16})
	if err != nil {
		t.Fatal(err)
	}
	if dir, _ := g.V2Dir(); dir != "" {
		t.Fatalf("v1 layout has a unified directory %s", dir)
	}
	cmd, done, _ := startSleep(t)
	if err := g.AddPid(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	if err := g.Freeze(ctx); err != nil {
		t.Fatal(err)
	}
	if err := g.Kill(ctx); err != nil {
		t.Fatalf("Kill: %v", err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("child still running after Kill")
	}
	if err := g.Destroy(ctx); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
}

// TestRootEmptyCpusetPartition is the race of two first starts: the
// partition's v1 cpuset directory exists (another start just made it) but
// its cpus/mems are still empty. A group created under it must be filled
// and accept a task.
func TestRootEmptyCpusetPartition(t *testing.T) {
	m, dir := cpusetPartition(t)
	const name = "cpusetrace"
	cleanupGroup(t, m, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Rmdir(dir) })
	if v, _ := readFile(dir, "cpuset.cpus"); v != "" {
		t.Skipf("a fresh v1 cpuset directory is not empty here (%q)", v)
	}
	g, err := m.Create(name, Limits{})
	if err != nil {
		t.Fatalf("Create under an empty partition: %v", err)
	}
	cmd, done, _ := startSleep(t)
	if err := g.AddPid(cmd.Process.Pid); err != nil {
		t.Errorf("AddPid into a group under the empty partition: %v", err)
	}
	_ = cmd.Process.Kill()
	<-done
}

// TestRootCpusetClonesChildren: the partition's v1 cpuset group is filled
// and then gets cgroup.clone_children, so that the kernel fills each
// container's group; memory_migrate, which the kernel does not copy, is
// copied when the partition's is set. Both groups take a task.
func TestRootCpusetClonesChildren(t *testing.T) {
	m, partDir := cpusetPartition(t)
	check := func(name, migrate string) {
		t.Helper()
		cleanupGroup(t, m, name)
		g, err := m.Create(name, Limits{})
		if err != nil {
			t.Fatalf("Create %s: %v", name, err)
		}
		if v, _ := readFile(partDir, cloneChildren); v != "1" {
			t.Errorf("partition %s = %q, want 1", cloneChildren, v)
		}
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			want, _ := readFile(partDir, f)
			if got, _ := readFile(g.Path(CPUSet), f); got != want || got == "" {
				t.Errorf("%s's %s = %q, partition's %q", name, f, got, want)
			}
		}
		if got, _ := readFile(g.Path(CPUSet), "cpuset.memory_migrate"); got != migrate {
			t.Errorf("%s's memory_migrate = %q, want %s", name, got, migrate)
		}
		cmd, done, _ := startSleep(t)
		if err := g.AddPid(cmd.Process.Pid); err != nil {
			t.Errorf("AddPid into %s: %v", name, err)
		}
		_ = cmd.Process.Kill()
		<-done
	}
	check("cpuclone1", "0")
	if err := writeFile(partDir, "cpuset.memory_migrate", "1"); err != nil {
		t.Fatal(err)
	}
	check("cpuclone2", "1")
}

// cpusetPartition returns newRootManager's manager and the path of its
// partition in the v1 cpuset hierarchy; it skips without one.
func cpusetPartition(t *testing.T) (*Manager, string) {
	m := newRootManager(t)
	h, ok := m.layout.Hierarchy(CPUSet)
	if !ok || h.Version != 1 {
		t.Skip("kernel feature missing: a v1 cpuset hierarchy")
	}
	part, err := m.naming.PartitionPath()
	if err != nil {
		t.Fatal(err)
	}
	return m, filepath.Join(h.Mount, part)
}
