package hostinfo

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// parseCPUList parses a kernel CPU list such as "0-3,8,10-11" (the format of
// cpu/online, thread_siblings_list, shared_cpu_list) into sorted ids.
func parseCPUList(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil || a < 0 {
			return nil, fmt.Errorf("bad cpu list %q", s)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil || b < a {
				return nil, fmt.Errorf("bad cpu list %q", s)
			}
		}
		for i := a; i <= b; i++ {
			seen[i] = true
		}
	}
	return sortedKeys(seen), nil
}

// parseCPUMask parses a kernel CPU mask such as "00000000,00000003" (the
// format of nodeN/cpumap, read by libnuma's numa_node_to_cpus): comma
// separated 32-bit hex words, most significant first.
func parseCPUMask(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	words := strings.Split(s, ",")
	var ids []int
	for w := range words {
		v, err := strconv.ParseUint(words[len(words)-1-w], 16, 32)
		if err != nil {
			return nil, fmt.Errorf("bad cpu mask %q", s)
		}
		for bit := 0; bit < 32; bit++ {
			if v&(1<<bit) != 0 {
				ids = append(ids, w*32+bit)
			}
		}
	}
	return ids, nil
}

// formatCPUList formats sorted ids the way libvirt's virBitmapFormat does:
// runs of consecutive ids become "a-b", single ids stay as they are.
func formatCPUList(ids []int) string {
	var b strings.Builder
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if j > i {
			fmt.Fprintf(&b, "%d-%d", ids[i], ids[j])
		} else {
			fmt.Fprintf(&b, "%d", ids[i])
		}
		i = j + 1
	}
	return b.String()
}

// parseMeminfo reads the "Key: value kB" lines of /proc/meminfo or of a
// node's meminfo (whose lines start with "Node N "), in KiB.
func parseMeminfo(s string) map[string]uint64 {
	out := map[string]uint64{}
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && f[0] == "Node" {
			f = f[2:]
		}
		if len(f) < 2 || !strings.HasSuffix(f[0], ":") {
			continue
		}
		if v, err := strconv.ParseUint(f[1], 10, 64); err == nil {
			out[strings.TrimSuffix(f[0], ":")] = v
		}
	}
	return out
}

// parseScaledSize parses a size such as "32768K" (cache/indexN/size) into
// bytes, like libvirt's virFileReadValueScaledInt: no suffix means bytes,
// "K", "KiB" are powers of 1024 and "KB" powers of 1000 (likewise M, G, T).
func parseScaledSize(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	v, err := strconv.ParseUint(s[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad size %q", s)
	}
	suffix := s[i:]
	if suffix == "" || suffix == "b" || suffix == "B" {
		return v, nil
	}
	power := strings.IndexByte("KMGTPE", suffix[0]&^0x20) + 1
	if power == 0 {
		return 0, fmt.Errorf("bad size suffix %q", s)
	}
	base := uint64(1024)
	switch suffix[1:] {
	case "", "iB":
	case "B":
		base = 1000
	default:
		return 0, fmt.Errorf("bad size suffix %q", s)
	}
	for ; power > 0; power-- {
		v *= base
	}
	return v, nil
}

// formatIntPretty returns val in the largest binary unit that divides it
// exactly, like libvirt's virFormatIntPretty (used for cache bank sizes).
func formatIntPretty(val uint64) (uint64, string) {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	u := 0
	for val != 0 && val%1024 == 0 && u < len(units)-1 {
		val /= 1024
		u++
	}
	return val, units[u]
}

// mhzPrefix is the /proc/cpuinfo key libvirt's virHostCPUParseFrequency
// reads the frequency from on arch, or "" where it reads none (ARM reports 0).
func mhzPrefix(arch string) string {
	switch {
	case arch == "x86_64" || arch == "i686":
		return "cpu MHz"
	case strings.HasPrefix(arch, "ppc"):
		return "clock"
	case strings.HasPrefix(arch, "s390"):
		return "cpu MHz dynamic"
	case strings.HasPrefix(arch, "loongarch"):
		return "CPU MHz"
	}
	return ""
}

// parseCPUMHz extracts the CPU frequency from /proc/cpuinfo as libvirt does:
// every line "PREFIX<spaces>: N[.frac]" overwrites the result, so the last
// processor's value wins; the fraction is dropped; a malformed value stops
// the scan, keeping what was found so far.
func parseCPUMHz(cpuinfo, arch string) uint32 {
	prefix := mhzPrefix(arch)
	if prefix == "" {
		return 0
	}
	var mhz uint32
	for _, line := range strings.Split(cpuinfo, "\n") {
		rest, ok := strings.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		rest = strings.TrimLeft(rest, " \t")
		if !strings.HasPrefix(rest, ":") {
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t")
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		v, err := strconv.ParseUint(rest[:i], 10, 32)
		if err != nil || (i < len(rest) && rest[i] != '.' && rest[i] != ' ' && rest[i] != '\t') {
			break
		}
		mhz = uint32(v)
	}
	return mhz
}

// ParseKernelVersion encodes a kernel release such as "6.18.44-fc-v769" as
// major*1000000 + minor*1000 + micro (6018044), like libvirt's
// virStringParseVersion with allowMissing: minor and micro may be absent and
// anything after the last number is ignored.
func ParseKernelVersion(release string) (uint64, error) {
	var parts [3]uint64
	rest := release
	for i := range parts {
		if i > 0 {
			var ok bool
			if rest, ok = strings.CutPrefix(rest, "."); !ok {
				break
			}
		}
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		v, err := strconv.ParseUint(rest[:n], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("unknown release: %s", release)
		}
		parts[i], rest = v, rest[n:]
	}
	if parts[0] > 4294 || parts[1] > 999 || parts[2] > 999 {
		return 0, fmt.Errorf("unknown release: %s", release)
	}
	return parts[0]*1000000 + parts[1]*1000 + parts[2], nil
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
