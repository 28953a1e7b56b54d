package virsh

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"virtlxc/internal/virerr"
)

var errNumber = errors.New("malformed or out of range number")

// splitNumber splits s into a leading decimal integer (after optional
// white space and a sign, as strtol accepts) and the rest.
func splitNumber(s string) (num, rest string) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\v' || s[i] == '\f' || s[i] == '\r') {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == digits {
		return "", s
	}
	return s[start:i], s[i:]
}

// parseInt64 parses s as libvirt's virStrToLong_ll (base 10): white
// space and a sign are accepted, nothing may follow the digits unless
// rest is wanted.
func parseInt64(s string) (int64, string, error) {
	num, rest := splitNumber(s)
	if num == "" {
		return 0, s, errNumber
	}
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, rest, errNumber
	}
	return v, rest, nil
}

// parseUint64 parses s as strtoull does: a leading '-' wraps the value
// (virStrToLong_ull); positive reports whether one was present.
func parseUint64(s string) (v uint64, rest string, negative bool, err error) {
	num, rest := splitNumber(s)
	if num == "" {
		return 0, s, false, errNumber
	}
	neg := num[0] == '-'
	mag := strings.TrimLeft(num, "+-")
	u, perr := strconv.ParseUint(mag, 10, 64)
	if perr != nil {
		return 0, rest, neg, errNumber
	}
	if neg {
		u = -u
	}
	return u, rest, neg, nil
}

// ParseInt is virStrToLong_i: the whole of s must be an int.
func ParseInt(s string) (int, error) {
	v, rest, err := parseInt64(s)
	if err != nil || rest != "" || v < math.MinInt32 || v > math.MaxInt32 {
		return 0, errNumber
	}
	return int(v), nil
}

// ParseUint is virStrToLong_uip: an unsigned int, negative values refused.
func ParseUint(s string) (uint, error) {
	v, rest, neg, err := parseUint64(s)
	if err != nil || rest != "" || (neg && v != 0) || v > math.MaxUint32 {
		return 0, errNumber
	}
	return uint(v), nil
}

// ScaleInteger applies a size suffix to value as libvirt's
// virScaleInteger: no suffix multiplies by scale; "b", "byte", "bytes"
// by 1; "k", "KiB", "M", "MiB" … "E", "EiB" by powers of 1024; "KB",
// "MB" … by powers of 1000. The result may not exceed limit.
func ScaleInteger(value uint64, suffix string, scale, limit uint64) (uint64, error) {
	switch {
	case suffix == "":
		if scale == 0 {
			return 0, virerr.New(virerr.ErrInvalidArg, virerr.FromNone, "invalid scale %d", scale)
		}
	case strings.EqualFold(suffix, "b") || strings.EqualFold(suffix, "byte") || strings.EqualFold(suffix, "bytes"):
		scale = 1
	default:
		var base uint64
		switch {
		case len(suffix) == 1 || strings.EqualFold(suffix[1:], "iB"):
			base = 1024
		case len(suffix) == 2 && (suffix[1] == 'b' || suffix[1] == 'B'):
			base = 1000
		default:
			return 0, virerr.New(virerr.ErrInvalidArg, virerr.FromNone, "unknown suffix '%s'", suffix)
		}
		pow := strings.IndexByte("kmgtpe", lower(suffix[0]))
		if pow < 0 {
			return 0, virerr.New(virerr.ErrInvalidArg, virerr.FromNone, "unknown suffix '%s'", suffix)
		}
		scale = 1
		for range pow + 1 {
			scale *= base
		}
	}
	if value != 0 && value > limit/scale {
		return 0, virerr.New(virerr.ErrOverflow, virerr.FromNone, "value too large: %d%s", value, suffix)
	}
	return value * scale, nil
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// ParseScaled parses "N[suffix]" as virsh's vshCommandOptScaledInt: a
// non-negative integer, then ScaleInteger.
func ParseScaled(s string, scale, limit uint64) (uint64, error) {
	v, rest, neg, err := parseUint64(s)
	if err != nil || (neg && v != 0) {
		return 0, errNumber
	}
	return ScaleInteger(v, rest, scale, limit)
}

// divUp is VIR_DIV_UP.
func divUp(a, b uint64) uint64 { return (a + b - 1) / b }

// Int returns an int option (vshCommandOptInt).
func (pc *ParsedCmd) Int(name string) (int, bool, error) {
	o, ok := pc.find(name)
	if !ok {
		return 0, false, nil
	}
	v, err := ParseInt(o.data)
	if err != nil {
		return 0, false, numericError(o.data, name)
	}
	return v, true, nil
}

// Uint returns a non-negative unsigned int option (vshCommandOptUInt).
func (pc *ParsedCmd) Uint(name string) (uint, bool, error) {
	o, ok := pc.find(name)
	if !ok {
		return 0, false, nil
	}
	v, err := ParseUint(o.data)
	if err != nil {
		return 0, false, numericError(o.data, name)
	}
	return v, true, nil
}

// Scaled returns a scaled integer option in bytes (vshCommandOptScaledInt).
func (pc *ParsedCmd) Scaled(name string, scale, limit uint64) (uint64, bool, error) {
	o, ok := pc.find(name)
	if !ok {
		return 0, false, nil
	}
	v, err := ParseScaled(o.data, scale, limit)
	if err != nil {
		return 0, false, withLibvirtError(err, "Scaled numeric value '%s' for <%s> option is malformed or out of range", o.data, name)
	}
	return v, true, nil
}

func numericError(data, name string) error {
	return cmdErrorf("Numeric value '%s' for <%s> option is malformed or out of range", data, name)
}

// MemoryParamUnlimited is VIR_DOMAIN_MEMORY_PARAM_UNLIMITED.
const MemoryParamUnlimited uint64 = 9007199254740991

// ParseMemtuneSize parses a memtune size as virsh's virshMemtuneGetSize:
// a negative number means unlimited; otherwise a scaled integer (default
// KiB) rounded up to KiB.
func ParseMemtuneSize(s string) (uint64, error) {
	v, rest, err := parseInt64(s)
	if err != nil {
		return 0, err
	}
	if v < 0 {
		return MemoryParamUnlimited, nil
	}
	bytes, err := ScaleInteger(uint64(v), rest, 1024, math.MaxInt64)
	if err != nil {
		return 0, err
	}
	return divUp(bytes, 1024), nil
}

// withLibvirtError is virsh's own error line, followed by the libvirt
// error behind it when there is one (a parse failure alone sets none).
func withLibvirtError(err error, format string, args ...any) error {
	var ve *virerr.Error
	if errors.As(err, &ve) {
		return failed(err, format, args...)
	}
	return cmdErrorf(format, args...)
}
