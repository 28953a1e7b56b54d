package hostinfo

import (
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
)

// Values of Host.UUIDSource, saying where Host.UUID came from.
const (
	// UUIDFromSMBIOS means the SMBIOS system UUID (dmi/id/product_uuid), which is
	// what libvirt uses by default (host_uuid_source = "smbios").
	UUIDFromSMBIOS = "smbios"
	// UUIDFromMachineID means /etc/machine-id, libvirt's host_uuid_source =
	// "machine-id". Used when there is no valid SMBIOS UUID, where libvirt
	// would generate a random one at each daemon start; machine-id keeps the
	// host UUID stable across restarts.
	UUIDFromMachineID = "machine-id"
	// UUIDRandom means neither source gave a valid UUID; a random one is made once
	// per process, as libvirt does once per daemon.
	UUIDRandom = "random"
)

// parseUUID parses a UUID like libvirt's virUUIDParse: 32 hex digits,
// dashes and spaces between them ignored, surrounding whitespace allowed.
func parseUUID(s string) ([16]byte, bool) {
	var u [16]byte
	s = strings.TrimSpace(s)
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' || c == ' ' {
			continue
		}
		if n == 32 {
			return u, false
		}
		v := hexVal(c)
		if v < 0 {
			return u, false
		}
		u[n/2] |= byte(v) << (4 * (1 - n%2))
		n++
	}
	return u, n == 32
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// validUUID reports whether u is acceptable to libvirt's virUUIDIsValid:
// anything but sixteen copies of one byte.
func validUUID(u [16]byte) bool {
	for _, b := range u[1:] {
		if b != u[0] {
			return true
		}
	}
	return false
}

func formatUUID(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

var (
	randomUUIDOnce sync.Once
	randomUUID     string
)

// processRandomUUID returns a random version 4 UUID, the same one for the
// life of the process.
func processRandomUUID() string {
	randomUUIDOnce.Do(func() {
		var u [16]byte
		_, _ = rand.Read(u[:])
		u[6] = u[6]&0x0f | 0x40
		u[8] = u[8]&0x3f | 0x80
		randomUUID = formatUUID(u)
	})
	return randomUUID
}

// hostUUID picks the host UUID from the SMBIOS product UUID files (libvirt
// reads exactly 36 characters from the first that has them) and then from
// machine-id; it falls back to a per-process random UUID.
func hostUUID(smbios []string, machineID string) (string, string) {
	for _, s := range smbios {
		s = strings.TrimRight(s, "\n")
		if len(s) != 36 {
			continue
		}
		if u, ok := parseUUID(s); ok && validUUID(u) {
			return formatUUID(u), UUIDFromSMBIOS
		}
		break
	}
	if u, ok := parseUUID(machineID); ok && validUUID(u) {
		return formatUUID(u), UUIDFromMachineID
	}
	return processRandomUUID(), UUIDRandom
}
