package domainxml

import (
	"math"
	"strings"

	"virtlxc/internal/virerr"
)

// memoryUnlimited is VIR_DOMAIN_MEMORY_PARAM_UNLIMITED (KiB): a memtune
// limit at or above it means "no limit" and is not printed.
const memoryUnlimited = 9007199254740991

// cNumber splits a number the way C's strto* family reads it: leading white
// space, an optional sign and decimal digits, which must end the string.
// ok is false when there are no digits, something follows them or the
// digits overflow 64 bits (ERANGE).
func cNumber(s string) (mag uint64, neg, ok bool) { return cNumberBase(s, 10) }

// cNumberBase is cNumber in base 8 or 10.
func cNumberBase(s string, base uint64) (mag uint64, neg, ok bool) {
	i := 0
	for i < len(s) && strings.IndexByte(" \t\n\v\f\r", s[i]) >= 0 {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	for ; i < len(s) && s[i] >= '0' && uint64(s[i]-'0') < base && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if mag > (math.MaxUint64-d)/base {
			return 0, neg, false
		}
		mag = mag*base + d
	}
	return mag, neg, i > start && i == len(s)
}

// strToULLP is virStrToLong_ullp: an unsigned long long, no minus sign.
func strToULLP(s string) (uint64, bool) {
	v, neg, ok := cNumber(s)
	return v, ok && !neg
}

// strToULL is virStrToLong_ull: negative values wrap around.
func strToULL(s string) (uint64, bool) {
	v, neg, ok := cNumber(s)
	if neg {
		v = -v
	}
	return v, ok
}

// strToUIP is virStrToLong_uip: an unsigned int, no minus sign.
func strToUIP(s string) (uint, bool) {
	v, neg, ok := cNumber(s)
	return uint(v), ok && !neg && v <= math.MaxUint32
}

// strToUI is virStrToLong_ui: an unsigned int where "-N" wraps as a 32-bit
// value ("-1" is UINT_MAX).
func strToUI(s string) (uint, bool) {
	v, neg, ok := cNumber(s)
	if neg {
		if v > math.MaxUint32 {
			return 0, false
		}
		v = -v & math.MaxUint32
	}
	return uint(v), ok && v <= math.MaxUint32
}

// strToLL is virStrToLong_ll: a long long.
func strToLL(s string) (int64, bool) {
	v, neg, ok := cNumber(s)
	if !ok {
		return 0, false
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// scaleInteger is virScaleInteger: value in unit (empty means scale) to
// bytes, refusing results above limit.
func scaleInteger(value uint64, unit string, scale, limit uint64) (uint64, error) {
	if unit != "" {
		u := asciiLower(unit)
		switch {
		case u == "b" || u == "byte" || u == "bytes":
			scale = 1
		default:
			base := uint64(1024)
			switch {
			case len(u) == 1 || u[1:] == "ib":
			case u[1] == 'b' && len(u) == 2:
				base = 1000
			default:
				return 0, virerr.New(virerr.ErrInvalidArg, virerr.FromNone, "unknown suffix '%s'", unit)
			}
			power := strings.IndexByte("kmgtpe", u[0])
			if power < 0 {
				return 0, virerr.New(virerr.ErrInvalidArg, virerr.FromNone, "unknown suffix '%s'", unit)
			}
			scale = 1
			for ; power >= 0; power-- {
				scale *= base
			}
		}
	}
	if value != 0 && value > limit/scale {
		return 0, virerr.New(virerr.ErrOverflow, virerr.FromNone, "value too large: %d%s", value, unit)
	}
	return value * scale, nil
}

// parseScaled is virParseScaledValue for the element el found at xpath (for
// the message): its text in its unit attribute (or unitAttr's value), in
// bytes. present is false when the element is absent or empty.
func parseScaled(el *node, xpath string, unitAttr *node, scale, limit uint64) (bytes uint64, present bool, err error) {
	text, ok := el.xstr()
	if !ok {
		return 0, false, nil
	}
	v, ok := strToULLP(text)
	if !ok {
		return 0, false, virerr.New(virerr.ErrXMLError, virerr.FromXML,
			"Invalid value '%s' for element or attribute '%s'", text, xpath)
	}
	if unitAttr == nil {
		unitAttr = el
	}
	unit, _ := unitAttr.attr("unit")
	b, err := scaleInteger(v, unit, scale, limit)
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

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func divUp(a, b uint64) uint64 { return a/b + boolToUint(a%b != 0) }

func boolToUint(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
