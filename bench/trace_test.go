package bench

import (
	"os"
	"sync"
)

// traceMark writes s to the kernel's trace_marker when VIRTLXC_BENCH_TRACE
// is set, so that a tracefs recording of a run (bench/experiments/
// trace-timeline.sh) can cut the kernel's events into operations. It costs
// nothing otherwise.
func traceMark(s string) {
	markerOnce.Do(func() {
		if os.Getenv("VIRTLXC_BENCH_TRACE") != "" {
			marker, _ = os.OpenFile("/sys/kernel/tracing/trace_marker", os.O_WRONLY, 0)
		}
	})
	if marker != nil {
		_, _ = marker.WriteString(s)
	}
}

var (
	markerOnce sync.Once
	marker     *os.File
)
