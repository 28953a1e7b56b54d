package caps

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"github.com/moby/sys/capability"
	"golang.org/x/sys/unix"
)

// lastCapPath is where the kernel publishes its highest capability number.
const lastCapPath = "/proc/sys/kernel/cap_last_cap"

// LastCap returns the highest capability number the running kernel knows,
// read from /proc/sys/kernel/cap_last_cap. Pass it to [Plan].
func LastCap() (int, error) {
	b, err := os.ReadFile(lastCapPath)
	if err != nil {
		return 0, fmt.Errorf("reading last capability: %w", err)
	}
	s := strings.TrimSpace(string(b))
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("parsing %s %q: %w", lastCapPath, s, err)
	}
	if n < 0 || n > maxCap {
		return 0, fmt.Errorf("%s: %d out of range 0..%d", lastCapPath, n, maxCap)
	}
	return n, nil
}

// Apply makes the calling thread keep exactly the capabilities in keep, as
// libvirt's lxcContainerDropCapabilities does for the container init:
//
//  1. every capability not in keep is dropped from the bounding set
//     (PR_CAPBSET_DROP; needs CAP_SETPCAP, so this comes first);
//  2. the ambient set is cleared;
//  3. the effective, permitted and inheritable sets are set to keep,
//     limited to what the thread currently has in its permitted set (the
//     current capabilities are the baseline: nothing can be gained).
//
// Capabilities are per-thread: Apply changes only the OS thread it runs on
// and does not touch the Go runtime's other threads. It must therefore be
// called on a goroutine that has called runtime.LockOSThread() (and never
// unlocks it), just before that same goroutine execve()s the container
// init, so the new program inherits this thread's sets. Do not run other
// work on the thread afterwards, and mind that Go's syscall.Setuid and
// friends act on all threads and crash the process if the results differ
// between threads: do uid/gid changes that need dropped capabilities
// before Apply.
func Apply(keep Set) error {
	last, err := LastCap()
	if err != nil {
		return fmt.Errorf("applying capabilities: %w", err)
	}
	c, err := capability.NewPid2(0)
	if err != nil {
		return fmt.Errorf("applying capabilities: %w", err)
	}
	// Load's capget is per-thread and gives this thread's permitted set.
	// (Its bounding and ambient sets come from /proc/self/status, the main
	// thread's, so they are not used: PR_CAPBSET_READ is asked instead.)
	if err := c.Load(); err != nil {
		return fmt.Errorf("applying capabilities: reading current capabilities: %w", err)
	}

	for i := 0; i <= last; i++ {
		if keep.Has(i) {
			continue
		}
		if err := dropBound(i); err != nil {
			return fmt.Errorf("applying capabilities: %w", err)
		}
	}

	if err := capability.ResetAmbient(); err != nil && !errors.Is(err, unix.EINVAL) {
		// EINVAL: kernel without ambient capabilities (< 4.3).
		return fmt.Errorf("applying capabilities: clearing ambient set: %w", err)
	}

	var sets []capability.Cap
	for i := 0; i <= last; i++ {
		if keep.Has(i) && c.Get(capability.PERMITTED, capability.Cap(i)) {
			sets = append(sets, capability.Cap(i))
		}
	}
	c.Clear(capability.CAPS)
	c.Set(capability.CAPS, sets...)
	if err := c.Apply(capability.CAPS); err != nil {
		return fmt.Errorf("applying capabilities: setting effective/permitted/inheritable to %s: %w",
			maskOf(sets), err)
	}
	return nil
}

// dropBound removes capability i from the calling thread's bounding set if
// it is there.
func dropBound(i int) error {
	in, err := capability.GetBound(capability.Cap(i))
	if errors.Is(err, unix.EINVAL) {
		return nil // unknown to this kernel
	}
	if err != nil {
		return fmt.Errorf("reading CAP_%s in bounding set: %w", strings.ToUpper(Name(i)), err)
	}
	if !in {
		return nil
	}
	if err := capability.DropBound(capability.Cap(i)); err != nil {
		return fmt.Errorf("dropping CAP_%s from bounding set: %w", strings.ToUpper(Name(i)), err)
	}
	return nil
}

// maskOf formats a list of capabilities as a status-style mask for errors.
func maskOf(list []capability.Cap) string {
	var s Set
	for _, c := range list {
		s = s.with(int(c))
	}
	return s.Mask()
}

// DropAll clears every capability set (effective, permitted, inheritable,
// bounding and ambient) of the whole calling process, as the controller
// does once the container is running (libvirt's
// virLXCControllerClearCapabilities). Unlike [Apply] it acts on every
// thread of the Go runtime, through syscall.AllThreadsSyscall, because the
// controller keeps running Go code (e.g. the FUSE server) on all of them.
//
// Consequences: in a binary that links cgo (including a default build that
// imports net or os/user, and -race builds) the runtime refuses and DropAll
// returns an error matching errors.ErrUnsupported without changing
// anything; build the controller with CGO_ENABLED=0 (or the netgo and
// osusergo tags). And every thread must still hold the same capabilities,
// as the runtime aborts the process if the call succeeds on some threads
// and fails on others.
func DropAll() error {
	last, err := LastCap()
	if err != nil {
		return fmt.Errorf("dropping all capabilities: %w", err)
	}
	// Bounding set first: dropping from it needs CAP_SETPCAP.
	for i := 0; i <= last; i++ {
		in, err := capability.GetBound(capability.Cap(i))
		if errors.Is(err, unix.EINVAL) {
			continue
		}
		if err != nil {
			return fmt.Errorf("dropping all capabilities: reading CAP_%s in bounding set: %w",
				strings.ToUpper(Name(i)), err)
		}
		if !in {
			continue
		}
		_, _, errno := syscall.AllThreadsSyscall(unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, uintptr(i), 0)
		if err := allThreadsErr(errno); err != nil {
			return fmt.Errorf("dropping all capabilities: dropping CAP_%s from bounding set: %w",
				strings.ToUpper(Name(i)), err)
		}
	}

	_, _, errno := syscall.AllThreadsSyscall(unix.SYS_PRCTL, unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0)
	if err := allThreadsErr(errno); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("dropping all capabilities: clearing ambient set: %w", err)
	}

	// pid 0 in the header: each thread sets its own (empty) sets.
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	_, _, errno = syscall.AllThreadsSyscall(unix.SYS_CAPSET,
		uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0)
	if err := allThreadsErr(errno); err != nil {
		return fmt.Errorf("dropping all capabilities: clearing effective/permitted/inheritable: %w", err)
	}
	return nil
}

// allThreadsErr turns the result of syscall.AllThreadsSyscall into an
// error, explaining ENOTSUP, which the runtime returns in cgo binaries.
func allThreadsErr(errno syscall.Errno) error {
	switch errno {
	case 0:
		return nil
	case syscall.ENOTSUP:
		return fmt.Errorf("cannot change every thread in a binary using cgo: %w", errno)
	default:
		return errno
	}
}
