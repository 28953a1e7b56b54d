package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"virtlxc/internal/cgmem"
)

// UnlimitedBytes is reported for a memory limit that is not set.
const UnlimitedBytes = cgmem.Unlimited

// Stats is a group's resource usage, in bytes and nanoseconds. A value a
// host cannot provide (controller or accounting missing) reads as zero.
type Stats struct {
	// MemoryUsage is v1 memory.usage_in_bytes or v2 memory.current.
	MemoryUsage uint64
	// MemoryLimit is the hard limit, or UnlimitedBytes.
	MemoryLimit uint64
	// SwapUsage is v1 memory.memsw.usage_in_bytes (memory plus swap) or v2
	// memory.swap.current, as libvirt reads them.
	SwapUsage uint64
	// SwapLimit is v1 memory.memsw.limit_in_bytes or v2 memory.swap.max,
	// or UnlimitedBytes.
	SwapLimit uint64
	// Memory holds the memory.stat fields the /proc/meminfo overlay needs.
	Memory MemoryStat
	// CPUUsageNs is v1 cpuacct.usage or v2 cpu.stat usage_usec × 1000.
	CPUUsageNs uint64
	// CPUUserNs and CPUSystemNs split it: v1 cpuacct.stat (in USER_HZ
	// ticks, 100 a second) or v2 cpu.stat user_usec/system_usec.
	CPUUserNs, CPUSystemNs uint64
	// PerCPUNs is v1 cpuacct.usage_percpu: the group's CPU time on each
	// possible CPU, in ns; nil on v2, which has no such figure.
	PerCPUNs []uint64
	// BlkioWeight is the group's I/O weight as libvirt reads it (v1
	// blkio.bfq.weight, else blkio.weight; v2 io.bfq.weight, else
	// io.weight, "default N"); 0 when neither file exists.
	BlkioWeight uint64
	// IOReadBytes, IOWriteBytes, IOReadOps and IOWriteOps sum every device
	// (v1 blkio.throttle.io_service_bytes/io_serviced, v2 io.stat).
	IOReadBytes, IOWriteBytes, IOReadOps, IOWriteOps uint64
}

// MemoryStat holds the memory.stat fields libvirt uses, in bytes.
type MemoryStat = cgmem.Stat

// MemoryStats reads only the memory part of Stats (what the /proc/meminfo
// overlay needs on every lookup and open).
func (g *Group) MemoryStats() (Stats, error) {
	var s Stats
	if dir, v := g.dirOf(Memory); dir != "" {
		if err := readMemoryStats(dir, v, &s); err != nil {
			return s, fmt.Errorf("cgroup stats for '%s': %w", g.name, err)
		}
	}
	return s, nil
}

// Stats reads the group's resource usage.
func (g *Group) Stats() (Stats, error) {
	var s Stats
	var err error
	if dir, v := g.dirOf(Memory); dir != "" {
		err = errors.Join(err, readMemoryStats(dir, v, &s))
	}
	if dir, v := g.dirOf(CPUAcct); dir != "" {
		if v == 1 {
			s.CPUUsageNs, err = addUint(err, dir, "cpuacct.usage")
			text, rerr := optionalFile(dir, "cpuacct.stat")
			ticks := parseFlatKeyed(text)
			const nsPerTick = 1e9 / 100 // USER_HZ
			s.CPUUserNs, s.CPUSystemNs = ticks["user"]*nsPerTick, ticks["system"]*nsPerTick
			percpu, rerr2 := optionalFile(dir, "cpuacct.usage_percpu")
			for _, f := range strings.Fields(percpu) {
				v, perr := strconv.ParseUint(f, 10, 64)
				if perr != nil {
					break
				}
				s.PerCPUNs = append(s.PerCPUNs, v)
			}
			err = errors.Join(err, rerr, rerr2)
		} else {
			text, rerr := optionalFile(dir, "cpu.stat")
			kv := parseFlatKeyed(text)
			s.CPUUsageNs = kv["usage_usec"] * 1000
			s.CPUUserNs, s.CPUSystemNs = kv["user_usec"]*1000, kv["system_usec"]*1000
			err = errors.Join(err, rerr)
		}
	}
	if dir, v := g.dirOf(Blkio); dir != "" {
		s.BlkioWeight = readWeight(dir, v)
		if v == 1 {
			bytes, rerr1 := optionalFile(dir, "blkio.throttle.io_service_bytes")
			ops, rerr2 := optionalFile(dir, "blkio.throttle.io_serviced")
			s.IOReadBytes, s.IOWriteBytes = parseV1Blkio(bytes)
			s.IOReadOps, s.IOWriteOps = parseV1Blkio(ops)
			err = errors.Join(err, rerr1, rerr2)
		} else {
			text, rerr := optionalFile(dir, "io.stat")
			s.IOReadBytes, s.IOWriteBytes, s.IOReadOps, s.IOWriteOps = parseIOStat(text)
			err = errors.Join(err, rerr)
		}
	}
	if err != nil {
		return s, fmt.Errorf("cgroup stats for '%s': %w", g.name, err)
	}
	return s, nil
}

// readWeight reads the I/O weight file libvirt reads: the bfq one, else
// the cfq (v1) or plain (v2) one; "default N" lines give N.
func readWeight(dir string, v int) uint64 {
	names := []string{"blkio.bfq.weight", "blkio.weight"}
	if v == 2 {
		names = []string{"io.bfq.weight", "io.weight"}
	}
	for _, n := range names {
		text, err := readFile(dir, n)
		if err != nil {
			continue
		}
		f := strings.Fields(text)
		if len(f) >= 2 && f[0] == "default" {
			f = f[1:]
		}
		if len(f) > 0 {
			if w, err := strconv.ParseUint(f[0], 10, 64); err == nil {
				return w
			}
		}
		return 0
	}
	return 0
}

func (g *Group) dirOf(c Controller) (string, int) {
	h, ok := g.m.layout.Hierarchy(c)
	if !ok {
		return "", 0
	}
	return g.Path(c), h.Version
}

func readMemoryStats(dir string, v int, s *Stats) error {
	var err error
	names := [4]string{"memory.usage_in_bytes", "memory.limit_in_bytes", "memory.memsw.usage_in_bytes", "memory.memsw.limit_in_bytes"}
	if v == 2 {
		names = [4]string{"memory.current", "memory.max", "memory.swap.current", "memory.swap.max"}
	}
	var vals [4]string
	for i, n := range names {
		var rerr error
		vals[i], rerr = optionalFile(dir, n)
		err = errors.Join(err, rerr)
	}
	s.MemoryUsage, _ = strconv.ParseUint(vals[0], 10, 64)
	s.MemoryLimit = parseLimit(vals[1])
	s.SwapUsage, _ = strconv.ParseUint(vals[2], 10, 64)
	s.SwapLimit = parseLimit(vals[3])
	text, rerr := optionalFile(dir, "memory.stat")
	s.Memory = ParseMemoryStat(text, v)
	return errors.Join(err, rerr)
}

// optionalFile reads dir/file; a missing file reads as "".
func optionalFile(dir, file string) (string, error) {
	s, err := readFile(dir, file)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return strings.TrimSpace(s), err
}

func addUint(err error, dir, file string) (uint64, error) {
	s, rerr := optionalFile(dir, file)
	v, _ := strconv.ParseUint(s, 10, 64)
	return v, errors.Join(err, rerr)
}

// parseLimit parses a memory limit file: "max" (v2) or a v1 value near
// 2^63 mean unlimited; "" (file missing) reads as unlimited too.
func parseLimit(s string) uint64 { return cgmem.ParseLimit(s) }

// ParseMemoryStat extracts libvirt's memory.stat fields from text of a
// version v (1 or 2) hierarchy.
func ParseMemoryStat(text string, v int) MemoryStat {
	return cgmem.ParseStat([]byte(text), v)
}

// parseFlatKeyed parses "key value" lines (memory.stat, cpu.stat).
func parseFlatKeyed(text string) map[string]uint64 {
	kv := map[string]uint64{}
	for _, line := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64); err == nil {
			kv[k] = n
		}
	}
	return kv
}

// parseV1Blkio sums the per-device "MAJ:MIN Read N" and "MAJ:MIN Write N"
// lines of a v1 blkio statistics file.
func parseV1Blkio(text string) (read, write uint64) {
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		n, err := strconv.ParseUint(f[2], 10, 64)
		if err != nil {
			continue
		}
		switch f[1] {
		case "Read":
			read += n
		case "Write":
			write += n
		}
	}
	return read, write
}

// parseIOStat sums rbytes, wbytes, rios and wios over the devices of a v2
// io.stat text.
func parseIOStat(text string) (rbytes, wbytes, rios, wios uint64) {
	for _, line := range strings.Split(text, "\n") {
		for _, field := range strings.Fields(line) {
			k, v, ok := strings.Cut(field, "=")
			if !ok {
				continue
			}
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				continue
			}
			switch k {
			case "rbytes":
				rbytes += n
			case "wbytes":
				wbytes += n
			case "rios":
				rios += n
			case "wios":
				wios += n
			}
		}
	}
	return rbytes, wbytes, rios, wios
}
