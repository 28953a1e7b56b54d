package policy

import (
	"fmt"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"virtlxc/internal/seccomp"
)

// Programs assembles the default filter set for goarch (pure): the x86_64
// deny list, its i386 twin and the mount rules, in the order
// seccomp.Apply loads them. The runtime does not call it: it loads the
// copy generated from it (seccomp/zprograms.go, kept equal by
// TestGenerated).
func Programs(goarch string) ([]seccomp.Program, error) {
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
	var out []seccomp.Program
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
		out = append(out, seccomp.Program{Name: p.name, Filter: filter})
	}
	return out, nil
}
