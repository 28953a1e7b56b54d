// Package cparse reads numbers and lists the way libvirt's C helpers do
// (strtol and friends, virStrToLong_*, virScaleInteger, virBitmapParse),
// for the XML parser and the LXC native-config import alike.
package cparse

import (
	"math"
	"strconv"
	"strings"

	"virtlxc/internal/virerr"
)

// Number splits a number the way C's strto* family reads it: leading white
// space, an optional sign and decimal digits, which must end the string.
// ok is false when there are no digits, something follows them or the
// digits overflow 64 bits (ERANGE).
func Number(s string) (mag uint64, neg, ok bool) { return NumberBase(s, 10) }

// NumberBase is Number in base 8 or 10.
func NumberBase(s string, base uint64) (mag uint64, neg, ok bool) {
	i, neg := lead(s)
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

// ULLP is virStrToLong_ullp: an unsigned long long, no minus sign.
func ULLP(s string) (uint64, bool) {
	v, neg, ok := Number(s)
	return v, ok && !neg
}

// ULL is virStrToLong_ull: negative values wrap around.
func ULL(s string) (uint64, bool) {
	v, neg, ok := Number(s)
	if neg {
		v = -v
	}
	return v, ok
}

// UIP is virStrToLong_uip: an unsigned int, no minus sign.
func UIP(s string) (uint, bool) {
	v, neg, ok := Number(s)
	return uint(v), ok && !neg && v <= math.MaxUint32
}

// UI is virStrToLong_ui: an unsigned int where "-N" wraps as a 32-bit
// value ("-1" is UINT_MAX).
func UI(s string) (uint, bool) {
	v, neg, ok := Number(s)
	if neg {
		if v > math.MaxUint32 {
			return 0, false
		}
		v = -v & math.MaxUint32
	}
	return uint(v), ok && v <= math.MaxUint32
}

// LL is virStrToLong_ll: a long long.
func LL(s string) (int64, bool) {
	v, neg, ok := Number(s)
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

// ScaleInteger is virScaleInteger: value in unit (empty means scale) to
// bytes, refusing results above limit.
func ScaleInteger(value uint64, unit string, scale, limit uint64) (uint64, error) {
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

// lead skips what strto* allows before the digits: white space and a
// sign. It returns where the digits start and whether the sign is minus.
func lead(s string) (int, bool) {
	i := 0
	for i < len(s) && IsSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		return i + 1, s[i] == '-'
	}
	return i, false
}

// IsSpace reports whether c is white space for C (isspace).
func IsSpace(c byte) bool { return strings.IndexByte(" \t\n\v\f\r", c) >= 0 }

// Long reads a C long prefix of s (strtol, base 10): white space, a sign
// and digits. It returns the value and the rest of s; ok is false when
// there are no digits or the value does not fit an int.
func Long(s string) (int64, string, bool) {
	i, neg := lead(s)
	start := i
	var v int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if v <= math.MaxInt32+1 {
			v = v*10 + int64(s[i]-'0')
		}
	}
	if neg {
		v = -v
	}
	return v, s[i:], i > start && v >= math.MinInt32 && v <= math.MaxInt32
}

// ParseBitmap is virBitmapParse for a bitmap of size bits: "N", "N-M" and
// "^N" items separated by commas. It returns the set bits in order.
func ParseBitmap(s string, size int) ([]int, bool) {
	bits := make([]bool, size)
	cur := strings.TrimLeft(s, " \t\n\v\f\r")
	if cur == "" {
		return nil, false
	}
	skip := func() { cur = strings.TrimLeft(cur, " \t\n\v\f\r") }
	for cur != "" {
		neg := false
		if cur[0] == '^' {
			cur, neg = cur[1:], true
		}
		if cur == "" || cur[0] < '0' || cur[0] > '9' {
			return nil, false
		}
		start, rest, ok := Long(cur)
		if !ok || start < 0 || start >= int64(size) {
			return nil, false
		}
		cur = rest
		skip()
		switch {
		case cur == "" || cur[0] == ',':
			bits[start] = !neg
		case cur[0] == '-':
			if neg {
				return nil, false
			}
			last, rest, ok := Long(cur[1:])
			if !ok || last < start {
				return nil, false
			}
			for i := start; i <= last; i++ {
				if i >= int64(size) {
					return nil, false
				}
				bits[i] = true
			}
			cur = rest
			skip()
		}
		switch {
		case cur == "":
		case cur[0] == ',':
			cur = cur[1:]
			skip()
		default:
			return nil, false
		}
	}
	var set []int
	for i, b := range bits {
		if b {
			set = append(set, i)
		}
	}
	return set, true
}

// FormatBitmap is virBitmapFormat: ranges of set bits, "0-3,5".
func FormatBitmap(set []int) string {
	var parts []string
	for i := 0; i < len(set); {
		j := i
		for j+1 < len(set) && set[j+1] == set[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(set[i]))
		} else {
			parts = append(parts, strconv.Itoa(set[i])+"-"+strconv.Itoa(set[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// ULLPrefix is virStrToLong_ull given an end pointer: the number at the
// start of s as strtoull reads it (white space, a sign, decimal digits;
// a minus wraps around) and the text after it. ok is false when there
// are no digits or they overflow.
func ULLPrefix(s string) (v uint64, rest string, ok bool) {
	i, neg := lead(s)
	end := i
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == i {
		return 0, s, false
	}
	v, _, ok = Number(s[i:end])
	if neg {
		v = -v
	}
	return v, s[end:], ok
}
