package domainxml

import (
	"crypto/rand"
	"fmt"
	"strings"

	"virtlxc/internal/virerr"
)

// CheckDefineName is the LXC driver's define-time check of a parsed name
// (lxcDomainDefineXMLFlags: virXMLCheckIllegalChars("name", name, "\n")).
// Create does not run it, and the parser accepts such names.
func CheckDefineName(name string) error {
	if i := strings.IndexByte(name, '\n'); i >= 0 {
		return virerr.New(virerr.ErrXMLDetail, virerr.FromXML, "invalid char in name: %c", name[i])
	}
	return nil
}

// NewUUID returns a random (version 4) UUID in libvirt's format.
func NewUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func isASCIISpace(c byte) bool { return strings.IndexByte(" \t\n\v\f\r", c) >= 0 }

// ParseUUID accepts a UUID as libvirt's virUUIDParse does (32 hex digits in
// pairs, '-' and ' ' allowed between pairs, surrounding ASCII white space
// allowed) and returns it in canonical lowercase dashed form.
func ParseUUID(s string) (string, bool) {
	i := 0
	for i < len(s) && isASCIISpace(s[i]) {
		i++
	}
	var b [16]byte
	for n := 0; n < 16; {
		switch {
		case i >= len(s):
			return "", false
		case s[i] == '-' || s[i] == ' ':
			i++
			continue
		case i+1 >= len(s) || !isHex(s[i]) || !isHex(s[i+1]):
			return "", false
		}
		b[n] = hexVal(s[i])<<4 | hexVal(s[i+1])
		n++
		i += 2
	}
	for ; i < len(s); i++ {
		if !isASCIISpace(s[i]) {
			return "", false
		}
	}
	return formatUUID(b), true
}

// NewMAC returns a random MAC in libvirt's 52:54:00 prefix.
func NewMAC() string {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return fmt.Sprintf("52:54:00:%02x:%02x:%02x", b[0], b[1], b[2])
}

// ParseMAC accepts a MAC address as virMacAddrParse does (six groups of one
// or two hex digits separated by ':'; after the last group anything from a
// byte at or below ' ' on, bytes >= 0x80 included since C's char is signed)
// and returns it lowercase with two digits per byte.
func ParseMAC(s string) (string, bool) {
	var out [6]string
	i := 0
	for g := 0; g < 6; g++ {
		start := i
		for i < len(s) && isHex(s[i]) {
			i++
		}
		if n := i - start; n < 1 || n > 2 {
			return "", false
		}
		v := hexVal(s[start])
		if i-start == 2 {
			v = v<<4 | hexVal(s[start+1])
		}
		out[g] = fmt.Sprintf("%02x", v)
		switch {
		case g == 5:
			if i < len(s) && s[i] > ' ' && s[i] < 0x80 {
				return "", false
			}
		case i >= len(s) || s[i] != ':':
			return "", false
		default:
			i++
		}
	}
	return strings.Join(out[:], ":"), true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
