package seccomp

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

//go:generate go test ./policy -run TestGenerated -update

// ErrUnsupportedArch is returned for an architecture the default filter
// has no syscall list for.
var ErrUnsupportedArch = errors.New("no default seccomp filter for this architecture")

// Program is one assembled filter of the default set.
type Program struct {
	// Name says which filter it is, for errors.
	Name string
	// Filter is the classic BPF program as seccomp(2) takes it.
	Filter []unix.SockFilter
}

// Programs returns the default filter set for goarch (a GOARCH name) in
// the order Apply loads them: the x86_64 deny list, its i386 twin and the
// mount rules. lxc-enter-namespace hands them to its helper, so that an
// entered command runs under the same filters as the container's init.
// They are policy.Programs' output, generated into zprograms.go.
func Programs(goarch string) ([]Program, error) {
	if goarch != "amd64" {
		return nil, fmt.Errorf("%w: %s", ErrUnsupportedArch, goarch)
	}
	out := make([]Program, len(amd64Programs))
	for i, p := range amd64Programs {
		out[i] = Program{Name: p.Name, Filter: append([]unix.SockFilter(nil), p.Filter...)}
	}
	return out, nil
}
