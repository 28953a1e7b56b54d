// Package initproto is the small protocol between a controller and the init
// stage it starts inside the new namespaces: one SOCK_SEQPACKET socketpair,
// one message per packet, descriptors carried with SCM_RIGHTS. It is a leaf:
// both sides import it and nothing else of each other.
//
// The exchange:
//
//	controller → init   Spec      "<npass> <clone flags>" + log, spec pipe,
//	                              passed and shared-namespace fds (only to
//	                              a stage started ahead of need, SpareArg)
//	init → controller   Unshared  (after Spec, when a network namespace
//	                              was made: its ends may be created now)
//	controller → init   Go        "<names>" (cgroups joined, id maps
//	                              written) + the trees named (TreeRoot,
//	                              TreeMeminfo)
//	init → controller   Consoles  + N pty master fds
//	init → controller   Exec      (every check passed: execve is next; as
//	                              libvirt's second handshake, the start
//	                              is told now, while the kernel execs)
//	init → controller   Error     "<message>" (then init exits 1)
//	(EOF)                         the socket is close-on-exec: EOF after
//	                              Consoles means init was exec'd (a
//	                              stage that does not send Exec)
package initproto

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Names of the descriptors a Go message may carry, in its text
// (comma-separated, in the descriptors' order).
const (
	TreeRoot    = "root"    // the idmapped root tree
	TreeMeminfo = "meminfo" // the detached meminfo mount
)

// Message kinds.
const (
	Go       = "go"
	Spec     = "spec"
	Unshared = "unshared"
	Consoles = "consoles"
	Exec     = "exec"
	Error    = "error"
)

// SpareArg is argv[2] of an init stage started ahead of need: instead of
// descriptors at fixed places it has the sync socket on SpareSyncFD and
// waits for a Spec message that brings the rest.
const SpareArg = "spare"

// SpareSyncFD is a spare stage's end of the socketpair.
const SpareSyncFD = 3

// SpareUnshareable are the namespaces a spare stage makes for itself when
// claimed (unshare on its locked thread); its pid namespace came with its
// clone, and a user namespace cannot be made by a multi-threaded process
// (a fresh stage is started for those).
const SpareUnshareable = unix.CLONE_NEWNS | unix.CLONE_NEWIPC | unix.CLONE_NEWUTS | unix.CLONE_NEWNET

// SparePlaceholders is how many descriptors after SpareSyncFD a spare
// stage is started with (/dev/null): they hold the places of those a claim
// brings, which the Go runtime would otherwise take for its own (epoll,
// the cgroup CPU limit files) while it boots.
const SparePlaceholders = 16

// SpareFits reports whether a claim with npass passed descriptors and
// nshare namespaces to join fits a spare stage's placeholders.
func SpareFits(npass, nshare int) bool {
	return ShareFD(npass, nshare) <= SpareSyncFD+SparePlaceholders+1
}

// Fd layout of the init stage: descriptors passed to init come first so
// they already sit at 3, 4, … and need no renumbering.
const (
	FirstPassFD = 3
)

// SyncFD is the init stage's end of the socketpair, right after the passed
// descriptors; SpecFD follows it.
func SyncFD(npass int) int { return FirstPassFD + npass }

// SpecFD is the pipe the init stage reads its JSON spec from.
func SpecFD(npass int) int { return FirstPassFD + npass + 1 }

// ShareFD is the descriptor of the i-th namespace the init stage joins; the
// controller binary's own descriptor (which the stage was exec'd through)
// sits between SpecFD and these.
func ShareFD(npass, i int) int { return FirstPassFD + npass + 3 + i }

// Pair makes the controller's and the init stage's ends (both close-on-exec).
func Pair() (parent, child *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "init-sync-parent"), os.NewFile(uintptr(fds[1]), "init-sync-child"), nil
}

// Send writes one message, with fds attached when given.
func Send(f *os.File, kind, text string, fds ...int) error {
	payload := []byte(kind)
	if text != "" {
		payload = append(payload, ' ')
		payload = append(payload, text...)
	}
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	if err := unix.Sendmsg(int(f.Fd()), payload, oob, nil, 0); err != nil {
		return fmt.Errorf("sending %s: %w", kind, err)
	}
	return nil
}

// ErrClosed is returned by Recv when the peer closed its end (for the
// controller: init was exec'd or died).
var ErrClosed = errors.New("init sync socket closed")

// Recv reads one message and the descriptors that came with it.
func Recv(f *os.File) (kind, text string, fds []int, err error) {
	return RecvFD(int(f.Fd()))
}

// RecvFD is Recv on a raw descriptor (no os.File, whose finalizer would
// close the number once it is reused).
func RecvFD(fd int) (kind, text string, fds []int, err error) {
	buf := make([]byte, 64*1024)
	oob := make([]byte, unix.CmsgSpace(64*4))
	for {
		n, oobn, _, _, err := unix.Recvmsg(fd, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return "", "", nil, fmt.Errorf("receiving from init: %w", err)
		}
		if n == 0 && oobn == 0 {
			return "", "", nil, ErrClosed
		}
		if oobn > 0 {
			msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
			if err != nil {
				return "", "", nil, fmt.Errorf("parsing control message: %w", err)
			}
			for _, m := range msgs {
				got, err := unix.ParseUnixRights(&m)
				if err == nil {
					fds = append(fds, got...)
				}
			}
		}
		msg := string(buf[:n])
		kind, text = msg, ""
		for i := 0; i < len(msg); i++ {
			if msg[i] == ' ' {
				kind, text = msg[:i], msg[i+1:]
				break
			}
		}
		return kind, text, fds, nil
	}
}

// Pending reports whether descriptor fd has something to read now. A spare
// controller or stage warms its caches for a fast claim only while its
// claim is not already waiting: under a burst of starts the claim comes
// first, and the start itself fills the caches once.
func Pending(fd int) bool {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0
}
