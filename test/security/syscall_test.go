package security

import (
	"strconv"
	"testing"
)

// Capabilities (linux/capability.h) whose absence is what blocks a test's
// syscall.
const (
	capSysModule = 16
	capSysTime   = 25
	capMknod     = 27
)

// Syscalls that container root must not be able to use, each refused
// because the capability it needs is not in the container's bounding
// set: loading a kernel module and setting the clock.
func TestPrivilegedSyscalls(t *testing.T) {
	a := attacker(t)
	script := a + ` init_module finit_module settimeofday; grep CapBnd /proc/self/status | sed 's/^/@@/;s/:\t/=/'; echo @@done=1`
	v := run(t, "syscalls", domainXML("syscalls", script, "", ""))
	bnd, err := strconv.ParseUint(v["CapBnd"], 16, 64)
	if err != nil {
		t.Fatalf("CapBnd %q: %v", v["CapBnd"], err)
	}
	for _, tc := range []struct {
		call string
		cap  uint
	}{
		{"init_module", capSysModule},
		{"finit_module", capSysModule},
		{"settimeofday", capSysTime},
	} {
		if v[tc.call] != "denied:EPERM" && v[tc.call] != "denied:ENOSYS" {
			t.Errorf("%s in the container: %s", tc.call, v[tc.call])
		}
		if bnd&(1<<tc.cap) != 0 {
			t.Errorf("%s: capability %d is in the container's bounding set %x", tc.call, tc.cap, bnd)
		}
	}
	if bnd&(1<<capMknod) != 0 {
		t.Errorf("CAP_MKNOD is in the container's bounding set %x", bnd)
	}
}
