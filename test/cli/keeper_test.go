package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/controller"
)

// program is the executable's base name of the process serving domain
// name (its pid file): virtlxc-controller or virtlxc-keeper.
func (d *daemon) program(name string) (int, string) {
	b, err := os.ReadFile(filepath.Join(d.root, "run/libvirt/lxc", name+".pid"))
	if err != nil {
		return 0, ""
	}
	var pid int
	fmt.Sscan(string(b), &pid)
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	return pid, filepath.Base(exe)
}

// waitProgram waits until domain name is served by program. The daemon
// hands containers over only while the host's CPUs have one CPU's worth
// idle, which other test packages running meanwhile can hold back.
func (d *daemon) waitProgram(name, program string) int {
	d.t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if pid, p := d.program(name); p == program {
			return pid
		}
	}
	_, p := d.program(name)
	d.t.Fatalf("%s is served by %q, not %s", name, p, program)
	return 0
}

// TestKeeperThroughDaemon: once quiet, the daemon hands its containers to
// the keeper, and the commands work on them as on any (the keeper serves
// them, or execs the controller back for what it does not); the end
// leaves nothing.
func TestKeeperThroughDaemon(t *testing.T) {
	t.Setenv(controller.KeepAfterEnv, "50ms")
	d := startDaemon(t)
	d.startHostRoot("kp", idleScript)
	pid := d.waitProgram("kp", controller.KeeperBinary)

	r := d.virsh("lxc-enter-namespace", "kp", "--noseclabel", "/bin/sh", "-c", "grep MemTotal /proc/meminfo; hostname")
	if r.rc != 0 || !strings.Contains(r.stdout, "131072 kB") || !strings.Contains(r.stdout, "kp") {
		t.Fatalf("lxc-enter-namespace through the keeper: %s", r)
	}
	if r := d.virsh("dominfo", "kp"); r.rc != 0 || !strings.Contains(r.stdout, "running") {
		t.Fatalf("dominfo: %s", r)
	}
	if r := d.virsh("suspend", "kp"); r.rc != 0 {
		t.Fatalf("suspend: %s", r)
	}
	if _, p := d.program("kp"); p != "virtlxc-controller" {
		t.Fatalf("suspended by %q", p)
	}
	if r := d.virsh("resume", "kp"); r.rc != 0 {
		t.Fatalf("resume: %s", r)
	}
	if again := d.waitProgram("kp", controller.KeeperBinary); again != pid {
		t.Fatalf("the keeper came back as pid %d, not %d", again, pid)
	}
	if r := d.virsh("shutdown", "kp"); r.rc != 0 {
		t.Fatalf("shutdown: %s", r)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if r := d.virsh("domstate", "kp"); strings.Contains(r.stdout, "shut off") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("kp did not shut down:\n%s", d.readLog("kp"))
		}
	}
	groups, _ := filepath.Glob(fmt.Sprintf("/sys/fs/cgroup/*/machine/*/lxc-%d-kp.libvirt-lxc", pid))
	if len(groups) > 0 {
		t.Errorf("cgroups left: %v", groups)
	}
	if _, err := os.Stat(filepath.Join(d.root, "run/libvirt/lxc/kp.sock")); err == nil {
		t.Error("monitor socket left")
	}
	if log := d.readLog("kp"); !strings.Contains(log, "container stopped") {
		t.Errorf("log:\n%s", log)
	}
}
