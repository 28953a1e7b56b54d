package dnsmasq

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"strings"
)

// Lease is one address dnsmasq handed out.
type Lease struct {
	// Expiry is the lease's end in seconds since the epoch (0: never).
	Expiry int64
	// MAC is the client's hardware address (IPv4 leases).
	MAC string
	// IP is the address leased.
	IP net.IP
	// Hostname is the name the client sent ("" when none).
	Hostname string
	// ClientID is the client identifier (IPv4) or DUID (IPv6), "" when none.
	ClientID string
	// IAID is the IPv6 identity association id ("" for IPv4).
	IAID string
}

// ReadLeases parses dnsmasq's lease file: one lease per line,
// "EXPIRY MAC IP HOSTNAME CLIENTID" for IPv4, a "duid SERVERDUID" line,
// then "EXPIRY IAID IP HOSTNAME DUID" for IPv6; "*" means none. A missing
// file has no leases.
func ReadLeases(path string) ([]Lease, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading leases: %w", err)
	}
	defer f.Close()
	var out []Lease
	v6 := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 1 && fields[0] == "duid" {
			v6 = true
			continue
		}
		if len(fields) != 5 {
			continue
		}
		exp, err := strconv.ParseInt(fields[0], 10, 64)
		ip := net.ParseIP(fields[2])
		if err != nil || ip == nil {
			continue
		}
		none := func(s string) string {
			if s == "*" {
				return ""
			}
			return s
		}
		l := Lease{Expiry: exp, IP: ip, Hostname: none(fields[3]), ClientID: none(fields[4])}
		if v6 && ip.To4() == nil {
			l.IAID = fields[1]
		} else {
			l.MAC = strings.ToLower(fields[1])
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading leases: %w", err)
	}
	return out, nil
}
