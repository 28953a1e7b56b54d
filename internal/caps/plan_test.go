package caps

import (
	"slices"
	"strings"
	"testing"
)

// allBut returns upTo(last) minus the given capabilities.
func allBut(last int, drop ...int) Set {
	s := upTo(last)
	for _, c := range drop {
		s = s.without(c)
	}
	return s
}

// only returns the set of the given capabilities.
func only(caps ...int) Set {
	var s Set
	for _, c := range caps {
		s = s.with(c)
	}
	return s
}

// defaultDrops are the capabilities the default policy drops on a kernel
// with containerised reboot.
var defaultDrops = []int{capMknod, capSysModule, capSysTime, capAuditControl, capMacAdmin}

func TestPlan(t *testing.T) {
	tests := []struct {
		name      string
		policy    string
		states    map[string]string
		hasReboot bool
		lastCap   int
		want      Set
	}{
		{"default keeps sys_boot with reboot", "default", nil, true, 40,
			allBut(40, defaultDrops...)},
		{"empty policy is default", "", nil, true, 40, allBut(40, defaultDrops...)},
		{"default drops sys_boot without reboot", "default", nil, false, 40,
			allBut(40, append(defaultDrops, capSysBoot)...)},
		{"default sys_boot on without reboot", "default", map[string]string{"sys_boot": "on"}, false, 40,
			allBut(40, defaultDrops...)},
		{"default sys_boot off ignored with reboot [quirk]", "default", map[string]string{"sys_boot": "off"}, true, 40,
			allBut(40, defaultDrops...)},
		{"default sys_boot off without reboot", "default", map[string]string{"sys_boot": "off"}, false, 40,
			allBut(40, append(defaultDrops, capSysBoot)...)},
		{"default mknod on", "default", map[string]string{"mknod": "on"}, true, 40,
			allBut(40, capSysModule, capSysTime, capAuditControl, capMacAdmin)},
		{"default all five on", "default",
			map[string]string{"mknod": "on", "sys_module": "on", "sys_time": "on", "audit_control": "on", "mac_admin": "on"},
			true, 40, upTo(40)},
		{"default state default is absent", "default", map[string]string{"mknod": "default", "chown": ""}, true, 40,
			allBut(40, defaultDrops...)},
		{"default others off", "default", map[string]string{"chown": "off", "net_raw": "off", "sys_admin": "on"}, true, 40,
			allBut(40, append(defaultDrops, 0, 13)...)},
		{"deny nothing on", "deny", nil, true, 40, Set{}},
		{"deny mknod on", "deny", map[string]string{"mknod": "on"}, true, 40, only(capMknod)},
		{"deny mknod on, chown off", "deny", map[string]string{"mknod": "on", "chown": "off"}, false, 40, only(capMknod)},
		{"deny several on", "deny", map[string]string{"sys_admin": "on", "setuid": "on", "wake_alarm": "on"}, true, 40,
			only(21, 7, 35)},
		{"deny ignores hasReboot", "deny", nil, true, 40, Set{}},
		{"allow nothing off", "allow", nil, false, 40, upTo(40)},
		{"allow some off", "allow", map[string]string{"net_admin": "off", "sys_admin": "off", "mknod": "on"}, false, 40,
			allBut(40, 12, 21)},
		{"allow sys_boot off with reboot", "allow", map[string]string{"sys_boot": "off"}, true, 40,
			allBut(40, capSysBoot)},
		{"lastCap 36 default", "default", nil, true, 36, allBut(36, defaultDrops...)},
		{"lastCap 35 skips block_suspend", "deny", map[string]string{"block_suspend": "on", "mknod": "on"}, true, 35,
			only(capMknod)},
		{"lastCap 35 allow", "allow", map[string]string{"block_suspend": "off"}, true, 35, upTo(35)},
		{"lastCap 32 default", "default", nil, true, 32,
			allBut(32, capMknod, capSysModule, capSysTime, capAuditControl)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Plan(tt.policy, tt.states, tt.hasReboot, tt.lastCap)
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			if got != tt.want {
				t.Errorf("Plan = %s %q\nwant   %s %q", got, got.Names(), tt.want, tt.want.Names())
			}
			for c := tt.lastCap + 1; c <= maxCap; c++ {
				if got.Has(c) {
					t.Errorf("kept capability %d above lastCap %d", c, tt.lastCap)
				}
			}
		})
	}
}

// TestPlanDefaultDropsExactly spells out the default policy's drop list by
// name and the resulting mask on a 5.9+ kernel.
func TestPlanDefaultDropsExactly(t *testing.T) {
	keep, err := Plan("default", nil, true, 40)
	if err != nil {
		t.Fatal(err)
	}
	var dropped []string
	for c := 0; c <= 40; c++ {
		if !keep.Has(c) {
			dropped = append(dropped, Name(c))
		}
	}
	slices.Sort(dropped)
	want := []string{"audit_control", "mac_admin", "mknod", "sys_module", "sys_time"}
	if !slices.Equal(dropped, want) {
		t.Errorf("dropped %q, want %q", dropped, want)
	}
	if got := keep.Mask(); got != "000001fdb5feffff" {
		t.Errorf("mask %s, want 000001fdb5feffff", got)
	}
	if !keep.Has(capSysBoot) {
		t.Error("sys_boot dropped although hasReboot")
	}

	deny, err := Plan("deny", map[string]string{"mknod": "on"}, true, 40)
	if err != nil {
		t.Fatal(err)
	}
	if got := deny.Names(); !slices.Equal(got, []string{"mknod"}) {
		t.Errorf("deny+mknod keeps %q, want [mknod]", got)
	}
	if got := deny.Mask(); got != "0000000008000000" {
		t.Errorf("deny+mknod mask %s", got)
	}
}

func TestPlanErrors(t *testing.T) {
	tests := []struct {
		name    string
		policy  string
		states  map[string]string
		lastCap int
		want    string // substring of the error
	}{
		{"unknown name", "default", map[string]string{"frobnicate": "on"}, 40, `"frobnicate"`},
		{"CAP_ prefix", "allow", map[string]string{"CAP_MKNOD": "off"}, 40, `"CAP_MKNOD"`},
		{"upper case", "deny", map[string]string{"MKNOD": "on"}, 40, `"MKNOD"`},
		{"kernel-only name", "deny", map[string]string{"bpf": "on"}, 40, `"bpf"`},
		{"first unknown sorted", "deny", map[string]string{"zz": "on", "aa": "on", "mknod": "on"}, 40, `"aa"`},
		{"bad state", "default", map[string]string{"mknod": "yes"}, 40, `"yes"`},
		{"bad policy", "permissive", nil, 40, `"permissive"`},
		{"policy case", "Default", nil, 40, `"Default"`},
		{"negative lastCap", "default", nil, -1, "-1"},
		{"lastCap too high", "default", nil, 64, "64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Plan(tt.policy, tt.states, true, tt.lastCap)
			if err == nil {
				t.Fatalf("Plan = %s, want error", got)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %s", err, tt.want)
			}
		})
	}
}
