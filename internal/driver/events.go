package driver

import "sync"

// EventKind tells lifecycle events from reboot events.
type EventKind int

// Event kinds: libvirt's VIR_DOMAIN_EVENT_ID_LIFECYCLE and
// VIR_DOMAIN_EVENT_ID_REBOOT.
const (
	EventLifecycle EventKind = 0
	EventReboot    EventKind = 1
)

// EventType is a lifecycle event type (virDomainEventType).
type EventType int32

// Lifecycle event types.
const (
	EventDefined     EventType = 0
	EventUndefined   EventType = 1
	EventStarted     EventType = 2
	EventSuspended   EventType = 3
	EventResumed     EventType = 4
	EventStopped     EventType = 5
	EventShutdown    EventType = 6
	EventPMSuspended EventType = 7
	EventCrashed     EventType = 8
)

// Lifecycle event details produced by this driver (libvirt's
// virDomainEvent*DetailType values for each type).
const (
	DetailDefinedAdded      = 0 // VIR_DOMAIN_EVENT_DEFINED_ADDED
	DetailDefinedUpdated    = 1 // VIR_DOMAIN_EVENT_DEFINED_UPDATED
	DetailUndefinedRemoved  = 0 // VIR_DOMAIN_EVENT_UNDEFINED_REMOVED
	DetailStartedBooted     = 0 // VIR_DOMAIN_EVENT_STARTED_BOOTED
	DetailSuspendedPaused   = 0 // VIR_DOMAIN_EVENT_SUSPENDED_PAUSED
	DetailResumedUnpaused   = 0 // VIR_DOMAIN_EVENT_RESUMED_UNPAUSED
	DetailStoppedShutdown   = 0 // VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN
	DetailStoppedDestroyed  = 1 // VIR_DOMAIN_EVENT_STOPPED_DESTROYED
	DetailStoppedCrashed    = 2 // VIR_DOMAIN_EVENT_STOPPED_CRASHED
	DetailStoppedFailed     = 5 // VIR_DOMAIN_EVENT_STOPPED_FAILED
	DetailShutdownFinished  = 0 // VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED
	DetailCrashedPanicked   = 0 // VIR_DOMAIN_EVENT_CRASHED_PANICKED
	DetailPMSuspendedMemory = 0 // VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY
)

// Event is one domain event. For EventReboot, Type and Detail are zero.
type Event struct {
	Kind   EventKind
	Domain Ref // name, uuid and id at the time of the event
	Type   EventType
	Detail int
}

// Subscription receives every event emitted after Subscribe, in order.
// Emitters never block on a slow subscriber: events queue up until read.
type Subscription struct {
	// C delivers the events; it is closed by Close or when the driver
	// closes.
	C <-chan Event

	ch     chan Event
	bus    *eventBus
	mu     sync.Mutex
	queue  []Event
	wake   chan struct{}
	done   chan struct{}
	closed bool
}

// Close stops the delivery and closes C. It may be called more than once.
func (s *Subscription) Close() {
	s.bus.remove(s)
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	s.mu.Unlock()
}

// push queues ev for delivery.
func (s *Subscription) push(ev Event) {
	s.mu.Lock()
	if !s.closed {
		s.queue = append(s.queue, ev)
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// pump moves queued events to C until the subscription is closed.
func (s *Subscription) pump() {
	defer close(s.ch)
	for {
		s.mu.Lock()
		q := s.queue
		s.queue = nil
		s.mu.Unlock()
		for _, ev := range q {
			select {
			case s.ch <- ev:
			case <-s.done:
				return
			}
		}
		if len(q) > 0 {
			continue
		}
		select {
		case <-s.wake:
		case <-s.done:
			return
		}
	}
}

// eventBus fans events out to the subscriptions.
type eventBus struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
}

func newEventBus() *eventBus {
	return &eventBus{subs: map[*Subscription]struct{}{}}
}

func (b *eventBus) subscribe() *Subscription {
	ch := make(chan Event)
	s := &Subscription{C: ch, ch: ch, bus: b, wake: make(chan struct{}, 1), done: make(chan struct{})}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	go s.pump()
	return s
}

func (b *eventBus) remove(s *Subscription) {
	b.mu.Lock()
	delete(b.subs, s)
	b.mu.Unlock()
}

func (b *eventBus) emit(ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		s.push(ev)
	}
}

func (b *eventBus) closeAll() {
	b.mu.Lock()
	subs := make([]*Subscription, 0, len(b.subs))
	for s := range b.subs {
		subs = append(subs, s)
	}
	b.mu.Unlock()
	for _, s := range subs {
		s.Close()
	}
}

// Subscribe returns a subscription to every domain event emitted from now
// on. The caller must Close it.
func (d *Driver) Subscribe() *Subscription {
	return d.events.subscribe()
}
