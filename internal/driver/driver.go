package driver

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/audit"
	"virtlxc/internal/cgroups"
	"virtlxc/internal/configstore"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/eventbus"
	"virtlxc/internal/paths"
)

// ConnID identifies a client connection, for AUTODESTROY domains.
type ConnID uint64

// Options configure a Driver.
type Options struct {
	// Layout is libvirt's file layout (configs, state, logs).
	Layout paths.Layout
	// ControllerPath is the virtlxc-controller executable.
	ControllerPath string
	// CgroupScope keeps this daemon's cgroups apart from other daemons'
	// (empty for the system daemon).
	CgroupScope string
	// Emulator is the <emulator> filled into definitions that have none;
	// empty means domainxml.DefaultEmulator.
	Emulator string
	// Log receives the driver's log; nil discards it.
	Log *slog.Logger
	// Launcher starts and talks to controllers; nil means the real one.
	Launcher Launcher
	// Cgroups reads and tunes the domains' cgroups; nil means the host's.
	Cgroups Cgroups
	// Audit receives libvirt's audit records (spec §5); nil drops them.
	// The daemon passes an audit.Sender.
	Audit audit.Sink
	// Networks resolves <interface type='network'>; nil leaves such
	// interfaces unresolved (the start fails).
	Networks Networks
	// SpareController keeps controllers booted ahead of the next
	// start (the real launcher only).
	SpareController bool
}

// Driver is the LXC domain driver. Its methods are safe for concurrent
// use.
type Driver struct {
	layout     paths.Layout
	controller string
	scope      string
	emulator   string
	log        *slog.Logger
	store      *configstore.Store
	launcher   Launcher
	cg         Cgroups
	events     *eventbus.Bus[Event]
	audit      audit.Sink
	networks   Networks

	// jobWait and startTimeout are variables so tests can shorten them.
	jobWait      time.Duration
	startTimeout time.Duration

	mu     sync.RWMutex // guards byName and byUUID
	byName map[string]*domain
	byUUID map[string]*domain

	lockFile *os.File
	lastWork atomic.Int64 // UnixNano of the last work (Worked)
	closing  chan struct{}
	closed   sync.Once
	wg       sync.WaitGroup // exit watchers
}

// New starts the driver: it takes the driver lock (STATE/driver.pid),
// finds the running domains again from their status files, loads the
// persistent configs and, on the first start since boot, starts the
// domains marked autostart.
func New(opts Options) (*Driver, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Emulator == "" {
		opts.Emulator = domainxml.DefaultEmulator
	}
	pace := opts.Launcher == nil
	if opts.Launcher == nil {
		if opts.ControllerPath == "" {
			return nil, errors.New("driver: no controller executable given")
		}
		l := execLauncher{}
		if opts.SpareController {
			l.spares = newSparePool(opts.ControllerPath, append(controllerEnv(), spareGOMAXPROCS), opts.Layout, opts.CgroupScope, opts.Log)
		}
		opts.Launcher = l
	}
	if opts.Cgroups == nil {
		opts.Cgroups = &hostCgroups{scope: opts.CgroupScope, log: opts.Log}
	}
	d := &Driver{
		layout:       opts.Layout,
		controller:   opts.ControllerPath,
		scope:        opts.CgroupScope,
		emulator:     opts.Emulator,
		log:          opts.Log,
		store:        configstore.New(opts.Layout.ConfigDir, opts.Layout.AutostartDir, opts.Log),
		launcher:     opts.Launcher,
		cg:           opts.Cgroups,
		events:       eventbus.New[Event](),
		audit:        nonNilSink(opts.Audit),
		networks:     opts.Networks,
		jobWait:      jobWait,
		startTimeout: startTimeout,
		byName:       map[string]*domain{},
		byUUID:       map[string]*domain{},
		closing:      make(chan struct{}),
	}
	if err := d.layout.MkdirAll(); err != nil {
		return nil, err
	}
	if err := d.acquireLock(); err != nil {
		return nil, err
	}
	d.loadStatus()
	d.loadConfigs()
	d.autostartAll()
	if after := keepAfter(opts.ControllerPath); pace && after > 0 {
		d.Worked()
		d.wg.Add(1)
		go d.paceKeepers(after)
	}
	return d, nil
}

// acquireLock takes an exclusive lock on STATE/driver.pid and writes this
// process's pid there, so a second driver on the same state directory
// fails.
func (d *Driver) acquireLock() error {
	path := d.layout.DriverPidFile()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("cannot open driver pid file %s: %w", path, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		data, _ := os.ReadFile(path)
		f.Close()
		owner := strings.TrimSpace(string(data))
		if errors.Is(err, unix.EWOULDBLOCK) {
			return fmt.Errorf("another LXC driver (pid %s) is already using state directory %s", owner, d.layout.StateDir)
		}
		return fmt.Errorf("cannot lock driver pid file %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		if err != nil {
			d.log.Warn("cannot write driver pid file", "file", path, "err", err)
		}
	}
	d.lockFile = f
	return nil
}

// Close stops the driver without touching the domains: running
// containers keep running and a new Driver finds them again. Event
// subscriptions are closed.
func (d *Driver) Close() error {
	d.closed.Do(func() {
		close(d.closing)
		for _, dom := range d.all() {
			dom.mu.Lock()
			if dom.run != nil && dom.run.watcher != nil {
				_ = dom.run.watcher.Close()
			}
			dom.mu.Unlock()
		}
		d.wg.Wait()
		if c, ok := d.launcher.(io.Closer); ok {
			_ = c.Close() // the spare controller
		}
		d.events.CloseAll()
		d.removeScope()
		if d.lockFile != nil {
			_ = d.lockFile.Close()
		}
	})
	return nil
}

// isClosing reports whether Close was called.
func (d *Driver) isClosing() bool {
	select {
	case <-d.closing:
		return true
	default:
		return false
	}
}

// emit publishes a lifecycle event for ref.
func (d *Driver) emit(ref Ref, t EventType, detail int) {
	d.events.Emit(Event{Kind: EventLifecycle, Domain: ref, Type: t, Detail: detail})
}

// register adds dom to the registry. Callers hold d.mu for writing.
func (d *Driver) register(dom *domain) {
	d.byName[dom.name] = dom
	d.byUUID[dom.uuid] = dom
}

// unregister removes dom from the registry if it is still there.
// Callers hold d.mu for writing and dom.mu.
func (d *Driver) unregister(dom *domain) {
	if d.byUUID[dom.uuid] == dom {
		delete(d.byUUID, dom.uuid)
	}
	if d.byName[dom.name] == dom {
		delete(d.byName, dom.name)
	}
	dom.removed = true
}

// removeIfGone drops a transient domain that is no longer running.
func (d *Driver) removeIfGone(dom *domain) {
	d.mu.Lock()
	defer d.mu.Unlock()
	dom.mu.Lock()
	defer dom.mu.Unlock()
	if !dom.persistent() && !dom.active() && dom.run == nil && !dom.removed {
		d.unregister(dom)
	}
}

// removeScope removes a private daemon's (empty) cgroup scope partition
// when the daemon stops; running containers keep it, and so it stays.
func (d *Driver) removeScope() {
	if d.scope == "" {
		return
	}
	layout, err := cgroups.Detect()
	if err != nil {
		return
	}
	m, err := cgroups.NewManager(layout, cgroups.Naming{Scope: d.scope}, d.log)
	if err != nil {
		return
	}
	if err := m.RemovePartition(); err != nil {
		d.log.Debug("cgroup scope partition kept", "err", err)
	}
}
