package procfs

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const (
	kib = 1024
	mib = 1024 * kib
	gib = 1024 * mib

	// Host figures of the samples, in kB.
	noswapTotal = 24683656 // testdata/meminfo-noswap (this build machine)
	swapTotal   = 16316412 // testdata/meminfo-swap
	swapSwap    = 8388604
)

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lines maps each key of a meminfo text to its full line (without '\n').
func lines(t *testing.T, b []byte) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		k, _, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("line without colon in output: %q", l)
		}
		m[k] = l
	}
	return m
}

func kbLine(key string, v uint64) string { return fmt.Sprintf("%-16s%8d kB", key+":", v) }

// base is a container using 200 MiB of a 512 MiB limit.
var base = MemStats{
	Limit:        512 * mib,
	Usage:        200*mib + 512, // sub-KiB remainders are truncated
	Cache:        64 * mib,
	ActiveAnon:   50 * mib,
	InactiveAnon: 30 * mib,
	ActiveFile:   40 * mib,
	InactiveFile: 24 * mib,
	Unevictable:  1 * mib,
}

func with(f func(*MemStats)) MemStats { st := base; f(&st); return st }

func TestRenderMeminfo(t *testing.T) {
	memLines := func(total, free uint64) map[string]uint64 {
		return map[string]uint64{"MemTotal": total, "MemFree": free, "MemAvailable": free}
	}
	tests := []struct {
		name   string
		sample string
		st     MemStats
		want   map[string]uint64 // replaced lines, kB
		kept   []string          // lines that must stay as on the host
	}{
		{"limited", "meminfo-noswap", base, map[string]uint64{
			"MemTotal": 524288, "MemFree": 319488, "MemAvailable": 319488,
			"Buffers": 0, "Cached": 65536, "Active": 92160, "Inactive": 55296,
			"Active(anon)": 51200, "Inactive(anon)": 30720,
			"Active(file)": 40960, "Inactive(file)": 24576, "Unevictable": 1024,
			"Slab": 0, "SReclaimable": 0, "SUnreclaim": 0,
		}, []string{"SwapTotal", "SwapFree", "SwapCached", "Mlocked", "KReclaimable",
			"Shmem", "Dirty", "Committed_AS", "VmallocTotal", "HugePages_Total", "Hugepagesize", "DirectMap1G"}},
		{"zero limit is host total", "meminfo-noswap", with(func(s *MemStats) { s.Limit = 0 }),
			memLines(noswapTotal, noswapTotal-204800), nil},
		{"v1 unlimited is host total", "meminfo-noswap", with(func(s *MemStats) { s.Limit = 9223372036854771712 }),
			memLines(noswapTotal, noswapTotal-204800), nil},
		{"v2 max is host total", "meminfo-noswap", with(func(s *MemStats) { s.Limit = math.MaxUint64 }),
			memLines(noswapTotal, noswapTotal-204800), nil},
		{"limit above host is host total", "meminfo-noswap", with(func(s *MemStats) { s.Limit = 64 * gib }),
			memLines(noswapTotal, noswapTotal-204800), nil},
		{"usage above limit gives zero free", "meminfo-noswap", with(func(s *MemStats) { s.Usage = 600 * mib }),
			memLines(524288, 0), nil},
		{"sums after per-figure truncation", "meminfo-noswap", with(func(s *MemStats) {
			s.ActiveAnon, s.ActiveFile, s.InactiveAnon, s.InactiveFile = 1023, 1023, 2047, 1025
		}), map[string]uint64{"Active": 0, "Active(anon)": 0, "Inactive": 2, "Inactive(file)": 1}, nil},
		{"swap limit", "meminfo-swap", with(func(s *MemStats) {
			s.Limit, s.Usage = 1*gib, 600*mib
			s.MemSwapLimit, s.MemSwapUsage = 1536*mib, 700*mib
		}), map[string]uint64{"MemTotal": 1048576, "MemFree": 434176, "SwapTotal": 524288, "SwapFree": 421888}, nil},
		{"swap limit above host swap", "meminfo-swap", with(func(s *MemStats) {
			s.MemSwapLimit, s.MemSwapUsage = 512*mib+100*gib, 300*mib
		}), map[string]uint64{"SwapTotal": swapSwap, "SwapFree": swapSwap - 102400}, nil},
		{"swap limit on host without swap", "meminfo-noswap", with(func(s *MemStats) {
			s.MemSwapLimit, s.MemSwapUsage = 1*gib, 200*mib
		}), map[string]uint64{"SwapTotal": 0, "SwapFree": 0}, nil},
		{"swap limit below memory limit", "meminfo-swap", with(func(s *MemStats) {
			s.MemSwapLimit, s.MemSwapUsage = 256*mib, 200*mib
		}), map[string]uint64{"SwapTotal": 0, "SwapFree": 0}, nil},
		{"swap usage below usage", "meminfo-swap", with(func(s *MemStats) {
			s.MemSwapLimit, s.MemSwapUsage = 1*gib, 100*mib
		}), map[string]uint64{"SwapTotal": 524288, "SwapFree": 524288}, nil},
		{"swap limit with unlimited memory", "meminfo-swap", with(func(s *MemStats) {
			s.Limit, s.Usage, s.MemSwapLimit, s.MemSwapUsage = 0, 1*gib, 20*gib, 1*gib+10*mib
		}), map[string]uint64{"MemTotal": swapTotal, "SwapTotal": 20*1048576 - swapTotal,
			"SwapFree": 20*1048576 - swapTotal - 10240}, nil},
		{"unlimited swap keeps host lines", "meminfo-swap", with(func(s *MemStats) {
			s.MemSwapLimit, s.MemSwapUsage = math.MaxUint64, 300*mib
		}), nil, []string{"SwapTotal", "SwapFree"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			host := readSample(t, tc.sample)
			out := RenderMeminfo(host, tc.st)
			got, hostLines := lines(t, out), lines(t, host)
			if len(got) != len(hostLines) || bytes.Count(out, []byte("\n")) != bytes.Count(host, []byte("\n")) {
				t.Errorf("got %d lines, host has %d", len(got), len(hostLines))
			}
			for k, v := range tc.want {
				if got[k] != kbLine(k, v) {
					t.Errorf("%s line = %q, want %q", k, got[k], kbLine(k, v))
				}
			}
			for _, k := range tc.kept {
				if got[k] != hostLines[k] || got[k] == "" {
					t.Errorf("%s line = %q, want the host's %q", k, got[k], hostLines[k])
				}
			}
		})
	}
}

// TestRenderMeminfoGolden checks whole outputs, order and untouched lines
// included, against reviewed files (regenerate with -update).
func TestRenderMeminfoGolden(t *testing.T) {
	for _, tc := range []struct {
		sample, golden string
		st             MemStats
	}{
		{"meminfo-noswap", "meminfo-noswap-limited.golden", base},
		{"meminfo-swap", "meminfo-swap-limited.golden", with(func(s *MemStats) {
			s.Limit, s.Usage = 2*gib, 1*gib
			s.MemSwapLimit, s.MemSwapUsage = 3*gib, 1*gib+64*mib
		})},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			out := RenderMeminfo(readSample(t, tc.sample), tc.st)
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if want := readSample(t, tc.golden); !bytes.Equal(out, want) {
				t.Errorf("output differs from %s:\n%s", path, out)
			}
		})
	}
}

func TestRenderMeminfoLines(t *testing.T) {
	wideSwap := MemStats{Limit: 1 * gib, MemSwapLimit: 1 << 61}
	tests := []struct {
		name, host string
		st         MemStats
		want       string
	}{
		{"format and exact keys",
			"MemTotal:       1073741824 kB\nMemTotalX:   5 kB\nActive(anon):  7 kB\nFoo:  1\n", base,
			"MemTotal:         524288 kB\nMemTotalX:   5 kB\nActive(anon):      51200 kB\nFoo:  1\n"},
		{"lines without colon dropped", "garbage\n\nBuffers: 9 kB\n", base, "Buffers:               0 kB\n"},
		{"last line without newline kept verbatim", "Zswap: 3 kB", base, "Zswap: 3 kB"},
		{"last replaced line gets a newline", "Slab: 3 kB", base, "Slab:                  0 kB\n"},
		{"wide values are not cut",
			"MemTotal: 2000000000 kB\nSwapTotal: 99999999999 kB\nSwapFree: 1 kB\n", wideSwap,
			"MemTotal:        1048576 kB\nSwapTotal:      99999999999 kB\nSwapFree:       99999999999 kB\n"},
		{"empty host", "", base, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := string(RenderMeminfo([]byte(tc.host), tc.st))
			if got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestHostValue(t *testing.T) {
	host := []byte("MemTotal:  100 kB\nSwapTotal: bad kB\nMemFree:\nHugePages_Total:   7\n")
	for key, want := range map[string]uint64{
		"MemTotal": 100, "SwapTotal": 0, "MemFree": 0, "HugePages_Total": 7, "Missing": 0, "Mem": 0,
	} {
		if got := hostValue(host, key); got != want {
			t.Errorf("hostValue(%q) = %d, want %d", key, got, want)
		}
	}
}

// TestRenderAllocatesNothing: every open and every new pass over the file
// renders it, in a server that lives as long as its container; neither the
// rendering nor the host file's reread may make garbage.
func TestRenderAllocatesNothing(t *testing.T) {
	st := MemStats{Limit: 64 << 20, Usage: 10 << 20, MemSwapLimit: 128 << 20, MemSwapUsage: 12 << 20}
	host := readSample(t, "meminfo-swap")
	buf := AppendMeminfo(nil, host, st)
	if n := testing.AllocsPerRun(50, func() { buf = AppendMeminfo(buf[:0], host, st) }); n != 0 {
		t.Errorf("AppendMeminfo: %v allocations", n)
	}
	src := &source{
		hostPath: filepath.Join("testdata", "meminfo-swap"),
		stats:    func() (MemStats, error) { return st, nil },
	}
	defer src.close()
	out, err := src.render(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, RenderMeminfo(host, st)) {
		t.Errorf("render:\n%s\nwant:\n%s", out, RenderMeminfo(host, st))
	}
	if n := testing.AllocsPerRun(50, func() { out, _ = src.render(out) }); n != 0 {
		t.Errorf("render: %v allocations", n)
	}
	if n := testing.AllocsPerRun(50, func() { _, _ = src.size() }); n != 0 {
		t.Errorf("size: %v allocations", n)
	}
}
