package virsh

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/signal"
	"sync"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/client"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/xdr"
)

// EventNames are libvirt 9.0's domain event types, indexed by event id.
var EventNames = []string{
	"lifecycle", "reboot", "rtc-change", "watchdog", "io-error", "graphics",
	"io-error-reason", "control-error", "block-job", "disk-change", "tray-change",
	"pm-wakeup", "pm-suspend", "balloon-change", "pm-suspend-disk", "device-removed",
	"block-job-2", "tunable", "agent-lifecycle", "device-added", "migration-iteration",
	"job-completed", "device-removal-failed", "metadata-change", "block-threshold",
	"memory-failure", "memory-device-size-change",
}

var lifecycleEvents = []string{"Defined", "Undefined", "Started", "Suspended", "Resumed", "Stopped", "Shutdown", "PMSuspended", "Crashed"}

var lifecycleDetails = [][]string{
	{"Added", "Updated", "Renamed", "Snapshot"},
	{"Removed", "Renamed"},
	{"Booted", "Migrated", "Restored", "Snapshot", "Event wakeup"},
	{"Paused", "Migrated", "I/O Error", "Watchdog", "Restored", "Snapshot", "API error", "Post-copy", "Post-copy Error"},
	{"Unpaused", "Migrated", "Snapshot", "Post-copy", "Post-copy Error"},
	{"Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed", "Snapshot"},
	{"Finished", "Finished after guest request", "Finished after host request"},
	{"Memory", "Disk"},
	{"Panicked", "Crashloaded"},
}

// FormatLifecycle renders a lifecycle event as "virsh event" prints it.
func FormatLifecycle(domain string, event, detail int) string {
	ev, det := "unknown", "unknown"
	if event >= 0 && event < len(lifecycleEvents) {
		ev = lifecycleEvents[event]
		if detail >= 0 && detail < len(lifecycleDetails[event]) {
			det = lifecycleDetails[event][detail]
		}
	}
	return fmt.Sprintf("event 'lifecycle' for domain '%s': %s %s\n", domain, ev, det)
}

// TimestampNow is libvirt's virTimeStringNowRaw: UTC with milliseconds.
func TimestampNow(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.000") + "+0000"
}

func cmdEvent() *CmdDef {
	return &CmdDef{
		Name: "event", Group: "events",
		Help: "Domain Events",
		Desc: "List event types, or wait for domain events to occur",
		Opts: []OptDef{
			{Name: "domain", Type: OptString, Complete: CompleteDomain, Help: "filter by domain name, id or uuid"},
			{Name: "event", Type: OptString, Complete: CompleteEvent, Help: "which event type to wait for"},
			optBool("all", "wait for all events instead of just one type"),
			optBool("loop", "loop until timeout or interrupt, rather than one-shot"),
			{Name: "timeout", Type: OptInt, Help: "timeout seconds"},
			optBool("list", "list valid event types"),
			optBool("timestamp", "show timestamp for each printed event"),
		},
		Run: runEvent,
	}
}

// eventHeader is the start of every callback event message.
type eventHeader struct {
	CallbackID int32
	Dom        libvirt.Domain
}

func runEvent(s *Session, pc *ParsedCmd) error {
	for _, p := range [][2]string{{"all", "event"}, {"list", "all"}, {"list", "event"}} {
		if err := pc.Exclusive(p[0], p[1]); err != nil {
			return err
		}
	}
	if pc.Bool("list") {
		for _, n := range EventNames {
			s.printf("%s\n", n)
		}
		return nil
	}
	name, hasName, err := pc.String("event")
	if err != nil {
		return err
	}
	all := pc.Bool("all")
	if !hasName && !all {
		return cmdErrorf("one of --list, --all, or --event <type> is required")
	}
	var ids []int32
	for i, n := range EventNames {
		if !hasName || n == name {
			ids = append(ids, int32(i))
		}
	}
	if len(ids) == 0 {
		return cmdErrorf("unknown event type %s", name)
	}
	timeout, hasTimeout, err := eventTimeout(pc)
	if err != nil {
		return err
	}
	var filter libvirt.OptDomain
	if pc.Bool("domain") {
		dom, err := s.domainArg(pc, byAny)
		if err != nil {
			return err
		}
		filter = libvirt.OptDomain{dom}
	}
	w := &eventWaiter{s: s, loop: pc.Bool("loop"), timestamp: pc.Bool("timestamp"),
		names: map[int32]string{}, wake: make(chan struct{}, 1)}
	c := s.conn
	c.setEventHandler(w.receive)
	defer c.setEventHandler(nil)
	var cbIDs []int32
	defer func() {
		for _, id := range cbIDs {
			c.call(proto.ProcConnectDomainEventCallbackDeregisterAny, &libvirt.ConnectDomainEventCallbackDeregisterAnyArgs{CallbackID: id}, nil)
		}
	}()
	for i, id := range ids {
		var ret libvirt.ConnectDomainEventCallbackRegisterAnyRet
		err := c.call(proto.ProcConnectDomainEventCallbackRegisterAny, &libvirt.ConnectDomainEventCallbackRegisterAnyArgs{EventID: id, Dom: filter}, &ret)
		if err != nil {
			if i == 0 {
				return err
			}
			continue
		}
		w.mu.Lock()
		w.names[ret.CallbackID] = EventNames[id]
		w.mu.Unlock()
		cbIDs = append(cbIDs, ret.CallbackID)
	}
	err = w.wait(c, timeout, hasTimeout)
	if errors.Is(err, errDisconnected) {
		cbIDs = nil // nothing to deregister on a closed connection
	}
	return err
}

// eventTimeout reads --timeout as virsh's vshCommandOptTimeoutToMs does:
// whole seconds, at least one, that fit in milliseconds.
func eventTimeout(pc *ParsedCmd) (uint, bool, error) {
	timeout, has, err := pc.Uint("timeout")
	if err != nil {
		return 0, false, err
	}
	if has && (timeout == 0 || timeout > math.MaxInt32/1000) {
		return 0, false, cmdErrorf("Numeric value '%d' for <timeout> option is malformed or out of range", timeout)
	}
	return timeout, has, nil
}

// errDisconnected is wait's error when the daemon closed the connection.
var errDisconnected = cmdErrorf("internal error: client socket is closed")

// wait prints events until one arrived (without --loop), the timeout
// passed, the user interrupted or the connection closed, then the outcome
// and the count, as virsh's vshEventWait and its callers do.
func (w *eventWaiter) wait(c *Conn, timeout uint, hasTimeout bool) error {
	s := w.s
	var deadline <-chan time.Time
	if hasTimeout {
		deadline = time.After(time.Duration(timeout) * time.Second)
	}
	intr := make(chan os.Signal, 1)
	signal.Notify(intr, os.Interrupt)
	defer signal.Stop(intr)
	outcome := ""
	for outcome == "" {
		w.flush()
		if w.isDone() {
			break
		}
		select {
		case <-w.wake:
		case <-deadline:
			outcome = "event loop timed out\n"
		case <-intr:
			outcome = "event loop interrupted\n"
		case <-c.Done():
			w.flush()
			fmt.Fprintf(s.Stderr, "error: Disconnected from %s due to end of file\n", s.URI)
			s.printf("events received: %d\n", w.count)
			return errDisconnected
		}
	}
	s.print(outcome)
	s.printf("events received: %d\n", w.count)
	if w.count == 0 {
		return silentFailure()
	}
	return nil
}

// eventWaiter collects event messages from the connection's reader and
// prints them on the command's goroutine.
type eventWaiter struct {
	s               *Session
	loop, timestamp bool
	// render turns a message into its line ("" to skip it); nil is the
	// domain events' format.
	render func(client.Event) string

	mu      sync.Mutex
	names   map[int32]string
	pending []client.Event
	wake    chan struct{}
	count   int
}

func (w *eventWaiter) receive(ev client.Event) {
	w.mu.Lock()
	w.pending = append(w.pending, ev)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *eventWaiter) isDone() bool { return !w.loop && w.count > 0 }

func (w *eventWaiter) flush() {
	w.mu.Lock()
	evs := w.pending
	w.pending = nil
	w.mu.Unlock()
	for _, ev := range evs {
		render := w.render
		if render == nil {
			render = w.format
		}
		text := render(ev)
		if text == "" || w.isDone() {
			continue
		}
		if w.timestamp {
			w.s.printf("%s: ", TimestampNow(time.Now()))
		}
		w.s.print(text)
		w.count++
	}
}

func (w *eventWaiter) format(ev client.Event) string {
	var hdr eventHeader
	if err := xdr.Unmarshal(ev.Payload, &hdr); err != nil {
		return ""
	}
	w.mu.Lock()
	name, ok := w.names[hdr.CallbackID]
	w.mu.Unlock()
	if !ok {
		return ""
	}
	if ev.Procedure == proto.ProcDomainEventCallbackLifecycle {
		var msg libvirt.DomainEventCallbackLifecycleMsg
		if err := ev.Decode(&msg); err != nil {
			return ""
		}
		return FormatLifecycle(msg.Msg.Dom.Name, int(msg.Msg.Event), int(msg.Msg.Detail))
	}
	return fmt.Sprintf("event '%s' for domain '%s'\n", name, hdr.Dom.Name)
}
