package policy

import (
	"errors"
	"slices"
	"testing"

	libseccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"virtlxc/internal/seccomp"
)

func TestPlanDeniesEscapeSyscalls(t *testing.T) {
	f, err := Plan("amd64")
	if err != nil {
		t.Fatal(err)
	}
	if f.NoNewPrivs {
		t.Error("no_new_privs is set")
	}
	if f.Policy.DefaultAction != libseccomp.ActionAllow {
		t.Errorf("default action %v, want allow", f.Policy.DefaultAction)
	}
	if len(f.Policy.Syscalls) != 1 || f.Policy.Syscalls[0].Action != libseccomp.ActionErrno {
		t.Fatalf("groups %+v, want one errno group", f.Policy.Syscalls)
	}
	names := f.Policy.Syscalls[0].Names
	for _, want := range []string{"kexec_load", "kexec_file_load", "init_module", "finit_module",
		"delete_module", "open_by_handle_at", "bpf", "perf_event_open", "userfaultfd",
		"add_key", "request_key", "keyctl", "iopl", "ioperm", "swapon", "swapoff", "acct",
		"quotactl", "lookup_dcookie", "uselib"} {
		if !slices.Contains(names, want) {
			t.Errorf("%s is not denied", want)
		}
	}
	for _, keep := range []string{"reboot", "syslog", "mount", "umount2", "unshare", "clone",
		"clone3", "setns", "name_to_handle_at", "fsopen", "mount_setattr", "open_tree",
		"move_mount", "execve", "capset", "setresuid", "ptrace"} {
		if slices.Contains(names, keep) {
			t.Errorf("%s is denied", keep)
		}
	}
	if _, err := f.Policy.Assemble(); err != nil {
		t.Errorf("assembling the policy: %v", err)
	}
}

func TestPlanUnsupportedArch(t *testing.T) {
	for _, a := range []string{"arm64", "386", "riscv64"} {
		if _, err := Plan(a); !errors.Is(err, seccomp.ErrUnsupportedArch) {
			t.Errorf("Plan(%s) = %v, want ErrUnsupportedArch", a, err)
		}
	}
}

// run executes prog on a seccomp_data for (auditArch, nr).
func run(t *testing.T, prog []bpf.Instruction, auditArch, nr uint32) uint32 {
	t.Helper()
	return runMount(t, prog, auditArch, nr, 0)
}

func TestI386Program(t *testing.T) {
	prog, err := i386Program()
	if err != nil {
		t.Fatal(err)
	}
	eperm := unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	i386 := uint32(arch.I386.ID)
	for _, name := range []string{"kexec_load", "init_module", "open_by_handle_at", "keyctl", "vm86", "vm86old", "bpf"} {
		nr := uint32(arch.I386.SyscallNames[name])
		if got := run(t, prog, i386, nr); got != eperm {
			t.Errorf("i386 %s: %#x, want EPERM", name, got)
		}
	}
	for _, name := range []string{"reboot", "mount", "read", "execve"} {
		nr := uint32(arch.I386.SyscallNames[name])
		if got := run(t, prog, i386, nr); got != unix.SECCOMP_RET_ALLOW {
			t.Errorf("i386 %s: %#x, want allow", name, got)
		}
	}
	// The x86_64 number of kexec_load is left to the x86_64 filter.
	nr := uint32(arch.X86_64.SyscallNames["kexec_load"])
	if got := run(t, prog, uint32(arch.X86_64.ID), nr); got != unix.SECCOMP_RET_ALLOW {
		t.Errorf("x86_64 through the i386 filter: %#x, want allow", got)
	}
}
