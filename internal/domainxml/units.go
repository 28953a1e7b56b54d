package domainxml

import (
	"fmt"
	"math"
	"strings"
)

// unitScale returns the multiplier of a libvirt size unit (virScaleInteger):
// a bare number is in the element's default unit; "b"/"bytes" are bytes;
// single letters and the "iB" forms are powers of 1024; the "B" forms are
// powers of 1000.
func unitScale(unit string, def uint64) (uint64, error) {
	if unit == "" {
		return def, nil
	}
	u := strings.ToLower(unit)
	if u == "b" || u == "byte" || u == "bytes" {
		return 1, nil
	}
	powers := "kmgtpe"
	idx := strings.IndexByte(powers, u[0])
	if idx < 0 {
		return 0, fmt.Errorf("unknown suffix '%s'", unit)
	}
	base := uint64(1024)
	switch u[1:] {
	case "", "ib":
	case "b":
		base = 1000
	default:
		return 0, fmt.Errorf("unknown suffix '%s'", unit)
	}
	scale := uint64(1)
	for i := 0; i <= idx; i++ {
		scale *= base
	}
	return scale, nil
}

// toKiB converts value in unit to KiB the way virDomainParseMemory does:
// scale to bytes (refusing overflow), then round up to whole KiB.
func toKiB(value uint64, unit string) (uint64, error) {
	scale, err := unitScale(unit, 1024)
	if err != nil {
		return 0, err
	}
	if value != 0 && scale > math.MaxUint64/value {
		return 0, fmt.Errorf("Numerical overflow: value too large")
	}
	bytes := value * scale
	return bytes/1024 + boolToUint(bytes%1024 != 0), nil
}

func boolToUint(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
