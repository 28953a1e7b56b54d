package memtrim

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// gcCyclesMetric counts the collections the runtime has finished.
const gcCyclesMetric = "/gc/cycles/total:gc-cycles"

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
	cycles uint64 // collections finished when the heap was last trimmed
	sample []metrics.Sample
}

// NewAfterBursts trims quiet after the last reported work.
func NewAfterBursts(quiet time.Duration) *AfterBursts {
	return &AfterBursts{quiet: quiet, sample: []metrics.Sample{{Name: gcCyclesMetric}}}
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
func (a *AfterBursts) gcCycles() uint64 {
	metrics.Read(a.sample)
	if a.sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return a.sample[0].Value.Uint64()
}
