// Package containerinit is the init stage: the controller binary re-executed
// as pid 1 inside the container's new namespaces. It builds the container's
// filesystem (root, /proc, /sys, /dev, devpts, consoles, configured
// filesystems), configures the container ends of its network interfaces,
// pivots into it, sets the hostname, identity and capabilities,
// and execs the domain's init. Everything runs on the main thread, locked in
// init() before the runtime starts other work, because mount namespace,
// capability and exec state are per thread.
//
// It imports only leaf packages (spec, initproto, caps, netdev): never the driver or
// the RPC server.
package containerinit

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"virtlxc/internal/initproto"
	"virtlxc/internal/linkconf"
	"virtlxc/internal/sigdefault"
	"virtlxc/internal/spec"
)

// Arg is argv[1] of a process that must run the init stage.
const Arg = "__virtlxc_init"

// IsInit reports whether this process was started as the init stage.
func IsInit() bool { return len(os.Args) > 2 && os.Args[1] == Arg }

// LockThread pins the main goroutine to the main thread; call it from the
// binary's init() when IsInit().
func LockThread() { runtime.LockOSThread() }

// Main runs the init stage and never returns: it execs the container's init
// or exits 1 after telling the controller why.
func Main() {
	// Init starts with every signal's default action and none blocked, as
	// under libvirt, whatever the daemon inherited (nohup: SIGHUP
	// ignored). Done first, on this thread (the one that execs init), so
	// a spare does it before it is claimed.
	restoreErr := sigdefault.Restore()
	var npass int
	var err error
	if os.Args[2] == initproto.SpareArg {
		npass = awaitClaim()
	} else if npass, err = strconv.Atoi(os.Args[2]); err != nil || npass < 0 {
		fmt.Fprintf(os.Stderr, "virtlxc init: bad descriptor count %q\n", os.Args[2])
		os.Exit(1)
	}
	sync := os.NewFile(uintptr(initproto.SyncFD(npass)), "sync")
	st := &stage{sync: sync, npass: npass, rootTree: -1, memTree: -1}
	err = restoreErr
	if err == nil {
		err = st.run()
	}
	if err != nil {
		msg := "Failure in libvirt_lxc startup: " + err.Error()
		fmt.Fprintln(os.Stderr, msg)
		_ = initproto.Send(sync, initproto.Error, err.Error())
		os.Exit(1)
	}
}

// stage holds the state of one init run.
type stage struct {
	sync  *os.File
	npass int
	c     *spec.Container
	root  string // the new root while it is being built (before pivot)
	// rootTree is the detached, idmapped root tree from the controller
	// (-1: bind the root source as is).
	rootTree int
	// memTree is the detached meminfo mount from the controller (-1: none).
	memTree int
}

func (s *stage) run() error {
	specFile := os.NewFile(uintptr(initproto.SpecFD(s.npass)), "spec")
	data, err := io.ReadAll(specFile)
	specFile.Close()
	if err != nil {
		return fmt.Errorf("reading container spec: %w", err)
	}
	s.c = &spec.Container{}
	if err := json.Unmarshal(data, s.c); err != nil {
		return fmt.Errorf("decoding container spec: %w", err)
	}
	if err := s.joinNamespaces(); err != nil {
		return err
	}
	kind, text, fds, err := initproto.Recv(s.sync)
	if err != nil || kind != initproto.Go {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return fmt.Errorf("Failed to read the container continue message: %v", err)
	}
	// With Go may come the idmapped root tree and the meminfo mount the
	// controller prepared, named in its text (initproto.GoTrees).
	s.rootTree, s.memTree = -1, -1
	names := strings.Split(text, ",")
	for i, fd := range fds {
		switch {
		case i < len(names) && names[i] == initproto.TreeRoot:
			s.rootTree = fd
		case i < len(names) && names[i] == initproto.TreeMeminfo:
			s.memTree = fd
		default:
			unix.Close(fd)
		}
	}
	// The controller created the container ends in this network namespace
	// before sending Go (spec §2.9, container side).
	if err := linkconf.SetupGuest(linkconf.Here, s.c.Interfaces); err != nil {
		return err
	}
	if err := s.enterCgroupNS(); err != nil {
		return err
	}
	if err := s.buildRoot(); err != nil {
		return err
	}
	if err := s.pivot(); err != nil {
		return err
	}
	return s.execInit()
}

// joinNamespaces enters the namespaces <lxc:namespace> shares (spec §2.2
// step 1); this thread, which later execs init, carries them.
func (s *stage) joinNamespaces() error {
	types := map[string]int{"net": unix.CLONE_NEWNET, "ipc": unix.CLONE_NEWIPC, "uts": unix.CLONE_NEWUTS}
	for i, kind := range s.c.Share {
		fd := initproto.ShareFD(s.npass, i)
		err := unix.Setns(fd, types[kind])
		unix.Close(fd)
		if err != nil && err != unix.EINVAL {
			return fmt.Errorf("failed to attach the namespace: %w", err)
		}
	}
	return nil
}
