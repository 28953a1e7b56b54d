package driver

// State is a libvirt virDomainState.
type State int32

// Domain states (virDomainState).
const (
	StateNoState     State = 0 // VIR_DOMAIN_NOSTATE
	StateRunning     State = 1 // VIR_DOMAIN_RUNNING
	StateBlocked     State = 2 // VIR_DOMAIN_BLOCKED
	StatePaused      State = 3 // VIR_DOMAIN_PAUSED
	StateShutdown    State = 4 // VIR_DOMAIN_SHUTDOWN
	StateShutoff     State = 5 // VIR_DOMAIN_SHUTOFF
	StateCrashed     State = 6 // VIR_DOMAIN_CRASHED
	StatePMSuspended State = 7 // VIR_DOMAIN_PMSUSPENDED
)

// Reasons for StateRunning (virDomainRunningReason) used by this driver.
const (
	RunningUnknown  = 0 // VIR_DOMAIN_RUNNING_UNKNOWN (reconnected)
	RunningBooted   = 1 // VIR_DOMAIN_RUNNING_BOOTED
	RunningUnpaused = 5 // VIR_DOMAIN_RUNNING_UNPAUSED
)

// Reasons for StatePaused (virDomainPausedReason) used by this driver.
const (
	PausedUnknown = 0 // VIR_DOMAIN_PAUSED_UNKNOWN
	PausedUser    = 1 // VIR_DOMAIN_PAUSED_USER
)

// Reasons for StateShutoff (virDomainShutoffReason) used by this driver.
const (
	ShutoffUnknown   = 0 // VIR_DOMAIN_SHUTOFF_UNKNOWN (never started)
	ShutoffShutdown  = 1 // VIR_DOMAIN_SHUTOFF_SHUTDOWN
	ShutoffDestroyed = 2 // VIR_DOMAIN_SHUTOFF_DESTROYED
	ShutoffCrashed   = 3 // VIR_DOMAIN_SHUTOFF_CRASHED
	ShutoffFailed    = 6 // VIR_DOMAIN_SHUTOFF_FAILED
)

// stateNames are libvirt's virDomainState strings (status XML).
var stateNames = []string{"nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended"}

// reasonNames are libvirt's per-state reason strings (status XML), indexed
// by state then reason.
var reasonNames = map[State][]string{
	StateNoState: {"unknown"},
	StateRunning: {"unknown", "booted", "migrated", "restored", "from snapshot", "unpaused",
		"migration canceled", "save canceled", "wakeup", "crashed", "post-copy", "post-copy failed"},
	StateBlocked: {"unknown"},
	StatePaused: {"unknown", "user", "migration", "save", "dump", "ioerror", "watchdog",
		"from snapshot", "shutdown", "snapshot", "panicked", "starting up", "post-copy",
		"post-copy failed", "api error"},
	StateShutdown:    {"unknown", "user"},
	StateShutoff:     {"unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed", "from snapshot", "daemon"},
	StateCrashed:     {"unknown", "panicked"},
	StatePMSuspended: {"unknown"},
}

// String returns libvirt's name of the state ("running", "shutoff", ...).
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "nostate"
	}
	return stateNames[s]
}

// ReasonString returns libvirt's name of reason r for state s.
func ReasonString(s State, r int) string {
	names := reasonNames[s]
	if r < 0 || r >= len(names) {
		return "unknown"
	}
	return names[r]
}

// parseState is the inverse of State.String and ReasonString.
func parseState(state, reason string) (State, int, bool) {
	for i, n := range stateNames {
		if n != state {
			continue
		}
		s := State(i)
		for j, rn := range reasonNames[s] {
			if rn == reason {
				return s, j, true
			}
		}
		return s, 0, reason == ""
	}
	return StateNoState, 0, false
}

// ConnectListAllDomains filter flags (virConnectListAllDomainsFlags).
const (
	ListActive        uint32 = 1 << 0
	ListInactive      uint32 = 1 << 1
	ListPersistent    uint32 = 1 << 2
	ListTransient     uint32 = 1 << 3
	ListRunning       uint32 = 1 << 4
	ListPaused        uint32 = 1 << 5
	ListShutoff       uint32 = 1 << 6
	ListOther         uint32 = 1 << 7
	ListManagedSave   uint32 = 1 << 8
	ListNoManagedSave uint32 = 1 << 9
	ListAutostart     uint32 = 1 << 10
	ListNoAutostart   uint32 = 1 << 11
	ListHasSnapshot   uint32 = 1 << 12
	ListNoSnapshot    uint32 = 1 << 13
	ListHasCheckpoint uint32 = 1 << 14
	ListNoCheckpoint  uint32 = 1 << 15

	// listAll is every filter flag (VIR_CONNECT_LIST_DOMAINS_FILTERS_ALL).
	listAll uint32 = 1<<16 - 1
)

// Flags of the define, start and create calls.
const (
	DefineValidate uint32 = 1 << 0 // VIR_DOMAIN_DEFINE_VALIDATE

	StartPaused      uint32 = 1 << 0 // VIR_DOMAIN_START_PAUSED (rejected by LXC)
	StartAutodestroy uint32 = 1 << 1 // VIR_DOMAIN_START_AUTODESTROY
	StartBypassCache uint32 = 1 << 2 // VIR_DOMAIN_START_BYPASS_CACHE (rejected)
	StartForceBoot   uint32 = 1 << 3 // VIR_DOMAIN_START_FORCE_BOOT (rejected)
	StartValidate    uint32 = 1 << 4 // VIR_DOMAIN_START_VALIDATE (createXML only)
	StartResetNVRAM  uint32 = 1 << 5 // VIR_DOMAIN_START_RESET_NVRAM (rejected)
)

// Shutdown and reboot modes (virDomainShutdownFlagValues and
// virDomainRebootFlagValues share these values).
const (
	ShutdownDefault  uint32 = 0      // initctl, then a signal
	ShutdownACPI     uint32 = 1 << 0 // rejected by LXC
	ShutdownAgent    uint32 = 1 << 1 // rejected by LXC
	ShutdownInitctl  uint32 = 1 << 2 // VIR_DOMAIN_SHUTDOWN_INITCTL
	ShutdownSignal   uint32 = 1 << 3 // VIR_DOMAIN_SHUTDOWN_SIGNAL
	ShutdownParavirt uint32 = 1 << 4 // rejected by LXC
)

// GetXMLDesc flags (virDomainXMLFlags).
const (
	XMLSecure     uint32 = 1 << 0 // VIR_DOMAIN_XML_SECURE
	XMLInactive   uint32 = 1 << 1 // VIR_DOMAIN_XML_INACTIVE
	XMLUpdateCPU  uint32 = 1 << 2 // VIR_DOMAIN_XML_UPDATE_CPU (rejected by LXC)
	XMLMigratable uint32 = 1 << 3 // VIR_DOMAIN_XML_MIGRATABLE
)

// Modification impact flags (virDomainModificationImpact) and the
// memory-specific extensions.
const (
	AffectCurrent uint32 = 0      // VIR_DOMAIN_AFFECT_CURRENT
	AffectLive    uint32 = 1 << 0 // VIR_DOMAIN_AFFECT_LIVE
	AffectConfig  uint32 = 1 << 1 // VIR_DOMAIN_AFFECT_CONFIG
	MemMaximum    uint32 = 1 << 2 // VIR_DOMAIN_MEM_MAXIMUM (SetMemoryFlags)

	// TypedParamStringOkay is VIR_TYPED_PARAM_STRING_OKAY, accepted by the
	// parameter getters.
	TypedParamStringOkay uint32 = 1 << 2
)

// MemoryParamUnlimited is VIR_DOMAIN_MEMORY_PARAM_UNLIMITED (KiB): no limit.
const MemoryParamUnlimited uint64 = 9007199254740991

// Ref identifies a domain: its name, UUID (canonical lowercase, dashed)
// and id (the controller's pid while active, -1 when inactive), as
// libvirt's remote_nonnull_domain carries them.
type Ref struct {
	Name string
	UUID string
	ID   int
}

// Info is virDomainGetInfo's answer.
type Info struct {
	State     State
	MaxMemKiB uint64 // <memory>
	MemoryKiB uint64 // cgroup usage while active, <currentMemory> otherwise
	NrVirtCPU uint16
	CPUTimeNs uint64 // cgroup CPU time while active, 0 otherwise
}
