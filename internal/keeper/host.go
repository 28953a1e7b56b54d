package keeper

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
)

// HostLoad tells whether the host's CPUs are busy, from /proc/stat: a
// handoff waits unless at least one CPU's worth of time was idle since the
// previous sample, so that it never takes CPU a wave of starts needs (the
// daemon hands containers over one at a time: at most that one CPU).
type HostLoad struct {
	idle, total uint64 // ticks at the last sample
	sampled     bool
}

// Sampled reports whether Busy has a previous sample to compare with.
func (p *HostLoad) Sampled() bool { return p.sampled }

// Busy samples the CPU times and reports whether less than one CPU was
// idle since the previous sample; without one (see Sampled), it only
// samples and reports busy. A host whose /proc/stat cannot be read never
// looks busy.
func (p *HostLoad) Busy() bool {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return false
	}
	var buf [512]byte
	n, _ := f.Read(buf[:])
	f.Close()
	line, _, _ := bytes.Cut(buf[:n], []byte{'\n'})
	fields := bytes.Fields(line)
	if len(fields) < 9 || string(fields[0]) != "cpu" {
		return false
	}
	var idle, total uint64
	for i, v := range fields[1:9] { // user nice system idle iowait irq softirq steal
		t, _ := strconv.ParseUint(string(v), 10, 64)
		total += t
		if i == 3 || i == 4 {
			idle += t
		}
	}
	prevIdle, prevTotal, sampled := p.idle, p.total, p.sampled
	p.idle, p.total, p.sampled = idle, total, true
	if !sampled || total <= prevTotal {
		return true
	}
	idleCPUs := float64(idle-prevIdle) / float64(total-prevTotal) * float64(runtime.NumCPU())
	return idleCPUs < 1
}
