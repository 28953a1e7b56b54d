package caps

import "fmt"

// Set is a set of kernel capability numbers (0…63). The zero value is the
// empty set.
type Set struct {
	bits uint64
}

// Has reports whether capability number c is in the set. Numbers outside
// 0…63 are never in a set.
func (s Set) Has(c int) bool {
	if c < 0 || c > maxCap {
		return false
	}
	return s.bits&(1<<uint(c)) != 0
}

// Names returns the names (lowercase, without CAP_) of the capabilities in
// the set: first those libvirt knows, in libvirt's enum order, then any
// others in kernel-number order (see [Name]).
func (s Set) Names() []string {
	var names []string
	seen := Set{}
	for _, c := range libvirtCaps {
		if s.Has(c.num) {
			names = append(names, c.name)
			seen = seen.with(c.num)
		}
	}
	for c := 0; c <= maxCap; c++ {
		if s.Has(c) && !seen.Has(c) {
			names = append(names, Name(c))
		}
	}
	return names
}

// Bits returns the set as a bit mask, bit N standing for capability N, the
// layout the kernel uses in capget(2) and /proc/PID/status.
func (s Set) Bits() uint64 {
	return s.bits
}

// Mask formats the set as /proc/PID/status prints CapBnd, CapEff etc.:
// 16 lowercase hex digits, e.g. "000001ffffffffff".
func (s Set) Mask() string {
	return fmt.Sprintf("%016x", s.bits)
}

// String returns [Set.Mask], so a Set prints like a /proc status line.
func (s Set) String() string {
	return s.Mask()
}

// with returns s plus capability c (which must be in 0…63).
func (s Set) with(c int) Set {
	return Set{bits: s.bits | 1<<uint(c)}
}

// without returns s minus capability c (which must be in 0…63).
func (s Set) without(c int) Set {
	return Set{bits: s.bits &^ (1 << uint(c))}
}

// upTo returns the set of all capabilities 0…last.
func upTo(last int) Set {
	if last >= maxCap {
		return Set{bits: ^uint64(0)}
	}
	return Set{bits: 1<<uint(last+1) - 1}
}
