package hostinfo

import (
	"errors"
	"slices"
	"testing"
)

func TestCPUListsAndMasks(t *testing.T) {
	for in, want := range map[string][]int{
		"0-1\n": {0, 1}, "0,2-4,7": {0, 2, 3, 4, 7}, "5": {5}, "": nil,
	} {
		if got, err := parseCPUList(in); err != nil || !slices.Equal(got, want) {
			t.Errorf("parseCPUList(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"a", "3-1", "1-", "-1"} {
		if _, err := parseCPUList(bad); err == nil {
			t.Errorf("parseCPUList(%q) succeeded", bad)
		}
	}
	for in, want := range map[string][]int{
		"00000003\n": {0, 1}, "f0": {4, 5, 6, 7}, "00000001,80000000": {31, 32}, "0": nil,
	} {
		if got, err := parseCPUMask(in); err != nil || !slices.Equal(got, want) {
			t.Errorf("parseCPUMask(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for want, in := range map[string][]int{
		"0-1": {0, 1}, "0": {0}, "0,2": {0, 2}, "0-2,4,6-7": {0, 1, 2, 4, 6, 7}, "": nil,
	} {
		if got := formatCPUList(in); got != want {
			t.Errorf("formatCPUList(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestSizes(t *testing.T) {
	for in, want := range map[string]uint64{
		"32768K\n": 32 << 20, "48K": 48 << 10, "512": 512, "2M": 2 << 20, "1KB": 1000, "1KiB": 1024,
	} {
		if got, err := parseScaledSize(in); err != nil || got != want {
			t.Errorf("parseScaledSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "K", "12Q", "3Kx"} {
		if _, err := parseScaledSize(bad); err == nil {
			t.Errorf("parseScaledSize(%q) succeeded", bad)
		}
	}
	type pretty struct {
		v    uint64
		unit string
	}
	for in, want := range map[uint64]pretty{
		32 << 20: {32, "MiB"}, 491520 << 10: {480, "MiB"}, 1536: {1536, "B"},
		1536 << 10: {1536, "KiB"}, 1 << 30: {1, "GiB"}, 0: {0, "B"},
	} {
		if v, unit := formatIntPretty(in); v != want.v || unit != want.unit {
			t.Errorf("formatIntPretty(%d) = %d %s, want %d %s", in, v, unit, want.v, want.unit)
		}
	}
}

func TestMeminfo(t *testing.T) {
	m := parseMeminfo("MemTotal:       24683656 kB\nHugePages_Total:       0\nNode 3 MemFree:  12 kB\n")
	if m["MemTotal"] != 24683656 || m["MemFree"] != 12 || m["HugePages_Total"] != 0 {
		t.Errorf("parseMeminfo = %v", m)
	}
}

func TestCPUMHz(t *testing.T) {
	for _, c := range []struct {
		arch, cpuinfo string
		want          uint32
	}{
		{"x86_64", "cpu MHz\t\t: 2596.000\n", 2596},
		{"x86_64", "cpu MHz : 1000.9\ncpu MHz : 2000.1\n", 2000},             // the last line wins
		{"x86_64", "cpu MHz : 1000\ncpu MHz : fast\ncpu MHz : 3000\n", 1000}, // a bad value stops
		{"x86_64", "cpu MHz dynamic : 5\n", 0},                               // no colon after the prefix
		{"i686", "cpu MHz: 800 \n", 800},
		{"s390x", "cpu MHz dynamic : 5200\ncpu MHz static : 5000\n", 5200},
		{"aarch64", "cpu MHz : 2000\n", 0},
		{"riscv64", "cpu MHz : 2000\n", 0},
	} {
		if got := parseCPUMHz(c.cpuinfo, c.arch); got != c.want {
			t.Errorf("parseCPUMHz(%q, %s) = %d, want %d", c.cpuinfo, c.arch, got, c.want)
		}
	}
}

func TestParseKernelVersion(t *testing.T) {
	for in, want := range map[string]uint64{
		"6.18.44": 6018044, "6.18.44-fc-v769": 6018044, "6.1.0-18-amd64": 6001000,
		"5.15": 5015000, "4": 4000000, "6.8.0-rc1": 6008000,
	} {
		if got, err := ParseKernelVersion(in); err != nil || got != want {
			t.Errorf("ParseKernelVersion(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "v6.1", "6.1000.0", "5000.1.1"} {
		if _, err := ParseKernelVersion(bad); err == nil {
			t.Errorf("ParseKernelVersion(%q) succeeded", bad)
		}
	}
}

func TestHostUUID(t *testing.T) {
	const mid = "3d1219c7c4c5404aaa1f6d2a48adfda4\n"
	for _, c := range []struct {
		name       string
		smbios     []string
		machineID  string
		want, from string
	}{
		{"smbios", []string{"99BA0E42-B42E-41BC-8830-423C899D03A0\n"}, mid, "99ba0e42-b42e-41bc-8830-423c899d03a0", UUIDFromSMBIOS},
		{"no smbios", []string{"", ""}, mid, "3d1219c7-c4c5-404a-aa1f-6d2a48adfda4", UUIDFromMachineID},
		{"smbios all zero", []string{"00000000-0000-0000-0000-000000000000\n"}, mid, "3d1219c7-c4c5-404a-aa1f-6d2a48adfda4", UUIDFromMachineID},
		{"smbios too short", []string{"1234\n"}, mid, "3d1219c7-c4c5-404a-aa1f-6d2a48adfda4", UUIDFromMachineID},
	} {
		if got, from := hostUUID(c.smbios, c.machineID); got != c.want || from != c.from {
			t.Errorf("%s: hostUUID = %q, %q; want %q, %q", c.name, got, from, c.want, c.from)
		}
	}
	r1, from := hostUUID(nil, "uninitialized\n")
	r2, _ := hostUUID(nil, "")
	if u, ok := parseUUID(r1); from != UUIDRandom || !ok || !validUUID(u) || r1 != r2 || r1[14] != '4' {
		t.Errorf("random host uuid %q (%s), then %q", r1, from, r2)
	}
	for _, bad := range []string{"", "123", "zz1219c7c4c5404aaa1f6d2a48adfda4", "3d1219c7c4c5404aaa1f6d2a48adfda400"} {
		if _, ok := parseUUID(bad); ok {
			t.Errorf("parseUUID(%q) succeeded", bad)
		}
	}
}

func TestCanonicalHostname(t *testing.T) {
	lookup := func(canon string, err error) func(string) (string, error) {
		return func(string) (string, error) { return canon, err }
	}
	for _, c := range []struct {
		name, canon string
		err         error
		want        string
	}{
		{"vm", "vm", nil, "vm"},
		{"vm", "vm.example.org.", nil, "vm.example.org"},
		{"vm", "", errors.New("no such host"), "vm"},
		{"vm", "localhost.localdomain", nil, "vm"},
		{"localhost", "should-not-be-asked", nil, "localhost"},
		{"vm.example.org", "other", nil, "vm.example.org"},
	} {
		if got := canonicalHostname(c.name, lookup(c.canon, c.err)); got != c.want {
			t.Errorf("canonicalHostname(%q) with %q, %v = %q, want %q", c.name, c.canon, c.err, got, c.want)
		}
	}
}

func TestMergeCacheBanks(t *testing.T) {
	l3a := CacheBank{ID: 1, Level: 3, Type: "both", SizeBytes: 8 << 20, CPUs: []int{4, 5}}
	l3b := CacheBank{ID: 0, Level: 3, Type: "both", SizeBytes: 8 << 20, CPUs: []int{0, 1}}
	l4 := CacheBank{ID: 0, Level: 4, Type: "data", SizeBytes: 64 << 20, CPUs: []int{0, 1, 4, 5}}
	got := mergeCacheBanks([]CacheBank{l4, l3a, l3b, l3a, l4, l3b})
	want := []CacheBank{l3b, l3a, l4}
	if !slices.EqualFunc(got, want, func(a, b CacheBank) bool {
		return a.ID == b.ID && a.Level == b.Level && slices.Equal(a.CPUs, b.CPUs)
	}) {
		t.Errorf("mergeCacheBanks = %+v, want %+v", got, want)
	}
}
