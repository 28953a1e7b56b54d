package containerinit

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"virtlxc/internal/initproto"
	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

// awaitClaim is the start of a spare stage (initproto.SpareArg): it waits
// on its sync socket for the Spec message, puts the descriptors that came
// with it where a freshly started stage finds its own (the log on 2, the
// passed ones on 3, 4, …, then the sync socket, the spec pipe and the
// namespaces to join), makes the namespaces the clone did not, and
// returns the number of passed descriptors. A spare stage whose
// controller goes away without claiming it exits 0; one that cannot
// follow the claim tells the controller why and exits 1.
func awaitClaim() int {
	sync := initproto.SpareSyncFD
	if !initproto.Pending(sync) {
		warmDecoder()
	}
	npass, err := claim(&sync)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Failure in libvirt_lxc startup: "+err.Error())
		_ = unix.Sendmsg(sync, []byte(initproto.Error+" "+err.Error()), nil, nil, 0)
		os.Exit(1)
	}
	return npass
}

// claim does awaitClaim's work; *sync follows the sync socket.
func claim(sync *int) (int, error) {
	kind, text, fds, err := initproto.RecvFD(*sync)
	if err != nil || kind != initproto.Spec {
		closeAll(fds)
		os.Exit(0)
	}
	f := strings.Fields(text)
	if len(f) != 2 || len(fds) < 2 {
		closeAll(fds)
		return 0, fmt.Errorf("bad spec message %q with %d descriptors", text, len(fds))
	}
	npass, err1 := strconv.Atoi(f[0])
	flags, err2 := strconv.ParseUint(f[1], 0, 64)
	if err1 != nil || err2 != nil || npass < 0 || len(fds) < 2+npass || flags&^initproto.SpareUnshareable != 0 {
		closeAll(fds)
		return 0, fmt.Errorf("bad spec message %q with %d descriptors", text, len(fds))
	}
	if err := unix.Dup3(fds[0], 2, 0); err != nil {
		closeAll(fds)
		return 0, fmt.Errorf("placing the log: %w", err)
	}
	unix.Close(fds[0])
	pass, specFD, shared := fds[2:2+npass], fds[1], fds[2+npass:]
	// The fresh stage's layout: passed, sync, spec, (its binary), shared.
	src := append(append([]int{}, pass...), initproto.SpareSyncFD, specFD)
	dst := make([]int, 0, len(src)+len(shared))
	for i := range src {
		dst = append(dst, initproto.FirstPassFD+i)
	}
	for i := range shared {
		src = append(src, shared[i])
		dst = append(dst, initproto.ShareFD(npass, i))
	}
	*sync = -1 // where it is during the moves is no place to report to
	if !initproto.SpareFits(npass, len(shared)) {
		return 0, fmt.Errorf("%d passed descriptors and %d namespaces do not fit a spare stage", npass, len(shared))
	}
	if err := relocate(src, dst, npass); err != nil {
		return 0, err
	}
	// The placeholders left over close; those taken were replaced.
	for fd := initproto.SpareSyncFD + 1; fd <= initproto.SpareSyncFD+initproto.SparePlaceholders; fd++ {
		if !slices.Contains(dst, fd) {
			unix.Close(fd)
		}
	}
	*sync = initproto.SyncFD(npass)
	if err := unix.Unshare(int(flags)); err != nil {
		return 0, virerr.Sys(err, "Failed to create the container's namespaces")
	}
	if flags&unix.CLONE_NEWNET != 0 {
		// The controller creates the interfaces' container ends in this
		// network namespace, found through this process's pid.
		if err := unix.Sendmsg(*sync, []byte(initproto.Unshared), nil, nil, 0); err != nil {
			return 0, fmt.Errorf("sending %s: %w", initproto.Unshared, err)
		}
	}
	return npass, nil
}

// warmDecoder fills encoding/json's caches for spec.Container (every
// nested type) while the spare stage waits: built on first use, they cost
// a claimed stage ≈ 0.1–0.2 ms otherwise.
func warmDecoder() {
	iface := spec.Interface{IPs: []spec.Address{{}}, Routes: []spec.Route{{}}, HostIPs: []spec.Address{{}}, HostRoutes: []spec.Route{{}}}
	sample := spec.Container{
		Mounts: []spec.Mount{{}}, Devices: []spec.Device{{}}, Interfaces: []spec.Interface{iface},
		NetDevs: []spec.Interface{iface}, Cgroups: []spec.CgroupMount{{}}, CapStates: map[string]string{"": ""},
		Init: []string{""}, Env: []string{""}, Share: []string{""}, CgroupJoin: []string{""},
	}
	if data, err := json.Marshal(&sample); err == nil {
		_ = json.Unmarshal(data, &spec.Container{})
	}
}

// relocate moves descriptor src[i] to dst[i], the first npass without
// close-on-exec, the others with it. Every source first goes above every
// destination, so no move overwrites a source not yet moved; a destination
// held by anything but a placeholder (the runtime's) is an error, never
// overwritten.
func relocate(src, dst []int, npass int) error {
	base := slices.Max(append(slices.Clone(dst), src...)) + 1
	high := make([]int, len(src))
	for i, fd := range src {
		h, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, base)
		if err != nil {
			return fmt.Errorf("placing descriptors: %w", err)
		}
		high[i] = h
		unix.Close(fd)
	}
	defer closeAll(high)
	for i, t := range dst {
		placeholder := t > initproto.SpareSyncFD && t <= initproto.SpareSyncFD+initproto.SparePlaceholders
		if _, err := unix.FcntlInt(uintptr(t), unix.F_GETFD, 0); err == nil && !placeholder {
			return fmt.Errorf("placing descriptors: %d is in use", t)
		}
		flags := unix.O_CLOEXEC
		if i < npass {
			flags = 0
		}
		if err := unix.Dup3(high[i], t, flags); err != nil {
			return fmt.Errorf("placing descriptors: %w", err)
		}
	}
	return nil
}

func closeAll(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}
