package driver

import "virtlxc/internal/eventbus"

// EventKind tells lifecycle events from reboot events.
type EventKind int

// Event kinds: libvirt's VIR_DOMAIN_EVENT_ID_LIFECYCLE and
// VIR_DOMAIN_EVENT_ID_REBOOT.
const (
	EventLifecycle EventKind = 0
	EventReboot    EventKind = 1
	// EventMetadataChange is VIR_DOMAIN_EVENT_ID_METADATA_CHANGE.
	EventMetadataChange EventKind = 23
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
	// MetadataType and NSURI describe a METADATA_CHANGE: the
	// virDomainMetadataType changed and, for an element, its namespace.
	MetadataType int32
	NSURI        string
	HasNSURI     bool
}

// Subscription receives every domain event emitted after Subscribe, in
// order (see eventbus.Subscription).
type Subscription = eventbus.Subscription[Event]

// Subscribe returns a subscription to every domain event emitted from now
// on. The caller must Close it.
func (d *Driver) Subscribe() *Subscription {
	return d.events.Subscribe()
}
