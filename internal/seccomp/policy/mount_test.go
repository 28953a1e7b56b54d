package policy

import (
	"testing"

	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// runMount executes prog on a seccomp_data for (auditArch, nr) whose
// args[3] is flags.
func runMount(t *testing.T, prog []bpf.Instruction, auditArch, nr uint32, flags uint64) uint32 {
	t.Helper()
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 64)
	// The VM loads big endian: each 32-bit word the filter loads is stored
	// big endian at the offset the kernel's little-endian layout puts it.
	put := func(off int, v uint32) {
		data[off], data[off+1], data[off+2], data[off+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	put(offNR, nr)
	put(offArch, auditArch)
	put(offMountFlagsLo, uint32(flags))
	put(offMountFlagsLo+4, uint32(flags>>32))
	out, err := vm.Run(data)
	if err != nil {
		t.Fatal(err)
	}
	return uint32(out)
}

func TestMountProgram(t *testing.T) {
	prog, err := mountProgram()
	if err != nil {
		t.Fatal(err)
	}
	const (
		allow  = unix.SECCOMP_RET_ALLOW
		eperm  = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
		enosys = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
	)
	mountCases := []struct {
		name  string
		flags uint64
		want  uint32
	}{
		{"remount,rw", unix.MS_REMOUNT, eperm},
		{"remount,bind,rw", unix.MS_REMOUNT | unix.MS_BIND, eperm},
		{"remount,rw,nosuid", unix.MS_REMOUNT | unix.MS_NOSUID | unix.MS_NODEV, eperm},
		{"remount,rw with the old magic", 0xC0ED0000 | unix.MS_REMOUNT, eperm},
		{"remount,ro", unix.MS_REMOUNT | unix.MS_RDONLY, allow},
		{"remount,bind,ro", unix.MS_REMOUNT | unix.MS_BIND | unix.MS_RDONLY, allow},
		{"new mount", 0, allow},
		{"new mount ro", unix.MS_RDONLY | unix.MS_NOSUID, allow},
		{"bind", unix.MS_BIND | unix.MS_REC, allow},
		{"move", unix.MS_MOVE, allow},
		{"make private", unix.MS_PRIVATE | unix.MS_REC, allow},
	}
	for _, a := range []*arch.Info{arch.X86_64, arch.I386} {
		id := uint32(a.ID)
		for _, c := range mountCases {
			if got := runMount(t, prog, id, uint32(a.SyscallNames["mount"]), c.flags); got != c.want {
				t.Errorf("%s mount %s: %#x, want %#x", a.Name, c.name, got, c.want)
			}
		}
		for _, name := range newMountAPI {
			if got := runMount(t, prog, id, uint32(a.SyscallNames[name]), 0); got != enosys {
				t.Errorf("%s %s: %#x, want ENOSYS", a.Name, name, got)
			}
		}
		for _, name := range []string{"umount2", "read", "execve", "pivot_root", "unshare"} {
			if got := runMount(t, prog, id, uint32(a.SyscallNames[name]), unix.MS_REMOUNT); got != allow {
				t.Errorf("%s %s: %#x, want allow", a.Name, name, got)
			}
		}
	}
	// i386's mount number is another call on x86_64 (and the reverse):
	// each ABI's rules use its own numbers.
	x86 := uint32(arch.X86_64.ID)
	if got := runMount(t, prog, x86, uint32(arch.I386.SyscallNames["mount"]), unix.MS_REMOUNT); got != allow {
		t.Errorf("x86_64 call number 21 (i386 mount) is filtered: %#x", got)
	}
	// The x32 ABI is refused by the main filter, not here.
	if got := runMount(t, prog, x86, 0x40000000|uint32(arch.X86_64.SyscallNames["fspick"]), 0); got != allow {
		t.Errorf("x32 fspick: %#x, want allow (left to the main filter)", got)
	}
	if got := runMount(t, prog, 0xdeadbeef, 165, unix.MS_REMOUNT); got != allow {
		t.Errorf("unknown ABI: %#x, want allow", got)
	}
}
