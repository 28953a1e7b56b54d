package containerinit

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"virtlxc/internal/seccomp"
	"virtlxc/internal/virerr"
)

// seccompWanted says whether the default seccomp filter is to be installed:
// the spec asks for it and this architecture has one. On another
// architecture it writes a note to stderr (still the controller's log, as
// this runs before the console becomes stdio) and the container runs
// unfiltered, as under libvirt.
func (s *stage) seccompWanted() bool {
	if !s.c.Seccomp {
		return false
	}
	if _, err := seccomp.Programs(runtime.GOARCH); errors.Is(err, seccomp.ErrUnsupportedArch) {
		fmt.Fprintf(os.Stderr, "virtlxc: container %s runs without a seccomp filter: %v\n", s.c.Name, err)
		return false
	}
	return true
}

// applySeccomp installs the default filter on this locked thread, which
// execs init next. It runs before the capabilities are dropped and the uid
// switched, while the thread still has CAP_SYS_ADMIN in its user
// namespace: loading a filter after that would need no_new_privs, which
// would break setuid programs in the container. The filter refuses none of
// the calls that follow (capset, setresuid, chdir, close_range, execve).
func applySeccomp() error {
	if err := seccomp.Apply(); err != nil {
		return virerr.Sys(err, "Failed to install the seccomp filter")
	}
	return nil
}
