package security

import (
	"os"
	"path/filepath"
	"testing"
)

// The container sees only its own cgroup subtree: /proc/self/cgroup says
// "/" in every hierarchy and neither the mounted /sys/fs/cgroup nor a
// fresh cgroup mount shows the host's groups (its "machine" partition,
// another container's group). Each v1 hierarchy is mounted with its
// root at the namespace's, nosuid, nodev and noexec.
func TestCgroupOnlyOwnSubtree(t *testing.T) {
	if _, err := os.Stat("/sys/fs/cgroup/memory"); err != nil {
		t.Skip("needs a cgroup v1 memory hierarchy")
	}
	other := start(t, "cgother", domainXML("cgother", `trap 'exit 0' TERM; while :; do sleep 1 & wait; done`, "", ""))
	others, _ := filepath.Glob("/sys/fs/cgroup/memory/machine/" + scope + ".partition/lxc-*-cgother.libvirt-lxc")
	if len(others) == 0 {
		t.Fatal("the other container has no memory cgroup")
	}
	script := `grep -v ':/$' /proc/self/cgroup | sed 's/^/@@foreign=/';
find /sys/fs/cgroup -maxdepth 3 -type d -name '*cgother*' | sed 's/^/@@seen=/';
find /sys/fs/cgroup -maxdepth 3 -type d -name machine | sed 's/^/@@seen=/';
grep ' - cgroup ' /proc/self/mountinfo | grep -v -E '^[0-9]+ [0-9]+ [0-9]+:[0-9]+ / [^ ]+ rw,nosuid,nodev,noexec[, ]' | sed 's/^/@@badmount=/';
grep -c ' - cgroup ' /proc/self/mountinfo | sed 's/^/@@v1mounts=/';
if mount -t cgroup -o memory none /mnt 2>/dev/null; then find /mnt -maxdepth 3 -type d -name 'machine*' | sed 's/^/@@fresh=/'; umount /mnt; fi;
echo @@done=1`
	v := run(t, "cgown", domainXML("cgown", script, "", ""))
	if v["v1mounts"] == "" || v["v1mounts"] == "0" {
		t.Errorf("no v1 cgroup hierarchy mounted in the container (%q)", v["v1mounts"])
	}
	for _, k := range []string{"foreign", "seen", "fresh", "badmount"} {
		if v[k] != "" {
			t.Errorf("%s: %s", k, v[k])
		}
	}
	other.destroy()
}
