package bench

import (
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// The sample recorder: Go's testing.B reports means only, so every
// benchmark also records one sample per operation here; TestMain turns the
// samples into results.json and results.md (report_test.go).

// figure is one measured quantity: its samples and their summary.
type figure struct {
	Key     string    `json:"key"`
	Title   string    `json:"title"`
	Unit    string    `json:"unit"`
	Tool    string    `json:"tool"` // "virtlxc", "floor", "crun", "lxc", ...
	N       int       `json:"n"`
	Median  float64   `json:"median"`
	P25     float64   `json:"p25"`
	P75     float64   `json:"p75"`
	Min     float64   `json:"min"`
	Max     float64   `json:"max"`
	Samples []float64 `json:"samples"`
	Omitted int       `json:"samples_omitted,omitempty"` // samples not written out
	Note    string    `json:"note,omitempty"`
	order   int
}

var (
	figMu   sync.Mutex
	figures = map[string]*figure{}
)

// record starts (or restarts: a benchmark function may be called more
// than once) the figure key and returns it.
func record(key, tool, unit, title string) *figure {
	figMu.Lock()
	defer figMu.Unlock()
	f := &figure{Key: key, Title: title, Unit: unit, Tool: tool, order: len(figures)}
	if old, ok := figures[key]; ok {
		f.order = old.order
	}
	figures[key] = f
	return f
}

// add records one sample.
func (f *figure) add(v float64) {
	figMu.Lock()
	f.Samples = append(f.Samples, v)
	figMu.Unlock()
}

// addDur records one duration sample in the figure's unit (ms or µs).
func (f *figure) addDur(d time.Duration) {
	switch f.Unit {
	case "µs":
		f.add(float64(d.Nanoseconds()) / 1e3)
	case "s":
		f.add(d.Seconds())
	default:
		f.add(float64(d.Nanoseconds()) / 1e6)
	}
}

// note attaches a remark shown under the table.
func (f *figure) note(s string) {
	figMu.Lock()
	f.Note = s
	figMu.Unlock()
}

// timeOp runs op, records its wall time and returns op's error.
func (f *figure) timeOp(op func() error) error {
	t0 := time.Now()
	err := op()
	if err == nil {
		f.addDur(time.Since(t0))
	}
	return err
}

// summarize fills N, median, quartiles and extremes from the samples.
func (f *figure) summarize() {
	s := slices.Clone(f.Samples)
	slices.Sort(s)
	f.N = len(s)
	if f.N == 0 {
		return
	}
	f.Min, f.Max = s[0], s[len(s)-1]
	f.P25, f.Median, f.P75 = quantile(s, 0.25), quantile(s, 0.5), quantile(s, 0.75)
}

// quantile of sorted samples, linear interpolation between ranks.
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 1 {
		return sorted[0]
	}
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	frac := pos - float64(lo)
	return sorted[lo]*(1-frac) + sorted[hi]*frac
}

// allFigures returns the recorded figures, summarized, in recording order.
func allFigures() []*figure {
	figMu.Lock()
	defer figMu.Unlock()
	out := make([]*figure, 0, len(figures))
	for _, f := range figures {
		if len(f.Samples) == 0 {
			continue
		}
		f.summarize()
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *figure) int {
		if d := section(a.Key) - section(b.Key); d != 0 {
			return d
		}
		return a.order - b.order
	})
	return out
}

// sections order the report: floor, API, the same-run anchors, virsh,
// list, memory, density, console, meminfo, then anything else.
var sections = []string{"floor/", "api/", "libvirt/", "crun/", "lxc/", "virsh/", "list/", "mem/", "density/", "console/", "meminfo/"}

func section(key string) int {
	for i, p := range sections {
		if strings.HasPrefix(key, p) {
			return i
		}
	}
	return len(sections)
}
