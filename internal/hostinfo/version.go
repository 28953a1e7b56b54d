package hostinfo

import (
	"context"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// LibVersion is the CONNECT_GET_LIB_VERSION answer: we present libvirt
// 9.0.0's API, encoded as major*1000000 + minor*1000 + micro.
const LibVersion uint64 = 9000000

// HypervisorVersion is the CONNECT_GET_VERSION answer of libvirt's LXC
// driver: the running kernel's release (uname -r) encoded by
// ParseKernelVersion, 6018044 for "6.18.44-...", which virsh prints as
// "Running hypervisor: LXC 6.18.44".
func HypervisorVersion() (uint64, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return 0, err
	}
	return ParseKernelVersion(unix.ByteSliceToString(u.Release[:]))
}

// hostnameLookupTimeout bounds the canonical-name lookup of Hostname.
const hostnameLookupTimeout = 5 * time.Second

// Hostname is the CONNECT_GET_HOSTNAME answer, libvirt's virGetHostname:
// the kernel host name as it is when it starts with "localhost" or holds a
// dot; otherwise its canonical name from the resolver (/etc/hosts, DNS),
// unless that fails or starts with "localhost", in which case the plain host
// name again.
func Hostname() (string, error) {
	name, err := os.Hostname()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), hostnameLookupTimeout)
	defer cancel()
	return canonicalHostname(name, func(n string) (string, error) {
		return net.DefaultResolver.LookupCNAME(ctx, n)
	}), nil
}

// canonicalHostname applies virGetHostname's rules to name with lookup
// standing in for getaddrinfo(AI_CANONNAME).
func canonicalHostname(name string, lookup func(string) (string, error)) string {
	if strings.HasPrefix(name, "localhost") || strings.Contains(name, ".") {
		return name
	}
	canon, err := lookup(name)
	canon = strings.TrimSuffix(canon, ".")
	if err != nil || canon == "" || strings.HasPrefix(canon, "localhost") {
		return name
	}
	return canon
}
