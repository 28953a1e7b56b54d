package network

import "virtlxc/internal/eventbus"

// EventType is virNetworkEventLifecycleType.
type EventType int32

// Network lifecycle events, with libvirt's numbers.
const (
	EventDefined   EventType = 0 // VIR_NETWORK_EVENT_DEFINED
	EventUndefined EventType = 1 // VIR_NETWORK_EVENT_UNDEFINED
	EventStarted   EventType = 2 // VIR_NETWORK_EVENT_STARTED
	EventStopped   EventType = 3 // VIR_NETWORK_EVENT_STOPPED
)

// Event is one network lifecycle event (its detail is always 0).
type Event struct {
	Name, UUID string
	Type       EventType
}

// Subscription receives the network events emitted after Subscribe.
type Subscription = eventbus.Subscription[Event]

// Subscribe returns a subscription to every network event from now on
// (define, undefine, start, destroy through the API, as libvirt's network
// driver emits them). The caller must Close it.
func (r *Registry) Subscribe() *Subscription { return r.events.Subscribe() }

// emit sends an event for o.
func (r *Registry) emit(o *object, t EventType) {
	r.events.Emit(Event{Name: o.def.Name, UUID: o.def.UUID, Type: t})
}
