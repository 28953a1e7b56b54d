package nsenter

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"virtlxc/internal/seccomp"
)

// seccompEnv is the EnvSeccomp entry for the default filters, or nil when
// req does not ask for them.
func seccompEnv(req Request) ([]string, error) {
	if !req.Seccomp {
		return nil, nil
	}
	progs, err := seccomp.Programs(runtime.GOARCH)
	if err != nil {
		return nil, &SetupError{Msg: "Unable to build the container's seccomp filter", Err: err}
	}
	return []string{EnvSeccomp + "=" + encodePrograms(progs)}, nil
}

// encodePrograms writes each program as 16 hex digits per instruction
// (code 4, jt 2, jf 2, k 8), programs separated by commas: the format the
// C constructor and decodePrograms read.
func encodePrograms(progs []seccomp.Program) string {
	var b strings.Builder
	for i, p := range progs {
		if i > 0 {
			b.WriteByte(',')
		}
		for _, f := range p.Filter {
			fmt.Fprintf(&b, "%04x%02x%02x%08x", f.Code, f.Jt, f.Jf, f.K)
		}
	}
	return b.String()
}

// decodePrograms reads encodePrograms' format.
func decodePrograms(s string) ([][]unix.SockFilter, error) {
	var out [][]unix.SockFilter
	for _, p := range strings.Split(s, ",") {
		if len(p) == 0 || len(p)%16 != 0 {
			return nil, fmt.Errorf("bad seccomp program of %d hex digits", len(p))
		}
		prog := make([]unix.SockFilter, len(p)/16)
		for i := range prog {
			v, err := strconv.ParseUint(p[16*i:16*i+16], 16, 64)
			if err != nil {
				return nil, fmt.Errorf("bad seccomp instruction: %w", err)
			}
			prog[i] = unix.SockFilter{Code: uint16(v >> 48), Jt: uint8(v >> 40), Jf: uint8(v >> 32), K: uint32(v)}
		}
		out = append(out, prog)
	}
	return out, nil
}

// restrict gives this locked thread, and so the command it forks, the
// init's no_new_privs and seccomp filters.
func restrict(nnp bool, progs [][]unix.SockFilter) error {
	if nnp {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return &SetupError{Msg: "Unable to set no_new_privs", Err: err}
		}
	}
	for _, p := range progs {
		if err := seccomp.Load(p); err != nil {
			return &SetupError{Msg: "Unable to install the seccomp filter", Err: err}
		}
	}
	return nil
}
