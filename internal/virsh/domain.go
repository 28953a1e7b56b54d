package virsh

import (
	"encoding/hex"
	"fmt"
	"strings"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/wire"
	"virtlxc/internal/virerr"
)

// Ways to look a domain up (virsh's VIRSH_BYID, VIRSH_BYUUID, VIRSH_BYNAME).
const (
	byID = 1 << iota
	byUUID
	byName
	byAny = byID | byUUID | byName
)

// call makes a REMOTE_PROGRAM call.
func (c *Conn) call(proc uint32, args, ret any) error {
	return c.Call(wire.ProgramRemote, proc, args, ret)
}

// supports asks CONNECT_SUPPORTS_FEATURE, as libvirt's client does before
// calls that depend on a feature; a failed call is an error.
func (c *Conn) supports(feature int32) (bool, error) {
	var ret libvirt.ConnectSupportsFeatureRet
	if err := c.call(proto.ProcConnectSupportsFeature, &libvirt.ConnectSupportsFeatureArgs{Feature: feature}, &ret); err != nil {
		return false, err
	}
	return ret.Supported != 0, nil
}

// typedParamStringFlag is VIR_TYPED_PARAM_STRING_OKAY when the server
// supports string typed parameters (libvirt adds it to every typed
// parameter getter's flags).
func (c *Conn) typedParamStringFlag() (uint32, error) {
	ok, err := c.supports(proto.FeatureTypedParamString)
	if err != nil {
		return 0, err
	}
	if ok {
		return 1 << 2, nil
	}
	return 0, nil
}

// parseUUID parses a UUID the way virUUIDParse accepts it: 32 hex digits,
// dashes and blanks between them ignored.
func parseUUID(s string) (libvirt.UUID, bool) {
	var u libvirt.UUID
	clean := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if len(clean) != 32 {
		return u, false
	}
	b, err := hex.DecodeString(clean)
	if err != nil {
		return u, false
	}
	copy(u[:], b)
	return u, true
}

// formatUUID formats a UUID in its canonical 36-character form.
func formatUUID(u libvirt.UUID) string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// lookupDomain resolves a domain argument as virsh's
// virshLookupDomainInternal: an id when it is a non-negative number, a
// UUID when it is 36 characters long, else a name; any failure is
// "failed to get domain".
func (c *Conn) lookupDomain(name string, how int) (libvirt.Domain, error) {
	if how&byID != 0 {
		if id, err := ParseInt(name); err == nil && id >= 0 {
			var ret libvirt.DomainLookupByIDRet
			if err := c.call(proto.ProcDomainLookupByID, &libvirt.DomainLookupByIDArgs{ID: int32(id)}, &ret); err == nil {
				return ret.Dom, nil
			}
		}
	}
	if how&byUUID != 0 && len(name) == 36 {
		if u, ok := parseUUID(name); ok {
			var ret libvirt.DomainLookupByUUIDRet
			if err := c.call(proto.ProcDomainLookupByUUID, &libvirt.DomainLookupByUUIDArgs{UUID: u}, &ret); err == nil {
				return ret.Dom, nil
			}
		}
	}
	if how&byName != 0 {
		var ret libvirt.DomainLookupByNameRet
		if err := c.call(proto.ProcDomainLookupByName, &libvirt.DomainLookupByNameArgs{Name: name}, &ret); err == nil {
			return ret.Dom, nil
		}
	}
	return libvirt.Domain{}, cmdErrorf("failed to get domain '%s'", name)
}

// domainArg looks up the command's --domain option.
func (s *Session) domainArg(pc *ParsedCmd, how int) (libvirt.Domain, error) {
	name, _, err := pc.String("domain")
	if err != nil {
		return libvirt.Domain{}, err
	}
	c, err := s.connection()
	if err != nil {
		return libvirt.Domain{}, err
	}
	return c.lookupDomain(name, how)
}

// Domain states (virDomainState).
const (
	stateNoState     = 0
	stateRunning     = 1
	stateBlocked     = 2
	statePaused      = 3
	stateShutdown    = 4
	stateShutoff     = 5
	stateCrashed     = 6
	statePMSuspended = 7
)

// domainState is virsh's virshDomainState: DOMAIN_GET_STATE, falling back
// to DOMAIN_GET_INFO when the server lacks it.
func (c *Conn) domainState(dom libvirt.Domain) (state, reason int, err error) {
	var ret libvirt.DomainGetStateRet
	err = c.call(proto.ProcDomainGetState, &libvirt.DomainGetStateArgs{Dom: dom}, &ret)
	if err == nil {
		return int(ret.State), int(ret.Reason), nil
	}
	if !isNoSupport(err) {
		return 0, 0, err
	}
	info, err := c.domainInfo(dom)
	if err != nil {
		return 0, 0, err
	}
	return int(info.State), 0, nil
}

func (c *Conn) domainInfo(dom libvirt.Domain) (libvirt.DomainGetInfoRet, error) {
	var ret libvirt.DomainGetInfoRet
	err := c.call(proto.ProcDomainGetInfo, &libvirt.DomainGetInfoArgs{Dom: dom}, &ret)
	return ret, err
}

var stateNames = []string{"no state", "running", "idle", "paused", "in shutdown", "shut off", "crashed", "pmsuspended"}

// StateString is virsh's word for a domain state.
func StateString(state int) string {
	if state >= 0 && state < len(stateNames) {
		return stateNames[state]
	}
	return "no state"
}

var reasonNames = map[int][]string{
	stateNoState:     {"unknown"},
	stateRunning:     {"unknown", "booted", "migrated", "restored", "from snapshot", "unpaused", "migration canceled", "save canceled", "event wakeup", "crashed", "post-copy", "post-copy failed"},
	stateBlocked:     {"unknown"},
	statePaused:      {"unknown", "user", "migrating", "saving", "dumping", "I/O error", "watchdog", "from snapshot", "shutting down", "creating snapshot", "crashed", "starting up", "post-copy", "post-copy failed", "api error"},
	stateShutdown:    {"unknown", "user"},
	stateShutoff:     {"unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed", "from snapshot", "daemon"},
	stateCrashed:     {"unknown", "panicked"},
	statePMSuspended: {"unknown"},
}

// ReasonString is virsh's word for a state's reason.
func ReasonString(state, reason int) string {
	names := reasonNames[state]
	if reason >= 0 && reason < len(names) {
		return names[reason]
	}
	return "unknown"
}

// idString formats a domain id as virsh lists it: "-" when inactive.
func idString(dom libvirt.Domain) string {
	if dom.ID == -1 {
		return "-"
	}
	return fmt.Sprint(dom.ID)
}

// isActive reports whether dom, as looked up, is running.
func isActive(dom libvirt.Domain) bool { return dom.ID != -1 }

// noSupport builds the error libvirt reports for a missing API.
func noSupport(api string) error {
	return virerr.New(virerr.ErrNoSupport, virerr.FromNone, "%s", api)
}
