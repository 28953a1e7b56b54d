package keeper

import (
	"net"
	"sync"
	"time"

	"virtlxc/internal/monitor"
)

// Watches are the monitor watch streams of one container: each gets the
// init event when it registers, then every event until the exit event. A
// watcher that arrives after the exit still gets it. Safe for concurrent
// use.
type Watches struct {
	mu      sync.Mutex
	live    []*Watch
	closed  bool          // the exit event went out
	exit    monitor.Event // that event
	reapers int           // live watchers that remove the cgroups after the exit
	done    []chan struct{}
}

// Watch is one registered watch.
type Watch struct {
	conn   net.Conn
	reaper bool
	ch     chan monitor.Event // its event queue
	done   chan struct{}      // closed when the watch is over
	closed bool               // registered after the exit event went out
	failed bool               // the init event could not be written
}

// Serve registers a watch on conn, writes it initEv and streams it until
// the exit event, then closes conn. A reaper watch (monitor.Request.Reaper)
// promises to remove the container's cgroups once the controller has
// exited, until its connection closes.
func (w *Watches) Serve(conn net.Conn, reaper bool, initEv monitor.Event) {
	w.Stream(w.Add(conn, reaper, initEv))
}

// Add registers a watch on conn and writes it initEv; the caller streams
// it (Stream), on another goroutine if it must go on.
func (w *Watches) Add(conn net.Conn, reaper bool, initEv monitor.Event) *Watch {
	return w.add(conn, reaper, &initEv)
}

// add is Add; a nil initEv is not written (an adopted watch had it).
func (w *Watches) add(conn net.Conn, reaper bool, initEv *monitor.Event) *Watch {
	ws := &Watch{conn: conn, reaper: reaper, ch: make(chan monitor.Event, 4), done: make(chan struct{})}
	w.mu.Lock()
	ws.closed = w.closed
	if !ws.closed {
		w.live = append(w.live, ws)
		if reaper {
			w.reapers++
		}
	}
	w.done = append(w.done, ws.done)
	w.mu.Unlock()
	if initEv != nil {
		ws.failed = monitor.WriteLine(conn, *initEv) != nil
	}
	if reaper && !ws.closed {
		// A watcher never writes: its end closing means it is gone
		// (the daemon stopped), and with it the promise to remove the
		// groups after this controller's exit.
		go func() {
			var b [1]byte
			_, _ = conn.Read(b[:])
			w.mu.Lock()
			ws.reaper = false
			w.reapers--
			w.mu.Unlock()
		}()
	}
	return ws
}

// Stream writes the watch's events until the exit event, then closes its
// connection.
func (w *Watches) Stream(ws *Watch) {
	defer func() {
		ws.conn.Close()
		close(ws.done)
	}()
	if ws.failed {
		return
	}
	if ws.closed {
		w.mu.Lock()
		ev := w.exit
		w.mu.Unlock()
		_ = monitor.WriteLine(ws.conn, ev)
		return
	}
	for ev := range ws.ch {
		if err := monitor.WriteLine(ws.conn, ev); err != nil {
			return
		}
	}
}

// Broadcast queues ev to every watch; a stuck watcher never blocks.
func (w *Watches) Broadcast(ev monitor.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, ws := range w.live {
		select {
		case ws.ch <- ev:
		default:
		}
	}
}

// Reaped reports whether a watcher that removes the cgroups after the
// controller's exit (the daemon) follows this controller.
func (w *Watches) Reaped() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.reapers > 0
}

// Exit sends the exit event to every watch and ends them; later watchers
// get it at once.
func (w *Watches) Exit(ev monitor.Event) {
	w.Broadcast(ev)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, ws := range w.live {
		close(ws.ch)
	}
	w.live = nil
	w.closed = true
	w.exit = ev
}

// Flush waits (boundedly) until every watcher has written the exit event
// and closed its connection, so the daemon never misses an exit.
func (w *Watches) Flush(timeout time.Duration) {
	w.mu.Lock()
	dones := w.done
	w.mu.Unlock()
	deadline := time.After(timeout)
	for _, d := range dones {
		select {
		case <-d:
		case <-deadline:
			return
		}
	}
}

// Handed is a live watch as Handoff gives it: its connection and whether
// it is a reaper's.
type Handed struct {
	Conn   net.Conn
	Reaper bool
}

// Handoff returns the live watches (none may be added meanwhile: the
// caller stopped accepting) for another process to go on with (Adopt).
// Their streams here are left waiting: the exec that follows ends them.
func (w *Watches) Handoff() []Handed {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Handed
	for _, ws := range w.live {
		out = append(out, Handed{Conn: ws.conn, Reaper: ws.reaper})
	}
	return out
}

// Adopt goes on with a watch another process registered (Handoff): no
// init event is written again.
func (w *Watches) Adopt(conn net.Conn, reaper bool) {
	go w.Stream(w.add(conn, reaper, nil))
}
