package memtrim

import (
	"runtime"
	"testing"
	"time"
)

func gcCount() uint32 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.NumGC
}

// TestAfterBurstsTrims: work during which the runtime collected is
// followed, once quiet, by one more collection (debug.FreeOSMemory).
func TestAfterBurstsTrims(t *testing.T) {
	a := NewAfterBursts(50 * time.Millisecond)
	a.Work()
	runtime.GC() // the burst's collection
	before := gcCount()
	deadline := time.Now().Add(5 * time.Second)
	for gcCount() == before {
		if time.Now().After(deadline) {
			t.Fatal("no trim after the quiet time")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestAfterBurstsWorkAllocatesNothing: Work runs on every request.
func TestAfterBurstsWorkAllocatesNothing(t *testing.T) {
	a := NewAfterBursts(time.Hour)
	a.Work()
	if n := testing.AllocsPerRun(100, a.Work); n != 0 {
		t.Errorf("Work allocates %v times", n)
	}
}
