// Package proctitle rewrites what /proc/PID/cmdline (ps, pgrep, top)
// shows for this process, as setproctitle(3) does: the kernel reads the
// command line from the process's own memory, the argument and
// environment strings the kernel placed at the top of its stack, and a
// program may write over them. PR_SET_MM would point the kernel
// elsewhere but needs CAP_SYS_RESOURCE, which root may lack (it does on
// the machines this was built on).
//
// A process that uses it calls Detach first, before it keeps any
// argument string: Go's os.Args strings are that memory itself.
package proctitle

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"virtlxc/internal/procstat"
)

// Detach copies os.Args out of the memory Set overwrites (the slice's
// elements are replaced in place, so subslices of os.Args see the
// copies too).
func Detach() {
	for i := range os.Args {
		os.Args[i] = strings.Clone(os.Args[i])
	}
}

// Set makes the command line read title, cut to the room the original
// arguments and environment took (the environment shown by
// /proc/PID/environ is overwritten; the process's own copy is not).
func Set(title string) error {
	r, err := region()
	if err != nil {
		return err
	}
	room := int(r.envEnd - r.argStart)
	if room < 2 {
		return errors.New("no room for a process title")
	}
	b := make([]byte, room)
	n := copy(b[:room-1], title)
	// The kernel reads a command line whose last argument byte is not
	// NUL as a title (setproctitle's way): up to its first NUL. Filler
	// after that NUL keeps the last argument byte set.
	for i := n + 1; i < int(r.argEnd-r.argStart); i++ {
		b[i] = ' '
	}
	mem, err := os.OpenFile("/proc/self/mem", os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("process title: %w", err)
	}
	defer mem.Close()
	if _, err := mem.WriteAt(b, int64(r.argStart)); err != nil {
		return fmt.Errorf("process title: %w", err)
	}
	return nil
}

// argRegion is where the kernel put the argument and environment strings.
type argRegion struct{ argStart, argEnd, envEnd uint64 }

// region reads arg_start, arg_end and env_end (fields 48, 49, 51) from
// /proc/self/stat.
func region() (argRegion, error) {
	f, err := procstat.Read("self")
	if err != nil {
		return argRegion{}, err
	}
	return parseRegion(f)
}

// parseRegion takes argRegion from /proc/PID/stat fields (procstat.Fields).
func parseRegion(f []string) (argRegion, error) {
	var v [3]uint64
	for k, field := range []int{48, 49, 51} {
		n, err := procstat.Uint(f, field)
		if err != nil {
			return argRegion{}, err
		}
		v[k] = n
	}
	r := argRegion{argStart: v[0], argEnd: v[1], envEnd: v[2]}
	if r.argEnd <= r.argStart || r.envEnd < r.argEnd {
		return argRegion{}, errors.New("/proc/self/stat: bad argument addresses")
	}
	return r, nil
}
