package caps

import (
	"fmt"
	"slices"
)

// Capability policies of `<features><capabilities policy=…>`.
const (
	// PolicyDefault keeps everything except libvirt's default drop list.
	PolicyDefault = "default"
	// PolicyAllow keeps everything except capabilities switched off.
	PolicyAllow = "allow"
	// PolicyDeny drops everything except capabilities switched on.
	PolicyDeny = "deny"
)

// Capability states of `<features><capabilities><NAME state=…/>`.
const (
	// StateOn asks for the capability to be kept.
	StateOn = "on"
	// StateOff asks for the capability to be dropped.
	StateOff = "off"
)

// Plan computes the capabilities the container init keeps in its bounding,
// effective, permitted and inheritable sets. It mirrors libvirt's
// lxcContainerDropCapabilities:
//
//   - policy "deny": nothing but the capabilities with state "on";
//   - policy "default" (also ""): sys_boot is dropped unless its state is
//     "on" or hasReboot is true (the kernel supports containerised reboot,
//     see the reboot probe of the container child); sys_module, sys_time,
//     mknod, audit_control and mac_admin are dropped unless "on"; every
//     other capability is dropped only if "off";
//   - policy "allow": everything but the capabilities with state "off".
//
// Under "default" and "allow" the capabilities libvirt has no name for
// (audit_read, perfmon, bpf, checkpoint_restore) are kept, as libvirt never
// touches them; under "deny" they are dropped.
//
// [quirk] As in libvirt, under "default" a `<sys_boot state='off'/>` is
// ignored when hasReboot is true: CAP_SYS_BOOT is then kept.
//
// states maps libvirt capability names (see [LibvirtNames]) to "on" or
// "off"; "" and "default" mean no state, as if the element were absent.
// An unknown name, state or policy is an error. lastCap is the highest
// capability the running kernel knows (see [LastCap]); higher capabilities
// are skipped, as libvirt skips caps for which cap_valid() fails, and are
// never in the result.
func Plan(policy string, states map[string]string, hasReboot bool, lastCap int) (Set, error) {
	if lastCap < 0 || lastCap > maxCap {
		return Set{}, fmt.Errorf("planning capabilities: last capability %d out of range 0..%d", lastCap, maxCap)
	}
	if err := checkStates(states); err != nil {
		return Set{}, fmt.Errorf("planning capabilities: %w", err)
	}

	var keep Set
	switch policy {
	case PolicyDeny:
		// capng_clear(CAPNG_SELECT_BOTH), then add each cap switched on.
	case PolicyDefault, "", PolicyAllow:
		keep = upTo(lastCap)
	default:
		return Set{}, fmt.Errorf("planning capabilities: unknown capabilities policy %q", policy)
	}

	for _, c := range libvirtCaps {
		if c.num > lastCap {
			continue
		}
		state := states[c.name]
		switch policy {
		case PolicyDeny:
			if state == StateOn {
				keep = keep.with(c.num)
			}
		case PolicyAllow:
			if state == StateOff {
				keep = keep.without(c.num)
			}
		default:
			if dropByDefault(c.num, state, hasReboot) {
				keep = keep.without(c.num)
			}
		}
	}
	return keep, nil
}

// dropByDefault is the "default" policy's decision for one capability.
func dropByDefault(num int, state string, hasReboot bool) bool {
	switch num {
	case capSysBoot:
		// No use of reboot, unless the kernel makes reboot(2) in a pid
		// namespace safe (it then only kills the container's init).
		return !hasReboot && state != StateOn
	case capSysModule, capSysTime, capMknod, capAuditControl, capMacAdmin:
		// No kernel modules, clock changes, device nodes, audit
		// configuration or LSM policy changes.
		return state != StateOn
	default:
		return state == StateOff
	}
}

// checkStates rejects unknown capability names and states. Names are
// checked in sorted order so the error is deterministic.
func checkStates(states map[string]string) error {
	names := make([]string, 0, len(states))
	for name := range states {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if _, ok := Lookup(name); !ok {
			return fmt.Errorf("unknown capability %q", name)
		}
		switch states[name] {
		case StateOn, StateOff, "", "default":
		default:
			return fmt.Errorf("capability %q: unknown state %q", name, states[name])
		}
	}
	return nil
}
