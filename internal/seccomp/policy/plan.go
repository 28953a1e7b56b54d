package policy

import (
	"fmt"
	"sort"

	libseccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"

	"virtlxc/internal/seccomp"
)

// Denied are the syscalls the default filter refuses with EPERM, by their
// x86_64 names. Each either attacks the host kernel directly or is a known
// container escape route (open_by_handle_at: "shocker").
var Denied = []string{
	// Replacing or extending the running kernel.
	"kexec_load", "kexec_file_load",
	"init_module", "finit_module", "delete_module",
	// Opening host files by handle, outside the container's root.
	"open_by_handle_at",
	// Large kernel attack surfaces not needed by container workloads.
	"bpf", "perf_event_open", "userfaultfd",
	// The kernel keyring is not namespaced.
	"add_key", "request_key", "keyctl",
	// Raw I/O ports.
	"iopl", "ioperm",
	// Host-wide state.
	"swapon", "swapoff", "acct", "quotactl", "quotactl_fd",
	// Obsolete, never needed.
	"lookup_dcookie", "uselib",
}

// deniedI386 adds the i386-only names of the same calls.
var deniedI386 = []string{"vm86", "vm86old"}

// Plan returns the default filter for goarch (a GOARCH name), or
// seccomp.ErrUnsupportedArch.
func Plan(goarch string) (libseccomp.Filter, error) {
	if goarch != "amd64" {
		return libseccomp.Filter{}, fmt.Errorf("%w: %s", seccomp.ErrUnsupportedArch, goarch)
	}
	return libseccomp.Filter{
		NoNewPrivs: false,
		Policy: libseccomp.Policy{
			DefaultAction: libseccomp.ActionAllow,
			Syscalls: []libseccomp.SyscallGroup{{
				Names:  append([]string(nil), Denied...),
				Action: libseccomp.ActionErrno, // EPERM: the library's default errno
			}},
		},
	}, nil
}

// i386Numbers are the i386 syscall numbers of the denied calls, sorted;
// names that do not exist on i386 are skipped.
func i386Numbers() []uint32 {
	var nrs []uint32
	for _, name := range append(append([]string(nil), Denied...), deniedI386...) {
		if nr, ok := arch.I386.SyscallNames[name]; ok {
			nrs = append(nrs, uint32(nr))
		}
	}
	sort.Slice(nrs, func(i, j int) bool { return nrs[i] < nrs[j] })
	return nrs
}
