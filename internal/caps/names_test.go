package caps

import (
	"slices"
	"strings"
	"testing"

	"github.com/moby/sys/capability"
)

// specNames is the list from the spec (§2.7), in libvirt's enum order.
const specNames = `audit_control, audit_write, block_suspend, chown, dac_override,
dac_read_search, fowner, fsetid, ipc_lock, ipc_owner, kill, lease,
linux_immutable, mac_admin, mac_override, mknod, net_admin, net_bind_service,
net_broadcast, net_raw, setgid, setfcap, setpcap, setuid, sys_admin, sys_boot,
sys_chroot, sys_module, sys_nice, sys_pacct, sys_ptrace, sys_rawio,
sys_resource, sys_time, sys_tty_config, syslog, wake_alarm`

func TestLibvirtNamesOrder(t *testing.T) {
	want := strings.Split(strings.Join(strings.Fields(specNames), ""), ",")
	if got := LibvirtNames(); !slices.Equal(got, want) {
		t.Fatalf("LibvirtNames() =\n%q\nwant\n%q", got, want)
	}
	if len(want) != 37 {
		t.Fatalf("spec list has %d names, want 37", len(want))
	}
}

// TestNumbers checks every name's kernel number against moby's table, an
// independent transcription of <linux/capability.h>.
func TestNumbers(t *testing.T) {
	seen := map[int]string{}
	for _, name := range LibvirtNames() {
		n, ok := Lookup(name)
		if !ok {
			t.Fatalf("Lookup(%q) failed", name)
		}
		if got := capability.Cap(n).String(); got != name {
			t.Errorf("%s has number %d, which moby calls %q", name, n, got)
		}
		if prev, dup := seen[n]; dup {
			t.Errorf("%s and %s share number %d", prev, name, n)
		}
		seen[n] = name
	}
	// libvirt's list is exactly capabilities 0..36.
	for n := 0; n <= 36; n++ {
		if _, ok := seen[n]; !ok {
			t.Errorf("capability %d has no libvirt name", n)
		}
	}
	for n := 37; n <= 40; n++ {
		if got, want := Name(n), capability.Cap(n).String(); got != want {
			t.Errorf("Name(%d) = %q, want %q", n, got, want)
		}
	}
	if got := Name(50); got != "cap_50" {
		t.Errorf("Name(50) = %q, want cap_50", got)
	}
}

func TestLookupRejects(t *testing.T) {
	for _, name := range []string{"", "CAP_MKNOD", "Mknod", "MKNOD", "audit_read", "bpf", "foo"} {
		if n, ok := Lookup(name); ok {
			t.Errorf("Lookup(%q) = %d, true; want not found", name, n)
		}
	}
}

func TestSetMask(t *testing.T) {
	tests := []struct {
		name string
		set  Set
		want string
	}{
		{"empty", Set{}, "0000000000000000"},
		{"mknod", Set{}.with(27), "0000000008000000"},
		{"all of 5.9+ kernels", upTo(40), "000001ffffffffff"},
		{"all of 3.x kernels", upTo(36), "0000001fffffffff"},
		{"all 64", upTo(63), "ffffffffffffffff"},
		{"checkpoint_restore", Set{}.with(40), "0000010000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.set.Mask(); got != tt.want {
				t.Errorf("Mask() = %s, want %s", got, tt.want)
			}
			if got := tt.set.String(); got != tt.want {
				t.Errorf("String() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSetHasAndNames(t *testing.T) {
	s := Set{}.with(27).with(21).with(38)
	for c, want := range map[int]bool{27: true, 21: true, 38: true, 0: false, -1: false, 64: false, 1000: false} {
		if got := s.Has(c); got != want {
			t.Errorf("Has(%d) = %v, want %v", c, got, want)
		}
	}
	// libvirt names in enum order first, then kernel-only ones.
	if got, want := s.Names(), []string{"mknod", "sys_admin", "perfmon"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	if got := (Set{}).Names(); len(got) != 0 {
		t.Errorf("empty Names() = %q", got)
	}
	if got := s.Bits(); got != 1<<27|1<<21|1<<38 {
		t.Errorf("Bits() = %#x", got)
	}
}

// TestLastCap compares /proc/sys/kernel/cap_last_cap with moby's probe,
// which asks PR_CAPBSET_READ instead.
func TestLastCap(t *testing.T) {
	got, err := LastCap()
	if err != nil {
		t.Fatal(err)
	}
	want, err := capability.LastCap()
	if err != nil {
		t.Fatal(err)
	}
	if got != int(want) {
		t.Errorf("LastCap() = %d, PR_CAPBSET_READ says %d", got, want)
	}
}
