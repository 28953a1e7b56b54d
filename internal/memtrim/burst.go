package memtrim

import (
	"runtime/debug"
	"sync"
	"time"
)

// AfterBursts gives back to the host the heap pages a burst of work left
// behind: once the process has been quiet for a while after work during
// which the runtime collected, it collects once more and returns every
// free page (debug.FreeOSMemory). The runtime's own scavenger returns them
// too, but slowly (it is paced to about 1 % of a CPU and keeps 10 % over
// the heap goal), and a long-lived process that serves bursts (a
// controller whose container runs free(1) or top(1)) would otherwise keep
// its largest heap for minutes.
//
// A process that never collected is left alone: its first collection
// costs more memory (the collector's buffers) than it frees. Nothing runs
// while no work is reported: an idle process has no timer.
type AfterBursts struct {
	quiet time.Duration

	mu     sync.Mutex
	timer  *time.Timer
	cycles int64          // collections finished when the heap was last trimmed
	stats  *debug.GCStats // read for NumGC; allocated at the first work
}

// NewAfterBursts trims quiet after the last reported work.
func NewAfterBursts(quiet time.Duration) *AfterBursts {
	return &AfterBursts{quiet: quiet}
}

// Work reports a unit of work (it allocates nothing: it may run for every
// request a server answers).
func (a *AfterBursts) Work() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.timer == nil {
		a.cycles = a.gcCycles()
		a.timer = time.AfterFunc(a.quiet, a.trim)
		return
	}
	a.timer.Reset(a.quiet)
}

// trim runs quiet after the last work.
func (a *AfterBursts) trim() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gcCycles() == a.cycles {
		return
	}
	debug.FreeOSMemory()
	a.cycles = a.gcCycles()
}

// gcCycles reads the number of finished collections (with a.mu held).
// It reads debug.GCStats (whose buffers are kept from one read to the
// next), not runtime/metrics, whose initialisation and first read allocate
// ≈ 33 KiB that every idle controller would keep, nor runtime.MemStats,
// whose reading stops the world and flushes every span cache (measured:
// +0.4 MiB in each controller).
func (a *AfterBursts) gcCycles() int64 {
	if a.stats == nil {
		a.stats = new(debug.GCStats)
	}
	debug.ReadGCStats(a.stats)
	return a.stats.NumGC
}
