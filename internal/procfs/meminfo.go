package procfs

import (
	"bytes"
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

// replacement is one line that overrides the host's: its key (the text
// before ':') and its figure in KiB.
type replacement struct {
	key string
	kib uint64
}

// maxReplacements is how many lines replacements can give.
const maxReplacements = 17

// replacements computes the lines that override the host's into out.
// hostTotal and hostSwap are the host's MemTotal and SwapTotal in KiB (0
// when absent).
func replacements(out *[maxReplacements]replacement, st MemStats, hostTotal, hostSwap uint64) []replacement {
	// libvirt converts every cgroup figure to KiB first (value >> 10).
	total := st.Limit >> 10
	if !limited(st.Limit) || (hostTotal > 0 && total > hostTotal) {
		total = hostTotal
	}
	usage := st.Usage >> 10
	free := sub(total, usage)
	aa, ia := st.ActiveAnon>>10, st.InactiveAnon>>10
	af, ifl := st.ActiveFile>>10, st.InactiveFile>>10

	r := append(out[:0],
		replacement{"MemTotal", total},
		replacement{"MemFree", free},
		replacement{"MemAvailable", free},
		replacement{"Buffers", 0},
		replacement{"Cached", st.Cache >> 10},
		replacement{"Active", aa + af},
		replacement{"Inactive", ia + ifl},
		replacement{"Active(anon)", aa},
		replacement{"Inactive(anon)", ia},
		replacement{"Active(file)", af},
		replacement{"Inactive(file)", ifl},
		replacement{"Unevictable", st.Unevictable >> 10},
		replacement{"Slab", 0},
		replacement{"SReclaimable", 0},
		replacement{"SUnreclaim", 0},
	)
	if limited(st.MemSwapLimit) {
		swapTotal := min(sub(st.MemSwapLimit>>10, total), hostSwap)
		swapUsed := sub(st.MemSwapUsage>>10, usage)
		r = append(r, replacement{"SwapTotal", swapTotal}, replacement{"SwapFree", sub(swapTotal, swapUsed)})
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
	return AppendMeminfo(make([]byte, 0, len(host)+64), host, st)
}

// AppendMeminfo appends RenderMeminfo's content to dst, allocating nothing
// when dst has room: the server renders every open and every new pass
// over a file, and must not make garbage each time.
func AppendMeminfo(dst, host []byte, st MemStats) []byte {
	var buf [maxReplacements]replacement
	repl := replacements(&buf, st, hostValue(host, "MemTotal"), hostValue(host, "SwapTotal"))
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
		if r, ok := lookup(repl, key); ok {
			dst = appendLine(dst, r)
			continue
		}
		dst = append(dst, line...)
	}
	return dst
}

// lookup finds key among repl.
func lookup(repl []replacement, key []byte) (replacement, bool) {
	for _, r := range repl {
		if r.key == string(key) {
			return r, true
		}
	}
	return replacement{}, false
}

// appendLine appends r formatted as libvirt's "%-16s%8d kB\n" with key+":".
func appendLine(dst []byte, r replacement) []byte {
	dst = append(append(dst, r.key...), ':')
	for n := len(r.key) + 1; n < 16; n++ {
		dst = append(dst, ' ')
	}
	var num [20]byte
	digits := strconv.AppendUint(num[:0], r.kib, 10)
	for n := len(digits); n < 8; n++ {
		dst = append(dst, ' ')
	}
	return append(append(dst, digits...), " kB\n"...)
}

// hostValue returns the number on the host line with the given key, in the
// line's unit (kB for every line it is used for), or 0 when the key is
// absent or malformed.
func hostValue(host []byte, key string) uint64 {
	for rest := host; len(rest) > 0; {
		line, next, _ := bytes.Cut(rest, []byte{'\n'})
		rest = next
		k, val, ok := bytes.Cut(line, []byte{':'})
		if !ok || string(k) != key {
			continue
		}
		val = bytes.TrimLeft(val, " \t")
		end := 0
		for end < len(val) && val[end] >= '0' && val[end] <= '9' {
			end++
		}
		if end == 0 || (end < len(val) && val[end] != ' ' && val[end] != '\t') {
			return 0
		}
		n, err := strconv.ParseUint(string(val[:end]), 10, 64)
		if err != nil {
			return 0
		}
		return n
	}
	return 0
}
