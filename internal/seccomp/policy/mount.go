package policy

import (
	"fmt"

	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// newMountAPI are the syscalls answered with ENOSYS.
var newMountAPI = []string{"open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr"}

// Offset of the low 32 bits of args[3] (mount's flags) in struct
// seccomp_data on a little-endian machine; the kernel's MS_* flags all sit
// in those bits.
const offMountFlagsLo = 16 + 8*3

// mountProgram is the filter holding the mount rules, for the x86_64 and
// i386 ABIs; other ABIs (x32) are left to the main filter, which refuses
// them. The rules close the remount escape: a container without a user
// namespace keeps CAP_SYS_ADMIN (as under libvirt), and with it
// `mount -o remount,rw /` (or remount,bind,rw) clears the read-only flag
// of its read-only root, <filesystem><readonly/> mounts, /sys and
// /proc/sys, after which it writes to the host directory behind them or to
// the kernel's knobs. The kernel only locks those flags against a less
// privileged user namespace, so without <idmap> the filter is the defence:
//
//   - mount(2) with MS_REMOUNT and without MS_RDONLY fails with EPERM.
//     seccomp sees the flags, not the target, so this refuses every
//     read-write remount, including of mounts the container made itself
//     (a tmpfs remounted to change its size must be remounted with
//     another mount, or ro): the price of keeping mount(2) for everything
//     else. Remounts that keep or make a mount read-only stay allowed.
//   - The new mount API (open_tree, move_mount, fsopen, fsconfig, fsmount,
//     fspick, mount_setattr) fails with ENOSYS: fspick with
//     FSCONFIG_CMD_RECONFIGURE and mount_setattr clearing
//     MOUNT_ATTR_RDONLY are remounts that seccomp cannot inspect (their
//     flags sit in structures behind pointers). ENOSYS, not EPERM, makes
//     util-linux's libmount and systemd fall back to mount(2), which the
//     rule above filters.
//
// Not closed without a user namespace, as in libvirt: unmounting the
// read-only /proc/sys bind (or mounting a fresh proc) uncovers writable
// sysctls; seccomp cannot tell one umount2 or mount target from another.
// With <idmap> the kernel refuses those writes (the sysctls belong to the
// host's root, which the container's root is not).
func mountProgram() ([]bpf.Instruction, error) {

	x86, err := mountBlock(arch.X86_64)
	if err != nil {
		return nil, err
	}
	i386, err := mountBlock(arch.I386)
	if err != nil {
		return nil, err
	}
	prog := []bpf.Instruction{
		bpf.LoadAbsolute{Off: offArch, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(arch.I386.ID), SkipFalse: uint8(len(i386))},
	}
	prog = append(prog, i386...)
	prog = append(prog, bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(arch.X86_64.ID), SkipFalse: uint8(len(x86))})
	prog = append(prog, x86...)
	return append(prog, bpf.RetConstant{Val: unix.SECCOMP_RET_ALLOW}), nil
}

// mountBlock returns the rules for one ABI: a block that loads the
// syscall number and always returns.
func mountBlock(a *arch.Info) ([]bpf.Instruction, error) {
	mountNr, ok := a.SyscallNames["mount"]
	if !ok {
		return nil, fmt.Errorf("no mount syscall for %s", a.Name)
	}
	var nrs []uint32
	for _, name := range newMountAPI {
		nr, ok := a.SyscallNames[name]
		if !ok {
			return nil, fmt.Errorf("no %s syscall for %s", name, a.Name)
		}
		nrs = append(nrs, uint32(nr))
	}
	n := len(nrs)
	// Layout: 0 load nr; 1..n new API -> ENOSYS; n+1 mount?; n+2 load
	// flags; n+3 MS_REMOUNT?; n+4 MS_RDONLY?; n+5 allow; n+6 EPERM;
	// n+7 ENOSYS.
	block := []bpf.Instruction{bpf.LoadAbsolute{Off: offNR, Size: 4}}
	for i, nr := range nrs {
		block = append(block, bpf.JumpIf{Cond: bpf.JumpEqual, Val: nr, SkipTrue: uint8(n + 6 - (i + 1))})
	}
	block = append(block,
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(mountNr), SkipFalse: 3},
		bpf.LoadAbsolute{Off: offMountFlagsLo, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: unix.MS_REMOUNT, SkipFalse: 1},
		bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: unix.MS_RDONLY, SkipFalse: 1},
		bpf.RetConstant{Val: unix.SECCOMP_RET_ALLOW},
		bpf.RetConstant{Val: unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)},
		bpf.RetConstant{Val: unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)},
	)
	return block, nil
}
