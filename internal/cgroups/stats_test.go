package cgroups

import "testing"

func TestParseMemoryStat(t *testing.T) {
	v1 := "cache 4096\nrss 8192\nactive_anon 100\ninactive_anon 200\nactive_file 300\ninactive_file 400\nunevictable 5\ntotal_cache 99999\n"
	want := MemoryStat{Cache: 4096, ActiveAnon: 100, InactiveAnon: 200, ActiveFile: 300, InactiveFile: 400, Unevictable: 5}
	if got := ParseMemoryStat(v1, 1); got != want {
		t.Errorf("v1: %+v, want %+v", got, want)
	}
	v2 := "anon 8192\nfile 4096\nactive_anon 100\ninactive_anon 200\nactive_file 300\ninactive_file 400\nunevictable 5\n"
	if got := ParseMemoryStat(v2, 2); got != want {
		t.Errorf("v2: %+v, want %+v", got, want)
	}
}

func TestParseLimit(t *testing.T) {
	cases := map[string]uint64{
		"max":                 UnlimitedBytes,
		"":                    UnlimitedBytes,
		"9223372036854771712": UnlimitedBytes, // v1 unlimited, 4 KiB pages
		"9223372036854710272": UnlimitedBytes, // v1 unlimited, 64 KiB pages
		"67108864":            67108864,
	}
	for in, want := range cases {
		if got := parseLimit(in); got != want {
			t.Errorf("parseLimit(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestParseIO(t *testing.T) {
	v1 := "254:0 Read 1000\n254:0 Write 24\n254:0 Sync 5\n254:0 Async 3\n254:0 Discard 0\n254:0 Total 1024\n" +
		"7:0 Read 1\n7:0 Write 2\nTotal 1027\n"
	if r, w := parseV1Blkio(v1); r != 1001 || w != 26 {
		t.Errorf("parseV1Blkio = %d, %d; want 1001, 26", r, w)
	}
	v2 := "254:0 rbytes=1000 wbytes=24 rios=3 wios=4 dbytes=0 dios=0\n7:0 rbytes=1 wbytes=2 rios=1 wios=1 dbytes=0 dios=0\n"
	if rb, wb, ri, wi := parseIOStat(v2); rb != 1001 || wb != 26 || ri != 4 || wi != 5 {
		t.Errorf("parseIOStat = %d %d %d %d", rb, wb, ri, wi)
	}
}

func TestParseCPUStatAndEvents(t *testing.T) {
	kv := parseFlatKeyed("usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 0\n")
	if kv["usage_usec"] != 1500 || kv["system_usec"] != 500 {
		t.Errorf("cpu.stat parsed as %v", kv)
	}
	if v := eventsValue("populated 1\nfrozen 1\n", "frozen"); v != "1" {
		t.Errorf("frozen = %q", v)
	}
	if v := eventsValue("populated 0\n", "frozen"); v != "" {
		t.Errorf("missing key = %q", v)
	}
}
