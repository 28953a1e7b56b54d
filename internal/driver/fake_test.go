package driver

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"

	"virtlxc/internal/cgroups"
	"virtlxc/internal/monitor"
)

// fakeLauncher stands in for virtlxc-controller: each launch makes a
// fakeCtrl that is ready at once (or fails, if told so), answers the
// monitor requests and exits on shutdown, reboot or destroy.
type fakeLauncher struct {
	mu       sync.Mutex
	nextPID  int
	ctrls    map[string]*fakeCtrl // by socket, while serving
	byPID    map[int]*fakeCtrl
	launches []LaunchSpec
	calls    []monitor.Request
	// failures maps a domain name to log text: its controller writes it
	// and exits without serving.
	failures map[string]string
	// quick lists domains whose init exits before the controller serves
	// (its exit status 0, like /bin/true).
	quick map[string]bool
	// ignore lists monitor ops the fake controller answers but ignores.
	ignore map[string]bool
	// consoles holds the controller-side end of each open console.
	consoles []net.Conn
}

func newFakeLauncher() *fakeLauncher {
	return &fakeLauncher{nextPID: 1000, ctrls: map[string]*fakeCtrl{}, byPID: map[int]*fakeCtrl{},
		failures: map[string]string{}, ignore: map[string]bool{}, quick: map[string]bool{}}
}

// fakeCtrl is one fake controller.
type fakeCtrl struct {
	l        *fakeLauncher
	name     string
	socket   string
	pid      int
	initPID  int
	done     chan struct{}
	watchers []*fakeWatcher
	exited   bool
	code     int // exit status once exited
}

func (l *fakeLauncher) Launch(spec LaunchSpec) (Process, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.launches = append(l.launches, spec)
	l.nextPID += 10
	c := &fakeCtrl{l: l, name: spec.Name, pid: l.nextPID, initPID: l.nextPID + 1, done: make(chan struct{})}
	for i, a := range spec.Args {
		if a == "--name" && i+1 < len(spec.Args) && spec.Args[i+1] != spec.Name {
			return nil, fmt.Errorf("bad --name %q", spec.Args[i+1])
		}
	}
	l.byPID[c.pid] = c
	if text, ok := l.failures[spec.Name]; ok {
		fmt.Fprint(spec.Log, text)
		c.exited, c.code = true, 1
		close(c.done)
		return &fakeProc{c}, nil
	}
	if l.quick[spec.Name] {
		c.exited = true
		close(c.done)
		return &fakeProc{c}, nil
	}
	c.socket = socketOf(spec)
	l.ctrls[c.socket] = c
	return &fakeProc{c}, nil
}

// socketOf finds the monitor socket path from a launch's state directory.
func socketOf(spec LaunchSpec) string {
	for i, a := range spec.Args {
		if a == "--config" {
			cfg := spec.Args[i+1]
			return cfg[:len(cfg)-len(".config")] + ".sock"
		}
	}
	return ""
}

func (l *fakeLauncher) Attach(pid int) (Process, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.byPID[pid]
	if c == nil || c.exited {
		return nil, errors.New("no such process")
	}
	return &fakeProc{c}, nil
}

func (l *fakeLauncher) Watch(socket string) (Watcher, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.ctrls[socket]
	if c == nil {
		return nil, fmt.Errorf("connecting to controller %s: connection refused", socket)
	}
	w := &fakeWatcher{ch: make(chan monitor.Event, 8), closed: make(chan struct{})}
	w.ch <- monitor.Event{Kind: monitor.EventInit, InitPID: c.initPID}
	c.watchers = append(c.watchers, w)
	return w, nil
}

func (l *fakeLauncher) Call(socket string, req monitor.Request) (monitor.Reply, error) {
	l.mu.Lock()
	l.calls = append(l.calls, req)
	c := l.ctrls[socket]
	ignore := l.ignore[req.Op]
	l.mu.Unlock()
	if c == nil {
		return monitor.Reply{}, errors.New("connection refused")
	}
	if ignore {
		return monitor.Reply{}, nil
	}
	switch req.Op {
	case monitor.OpDestroy:
		c.exit(monitor.ExitShutdown, true)
	case monitor.OpShutdown:
		go c.exit(monitor.ExitShutdown, true)
	case monitor.OpReboot:
		go c.exit(monitor.ExitReboot, true)
	}
	return monitor.Reply{}, nil
}

func (l *fakeLauncher) Console(socket string, index int) (io.ReadWriteCloser, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ctrls[socket] == nil {
		return nil, errors.New("connection refused")
	}
	a, b := net.Pipe()
	l.consoles = append(l.consoles, b)
	return a, nil
}

// ctrl returns the serving controller of domain name.
func (l *fakeLauncher) ctrl(name string) *fakeCtrl {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.ctrls {
		if c.name == name {
			return c
		}
	}
	return nil
}

// exit ends the controller: with an exit event of status when report is
// set (init exited, exit status 0), or silently (the controller crashed).
func (c *fakeCtrl) exit(status string, report bool) {
	code := 0
	if !report {
		code = -1
	}
	c.exitWith(status, report, code)
}

// exitWith ends the controller with exit status code, sending the exit
// event or not.
func (c *fakeCtrl) exitWith(status string, report bool, code int) {
	c.l.mu.Lock()
	if c.exited {
		c.l.mu.Unlock()
		return
	}
	c.exited, c.code = true, code
	delete(c.l.ctrls, c.socket)
	ws := c.watchers
	c.watchers = nil
	c.l.mu.Unlock()
	for _, w := range ws {
		if report {
			w.send(monitor.Event{Kind: monitor.EventExit, Status: status})
		}
		w.Close()
	}
	close(c.done)
}

// fakeWatcher delivers a fake controller's events.
type fakeWatcher struct {
	mu     sync.Mutex
	ch     chan monitor.Event
	closed chan struct{}
	once   sync.Once
}

func (w *fakeWatcher) send(ev monitor.Event) {
	select {
	case w.ch <- ev:
	case <-w.closed:
	}
}

func (w *fakeWatcher) Next() (monitor.Event, error) {
	select {
	case ev := <-w.ch:
		return ev, nil
	default:
	}
	select {
	case ev := <-w.ch:
		return ev, nil
	case <-w.closed:
		select {
		case ev := <-w.ch:
			return ev, nil
		default:
			return monitor.Event{}, io.EOF
		}
	}
}

func (w *fakeWatcher) Close() error {
	w.once.Do(func() { close(w.closed) })
	return nil
}

// fakeProc is a fake controller's process.
type fakeProc struct{ c *fakeCtrl }

func (p *fakeProc) Pid() int              { return p.c.pid }
func (p *fakeProc) Done() <-chan struct{} { return p.c.done }
func (p *fakeProc) ExitCode() int {
	p.c.l.mu.Lock()
	defer p.c.l.mu.Unlock()
	return p.c.code
}
func (p *fakeProc) Signal(sig syscall.Signal) error {
	if sig == syscall.SIGKILL || sig == syscall.SIGTERM {
		p.c.exit("", false)
	}
	return nil
}

// fakeCgroups records what the driver asks of the cgroups.
type fakeCgroups struct {
	mu      sync.Mutex
	stats   cgroups.Stats
	sets    []cgroups.Limits
	removed []string
	setErr  error
}

func (f *fakeCgroups) Stats(name, partition string) (cgroups.Stats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats, nil
}

func (f *fakeCgroups) Set(name, partition string, lim cgroups.Limits) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.setErr != nil {
		return f.setErr
	}
	f.sets = append(f.sets, lim)
	return nil
}

func (f *fakeCgroups) Remove(name, partition string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, name)
	return nil
}

func (f *fakeCgroups) DefaultCPUShares() uint64 { return 1024 }

func (f *fakeCgroups) HasDevices() bool { return true }
