package domainxml

import (
	"math"

	"virtlxc/internal/cparse"
	"virtlxc/internal/virerr"
)

// memoryUnlimited is VIR_DOMAIN_MEMORY_PARAM_UNLIMITED (KiB): a memtune
// limit at or above it means "no limit" and is not printed.
const memoryUnlimited = 9007199254740991

// parseScaled is virParseScaledValue for the element el found at xpath (for
// the message): its text in its unit attribute (or unitAttr's value), in
// bytes. present is false when the element is absent or empty.
func parseScaled(el *node, xpath string, unitAttr *node, scale, limit uint64) (bytes uint64, present bool, err error) {
	text, ok := el.xstr()
	if !ok {
		return 0, false, nil
	}
	v, ok := cparse.ULLP(text)
	if !ok {
		return 0, false, virerr.New(virerr.ErrXMLError, virerr.FromXML,
			"Invalid value '%s' for element or attribute '%s'", text, xpath)
	}
	if unitAttr == nil {
		unitAttr = el
	}
	unit, _ := unitAttr.attr("unit")
	b, err := cparse.ScaleInteger(v, unit, scale, limit)
	return b, true, err
}

// parseMemory is virDomainParseMemory: a size in KiB, rounded up.
func parseMemory(el *node, xpath string) (uint64, error) {
	b, _, err := parseScaled(el, xpath, nil, 1024, math.MaxInt64)
	if err != nil {
		return 0, err
	}
	kib := divUp(b, 1024)
	if kib >= divUp(math.MaxInt64, 1024) {
		return 0, virerr.New(virerr.ErrOverflow, virerr.FromDomain, "size value too large")
	}
	return kib, nil
}

// parseMemoryLimit is virDomainParseMemoryLimit: a memtune limit in KiB,
// memoryUnlimited when absent.
func parseMemoryLimit(el *node, xpath string) (uint64, error) {
	b, present, err := parseScaled(el, xpath, nil, 1024, memoryUnlimited<<10)
	if err != nil || !present {
		return memoryUnlimited, err
	}
	return min(divUp(b, 1024), memoryUnlimited), nil
}

func divUp(a, b uint64) uint64 { return a/b + boolToUint(a%b != 0) }

func boolToUint(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
