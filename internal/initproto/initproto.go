// Package initproto is the small protocol between a controller and the init
// stage it starts inside the new namespaces: one SOCK_SEQPACKET socketpair,
// one message per packet, descriptors carried with SCM_RIGHTS. It is a leaf:
// both sides import it and nothing else of each other.
//
// The exchange:
//
//	controller → init   Go        (cgroups joined, id maps written)
//	init → controller   Consoles  + N pty master fds
//	init → controller   Error     "<message>" (then init exits 1)
//	(EOF)                         the socket is close-on-exec: EOF after
//	                              Consoles means init was exec'd
package initproto

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Message kinds.
const (
	Go       = "go"
	Consoles = "consoles"
	Error    = "error"
)

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
	buf := make([]byte, 64*1024)
	oob := make([]byte, unix.CmsgSpace(64*4))
	for {
		n, oobn, _, _, err := unix.Recvmsg(int(f.Fd()), buf, oob, unix.MSG_CMSG_CLOEXEC)
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
