package cgroups

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"virtlxc/internal/cgmem"
)

// writeGroupFiles writes a fake group directory of version v.
func writeGroupFiles(t *testing.T, dir string, v int, usage, stat string) {
	t.Helper()
	files := map[string]string{
		cgmem.Files[0][v-1]: usage + "\n",
		cgmem.Files[1][v-1]: map[int]string{1: "9223372036854771712\n", 2: "max\n"}[v],
		cgmem.Files[4][v-1]: stat,
	}
	if v == 1 {
		files[cgmem.Files[2][0]] = "5000\n"
		files[cgmem.Files[3][0]] = "67108864\n"
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMemoryReader reads what MemoryStats reads, rereads fresh figures
// from the same descriptors, and allocates nothing per read.
func TestMemoryReader(t *testing.T) {
	v1stat := "cache 4096\nrss 8192\nactive_anon 100\ninactive_anon 200\nactive_file 300\ninactive_file 400\nunevictable 7\nfile 99\n"
	v2stat := "anon 1\nfile 12288\nactive_anon 10\ninactive_anon 20\nactive_file 30\ninactive_file 40\nunevictable 0\n"
	for v, stat := range map[int]string{1: v1stat, 2: v2stat} {
		dir := t.TempDir()
		writeGroupFiles(t, dir, v, "1234", stat)
		r, err := cgmem.Open(dir, v)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var fig cgmem.Figures
		if err := r.Read(&fig); err != nil {
			t.Fatal(err)
		}
		got := Stats{MemoryUsage: fig.Usage, MemoryLimit: fig.Limit, SwapUsage: fig.SwapUsage, SwapLimit: fig.SwapLimit, Memory: fig.Stat}
		var want Stats
		if err := readMemoryStats(dir, v, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) || got.MemoryUsage != 1234 || got.Memory.ActiveFile == 0 {
			t.Errorf("v%d: reader read %+v, MemoryStats %+v", v, got, want)
		}
		// New content in the same files (as the kernel regenerates them).
		big := stat + strings.Repeat("total_padding_line 1\n", 400) // past the buffer
		writeGroupFiles(t, dir, v, "98765", big)
		if err := r.Read(&fig); err != nil {
			t.Fatal(err)
		}
		if fig.Usage != 98765 || fig.Stat != want.Memory {
			t.Errorf("v%d: reread %+v, want usage 98765 and %+v", v, fig, want.Memory)
		}
		if n := testing.AllocsPerRun(50, func() { _ = r.Read(&fig) }); n != 0 {
			t.Errorf("v%d: %v allocations per read, want 0", v, n)
		}
	}
}

// TestMemoryReaderNoController reads zeros, as MemoryStats does.
func TestMemoryReaderNoController(t *testing.T) {
	r, err := cgmem.Open("", 0)
	if err != nil {
		t.Fatal(err)
	}
	s := cgmem.Figures{Usage: 1}
	if err := r.Read(&s); err != nil || s != (cgmem.Figures{}) {
		t.Errorf("Read = %+v, %v; want zeros", s, err)
	}
	r.Close()
}
