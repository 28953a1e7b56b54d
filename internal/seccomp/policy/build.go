package seccomp

import (
	"fmt"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Program is one assembled filter of the default set.
type Program struct {
	// Name says which filter it is, for errors.
	Name string
	// Filter is the classic BPF program as seccomp(2) takes it.
	Filter []unix.SockFilter
}

// Programs assembles the default filter set for goarch (pure): the x86_64
// deny list, its i386 twin and the mount rules, in the order Apply loads
// them. lxc-enter-namespace hands them to its helper, so that an entered
// command runs under the same filters as the container's init.
func Programs(goarch string) ([]Program, error) {
	f, err := Plan(goarch)
	if err != nil {
		return nil, err
	}
	main, err := f.Policy.Assemble()
	if err != nil {
		return nil, fmt.Errorf("assembling the x86_64 seccomp filter: %w", err)
	}
	i386, err := i386Program()
	if err != nil {
		return nil, err
	}
	mounts, err := mountProgram()
	if err != nil {
		return nil, err
	}
	var out []Program
	for _, p := range []struct {
		name string
		prog []bpf.Instruction
	}{{"x86_64", main}, {"i386", i386}, {"mount rules", mounts}} {
		raw, err := bpf.Assemble(p.prog)
		if err != nil {
			return nil, fmt.Errorf("assembling the %s seccomp filter: %w", p.name, err)
		}
		filter := make([]unix.SockFilter, len(raw))
		for i, r := range raw {
			filter[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
		}
		out = append(out, Program{Name: p.name, Filter: filter})
	}
	return out, nil
}
