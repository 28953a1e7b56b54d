package policy

import (
	"fmt"

	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Offsets in struct seccomp_data.
const (
	offNR   = 0
	offArch = 4
)

// i386Program is a filter for the i386 ABI (int 0x80 from an x86_64
// process, or a 32-bit binary), which go-seccomp-bpf's x86_64 policy lets
// through: it refuses the denied calls with EPERM and allows the rest.
func i386Program() ([]bpf.Instruction, error) {
	nrs := i386Numbers()
	n := len(nrs)
	if n+1 > 255 {
		return nil, fmt.Errorf("i386 deny list too long: %d", n)
	}
	prog := []bpf.Instruction{
		bpf.LoadAbsolute{Off: offArch, Size: 4},
		// Any other ABI: straight to the final allow.
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(arch.I386.ID), SkipFalse: uint8(n + 1)},
		bpf.LoadAbsolute{Off: offNR, Size: 4},
	}
	for i, nr := range nrs {
		prog = append(prog, bpf.JumpIf{Cond: bpf.JumpEqual, Val: nr, SkipTrue: uint8(n - i)})
	}
	prog = append(prog,
		bpf.RetConstant{Val: unix.SECCOMP_RET_ALLOW},
		bpf.RetConstant{Val: unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)},
	)
	return prog, nil
}
