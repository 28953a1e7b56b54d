package hostinfo

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

const procStat = `cpu  1000 20 300 4000 50 6 7 8 0 0
cpu0 600 10 200 2000 40 6 7 8 0 0
cpu1 400 10 100 2000 10 0 0 0 0 0
intr 1 2 3
`

func TestCPUStats(t *testing.T) {
	all, err := parseCPUStats(procStat, -1)
	if err != nil {
		t.Fatal(err)
	}
	want := []Stat{{"kernel", 313 * nsPerTick}, {"user", 1020 * nsPerTick}, {"idle", 4000 * nsPerTick}, {"iowait", 50 * nsPerTick}}
	if !reflect.DeepEqual(all, want) {
		t.Errorf("all CPUs: %v, want %v", all, want)
	}
	one, err := parseCPUStats(procStat, 1)
	if err != nil || one[1] != (Stat{"user", 410 * nsPerTick}) {
		t.Errorf("cpu1: %v %v", one, err)
	}
	if _, err := parseCPUStats(procStat, 2); !errors.Is(err, ErrNoSuchCPU) {
		t.Errorf("cpu2: %v", err)
	}
	if _, err := parseCPUStats("cpu  1 2\n", -1); !errors.Is(err, ErrNoSuchCPU) {
		t.Errorf("short line: %v", err)
	}
	live, err := CPUStats("", -1)
	if err != nil || len(live) != NumCPUStats {
		t.Errorf("this host: %v %v", live, err)
	}
}

func TestMemoryStats(t *testing.T) {
	h := Host{Meminfo: Meminfo{100, 50, 10, 20}, NUMA: true,
		Nodes: []Node{{ID: 0, MemTotalKiB: 60, MemFreeKiB: 30}, {ID: 2, MemTotalKiB: 40, MemFreeKiB: 20}}}
	if s, _ := MemoryStats(h, -1); !reflect.DeepEqual(s, []Stat{{"total", 100}, {"free", 50}, {"buffers", 10}, {"cached", 20}}) {
		t.Errorf("host: %v", s)
	}
	if s, _ := MemoryStats(h, 2); !reflect.DeepEqual(s, []Stat{{"total", 40}, {"free", 20}}) {
		t.Errorf("cell 2: %v", s)
	}
	var cr *CellRangeError
	if _, err := MemoryStats(h, 3); !errors.As(err, &cr) || err.Error() != "cellNum in virHostMemGetStats must be less than or equal to 2" {
		t.Errorf("cell 3: %v", err)
	}
	if _, err := MemoryStats(h, 1); err == nil {
		t.Error("a missing cell between two answered")
	}
	if _, err := MemoryStats(Host{}, 0); !errors.Is(err, ErrNoNUMA) {
		t.Errorf("no NUMA: %v", err)
	}
}

func TestCPUMap(t *testing.T) {
	present, online, n := CPUMap(Host{CPUPresent: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, CPUOnline: []int{0, 2, 9}})
	if present != 10 || !reflect.DeepEqual(online, []byte{0b101, 0b10}) || n != 3 {
		t.Errorf("present %d online %08b count %d", present, online, n)
	}
}

func TestKSMParams(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "sys/kernel/mm/ksm")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, f := range []string{"pages_to_scan", "sleep_millisecs", "pages_shared", "pages_sharing", "pages_unshared", "pages_volatile", "full_scans"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte{byte('1' + i), '\n'}, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := KSMParams(root, 8)
	if err != nil || len(ps) != 7 || ps[0] != (KSMParam{"shm_pages_to_scan", 1, false}) || ps[6] != (KSMParam{"shm_full_scans", 7, true}) {
		t.Errorf("without merge_across_nodes: %v %v", ps, err)
	}
	if ps, _ := KSMParams(root, 2); len(ps) != 2 {
		t.Errorf("first 2: %v", ps)
	}
	os.Remove(filepath.Join(dir, "full_scans"))
	if _, err := KSMParams(root, 8); err == nil {
		t.Error("a missing counter was not an error")
	}
}

func TestFreePages(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "sys/devices/system/node/node0/hugepages/hugepages-2048kB")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "nr_hugepages"), []byte("1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "free_hugepages"), []byte("1\n"), 0o644)
	h := Host{NUMA: true, Nodes: []Node{{ID: 0, MemFreeKiB: 4000}}, PageSizeKiB: 4, HugePageSizesKiB: []uint64{2048}}
	got, err := FreePages(h, root, []uint32{4, 2048}, 0, 1)
	if err != nil || !reflect.DeepEqual(got, []uint64{(4000 - 2048) / 4, 1}) {
		t.Errorf("free pages %v %v", got, err)
	}
	var pe *PageSizeError
	if _, err := FreePages(h, root, []uint32{8}, 0, 1); !errors.As(err, &pe) || err.Error() != "page size 8 is not available on node 0" {
		t.Errorf("8 KiB pages: %v", err)
	}
	if _, err := FreePages(h, root, []uint32{4}, 1, 1); err == nil || err.Error() != "start cell 1 out of range (0-0)" {
		t.Errorf("cell 1: %v", err)
	}
}
