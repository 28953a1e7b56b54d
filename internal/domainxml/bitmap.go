package domainxml

import (
	"math"
	"strconv"
	"strings"
)

func isCSpace(c byte) bool { return strings.IndexByte(" \t\n\v\f\r", c) >= 0 }

// cLong reads a C long prefix of s (strtol, base 10): white space, a sign
// and digits. It returns the value and the rest of s; ok is false when
// there are no digits or the value does not fit an int.
func cLong(s string) (int64, string, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
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

// parseBitmap is virBitmapParse for a bitmap of size bits: "N", "N-M" and
// "^N" items separated by commas. It returns the set bits in order.
func parseBitmap(s string, size int) ([]int, bool) {
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
		start, rest, ok := cLong(cur)
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
			last, rest, ok := cLong(cur[1:])
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

// formatBitmap is virBitmapFormat: ranges of set bits, "0-3,5".
func formatBitmap(set []int) string {
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
