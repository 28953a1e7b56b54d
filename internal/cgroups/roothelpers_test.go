package cgroups

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// newRootManager returns a Manager on the live host whose partition is
// unique to this test process; its partition is removed, and checked
// gone, when the test ends.
func newRootManager(t *testing.T) *Manager {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	l, err := Detect()
	if errors.Is(err, ErrNoCgroups) {
		t.Skip("needs a mounted cgroup hierarchy")
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []Controller{CPU, CPUSet, Memory, Freezer, Devices, Pids} {
		if !l.Has(c) {
			t.Skipf("needs the %s cgroup controller", c)
		}
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	m, err := NewManager(l, Naming{Partition: fmt.Sprintf("/virtlxc-test-%d", os.Getpid())}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.RemovePartition(); err != nil {
			t.Errorf("RemovePartition: %v", err)
		}
		assertPartitionGone(t, m)
	})
	return m
}

// assertPartitionGone fails if the manager's partition exists in any
// hierarchy.
func assertPartitionGone(t *testing.T, m *Manager) {
	t.Helper()
	part, _ := m.naming.PartitionPath()
	for _, h := range m.layout.groupHierarchies() {
		if dir := filepath.Join(h.Mount, part); fileExists(dir, "") {
			t.Errorf("%s left behind", dir)
		}
	}
}

// cleanupGroup destroys name's group when the test ends, even on failure.
func cleanupGroup(t *testing.T, m *Manager, name string) {
	t.Cleanup(func() {
		g, err := m.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			return
		}
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = g.Destroy(ctx)
		}
		if err != nil {
			t.Errorf("cleanup of group %s: %v", name, err)
		}
	})
}

// wholeDisk returns the numbers of a block device that accepts throttles.
func wholeDisk() (major, minor uint32, ok bool) {
	entries, _ := os.ReadDir("/sys/block")
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("/sys/block", e.Name(), "dev"))
		if err != nil {
			continue
		}
		a, b, found := strings.Cut(strings.TrimSpace(string(data)), ":")
		ma, err1 := strconv.ParseUint(a, 10, 32)
		mi, err2 := strconv.ParseUint(b, 10, 32)
		if found && err1 == nil && err2 == nil {
			return uint32(ma), uint32(mi), true
		}
	}
	return 0, 0, false
}

// startSleep starts a child that is reaped as soon as it exits: done is
// closed then and *waitErr holds cmd.Wait's result.
func startSleep(t *testing.T) (cmd *exec.Cmd, done <-chan struct{}, waitErr *error) {
	t.Helper()
	cmd = exec.Command("sleep", "1000")
	if err := cmd.Start(); err != nil {
		t.Skipf("needs sleep(1): %v", err)
	}
	ch := make(chan struct{})
	waitErr = new(error)
	go func() {
		*waitErr = cmd.Wait()
		close(ch)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-ch
	})
	return cmd, ch, waitErr
}

// checkValues reads back the last value planned for every file.
func checkValues(t *testing.T, m *Manager, g *Group, lim Limits) {
	t.Helper()
	writes, err := m.Plan(g.Name(), lim, func(c Controller, f string) bool { return fileExists(g.Path(c), f) })
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]string{}
	for _, w := range writes {
		last[w.Path()] = w.Value
	}
	for path, want := range last {
		data, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(data), want) {
			t.Errorf("%s = %q, %v; want %q", path, data, err, want)
		}
	}
	if len(last) == 0 {
		t.Error("nothing planned")
	}
}

// checkProcCgroup checks /proc/PID/cgroup names the group everywhere.
func checkProcCgroup(t *testing.T, g *Group, pid int) {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) == 3 && !strings.Contains(parts[1], "name=") && parts[2] != g.RelPath() &&
			slices.ContainsFunc(strings.Split(parts[1], ","), func(c string) bool { return slices.Contains(managedV1, c) }) {
			t.Errorf("pid %d in %q, want %s", pid, line, g.RelPath())
		}
	}
}

// checkDevices applies the default ACL to a fresh group, then a policy
// with one more host device, and on v1 reads devices.list back.
func checkDevices(t *testing.T, m *Manager, g *Group) {
	t.Helper()
	hostdev, _ := HostdevRule('c', 189, 1, "rwm")
	for i, policy := range []DevicePolicy{{}, {Extra: []*DeviceRule{hostdev}}} {
		if err := g.SetDevices(DeviceRules(policy)); err != nil {
			t.Fatalf("SetDevices #%d: %v", i, err)
		}
		if h, _ := m.layout.Hierarchy(Devices); h.Version != 1 {
			continue // the eBPF program cannot be read back
		}
		data, err := os.ReadFile(filepath.Join(g.Path(Devices), "devices.list"))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm",
			"c 5:2 rwm", "c 10:229 rwm", "c 136:* rwm"}
		if i == 1 {
			want = append(want, "c 189:1 rwm")
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		slices.Sort(lines)
		slices.Sort(want)
		if !slices.Equal(lines, want) {
			t.Errorf("devices.list #%d = %q, want %q", i, lines, want)
		}
	}
}

// checkChown checks that Chown hands over the delegation files only.
func checkChown(t *testing.T, g *Group) {
	t.Helper()
	dir, _ := g.V2Dir()
	if dir == "" {
		return
	}
	if err := g.Chown(100000, 100000); err != nil {
		t.Fatalf("Chown: %v", err)
	}
	owners := map[string]uint32{"": 100000, "cgroup.procs": 100000, "cgroup.subtree_control": 100000, "cgroup.freeze": 0}
	for f, want := range owners {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if uid := fi.Sys().(*syscall.Stat_t).Uid; uid != want {
			t.Errorf("%s/%s owned by %d, want %d", dir, f, uid, want)
		}
	}
}
