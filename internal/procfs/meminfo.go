package procfs

import (
	"bytes"
	"fmt"
	"strconv"
)

// MemStats holds the memory figures of the container's cgroup, in bytes,
// that RenderMeminfo needs. The cgroup reader fills it; this package never
// touches cgroupfs itself.
//
// A limit of 0 means "no limit". Limits at or above 2^62 bytes (cgroup v1's
// 9223372036854771712 and v2's "max" mapped to math.MaxUint64) are treated
// as no limit too.
type MemStats struct {
	// Limit is the memory hard limit (v1 memory.limit_in_bytes,
	// v2 memory.max).
	Limit uint64
	// Usage is the memory usage (v1 memory.usage_in_bytes,
	// v2 memory.current).
	Usage uint64
	// Cache is the page cache (memory.stat v1 "cache", v2 "file").
	Cache uint64
	// ActiveAnon is memory.stat "active_anon".
	ActiveAnon uint64
	// InactiveAnon is memory.stat "inactive_anon".
	InactiveAnon uint64
	// ActiveFile is memory.stat "active_file".
	ActiveFile uint64
	// InactiveFile is memory.stat "inactive_file".
	InactiveFile uint64
	// Unevictable is memory.stat "unevictable".
	Unevictable uint64
	// MemSwapLimit is the limit on memory plus swap together
	// (v1 memory.memsw.limit_in_bytes). 0 means no swap limit is set, and
	// the host's SwapTotal and SwapFree lines are kept.
	MemSwapLimit uint64
	// MemSwapUsage is the usage of memory plus swap together
	// (v1 memory.memsw.usage_in_bytes).
	MemSwapUsage uint64
}

// hugeLimit is the smallest value treated as "no limit".
const hugeLimit = 1 << 62

func limited(v uint64) bool { return v != 0 && v < hugeLimit }

// sub returns a-b, or 0 when b > a.
func sub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

// replacements computes the lines that override the host's, keyed by the
// text before ':'. hostTotal and hostSwap are the host's MemTotal and
// SwapTotal in KiB (0 when absent).
func replacements(st MemStats, hostTotal, hostSwap uint64) map[string]uint64 {
	// libvirt converts every cgroup figure to KiB first (value >> 10).
	total := st.Limit >> 10
	if !limited(st.Limit) || (hostTotal > 0 && total > hostTotal) {
		total = hostTotal
	}
	usage := st.Usage >> 10
	free := sub(total, usage)
	aa, ia := st.ActiveAnon>>10, st.InactiveAnon>>10
	af, ifl := st.ActiveFile>>10, st.InactiveFile>>10

	r := map[string]uint64{
		"MemTotal":       total,
		"MemFree":        free,
		"MemAvailable":   free,
		"Buffers":        0,
		"Cached":         st.Cache >> 10,
		"Active":         aa + af,
		"Inactive":       ia + ifl,
		"Active(anon)":   aa,
		"Inactive(anon)": ia,
		"Active(file)":   af,
		"Inactive(file)": ifl,
		"Unevictable":    st.Unevictable >> 10,
		"Slab":           0,
		"SReclaimable":   0,
		"SUnreclaim":     0,
	}
	if limited(st.MemSwapLimit) {
		swapTotal := min(sub(st.MemSwapLimit>>10, total), hostSwap)
		swapUsed := sub(st.MemSwapUsage>>10, usage)
		r["SwapTotal"] = swapTotal
		r["SwapFree"] = sub(swapTotal, swapUsed)
	}
	return r
}

// RenderMeminfo returns the container's /proc/meminfo: host is the content
// of the host's /proc/meminfo and st the container's cgroup figures.
//
// Following libvirt, each host line is copied verbatim unless its key (the
// text before ':') is replaced by a cgroup figure in kB, formatted
// "%-16s%8d kB\n" with the key and colon left-aligned; lines without ':' are
// dropped. Replaced: MemTotal (limit), MemFree and MemAvailable (limit -
// usage), Buffers (0), Cached, Active, Inactive, Active/Inactive(anon),
// Active/Inactive(file), Unevictable, Slab, SReclaimable and SUnreclaim (0),
// and, only when a memory+swap limit is set, SwapTotal (memsw limit -
// MemTotal) and SwapFree (SwapTotal - (memsw usage - usage)).
//
// Unlike libvirt, MemTotal is capped at the host's MemTotal when the limit
// is unset, unlimited or larger than the host's memory; SwapTotal is capped
// at the host's SwapTotal; and differences never wrap below zero.
func RenderMeminfo(host []byte, st MemStats) []byte {
	repl := replacements(st, hostValue(host, "MemTotal"), hostValue(host, "SwapTotal"))
	out := make([]byte, 0, len(host)+64)
	for rest := host; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line = rest[:i+1]
		}
		rest = rest[len(line):]

		key, _, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			continue
		}
		if kib, ok := repl[string(key)]; ok {
			out = fmt.Appendf(out, "%-16s%8d kB\n", string(key)+":", kib)
			continue
		}
		out = append(out, line...)
	}
	return out
}

// hostValue returns the number on the host line with the given key, in the
// line's unit (kB for every line it is used for), or 0 when the key is
// absent or malformed.
func hostValue(host []byte, key string) uint64 {
	prefix := []byte(key + ":")
	for rest := host; len(rest) > 0; {
		line, next, _ := bytes.Cut(rest, []byte{'\n'})
		rest = next
		val, ok := bytes.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		fields := bytes.Fields(val)
		if len(fields) == 0 {
			return 0
		}
		n, err := strconv.ParseUint(string(fields[0]), 10, 64)
		if err != nil {
			return 0
		}
		return n
	}
	return 0
}
