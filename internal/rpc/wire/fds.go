package wire

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// oobSpace holds the largest SCM_RIGHTS message a peer may send.
var oobSpace = unix.CmsgSpace(4 * MaxFDs)

// recv is one recvmsg into b: the bytes read and any fds that came with them
// (close-on-exec, which Go's ReadMsgUnix sets on Linux).
func (c *Conn) recv(b []byte) (int, []*os.File, error) {
	n, oobn, flags, _, err := c.uc.ReadMsgUnix(b, c.oob)
	var fds []*os.File
	if oobn > 0 {
		var perr error
		fds, perr = parseRights(c.oob[:oobn])
		if perr != nil && err == nil {
			err = perr
		}
	}
	if flags&unix.MSG_CTRUNC != 0 && err == nil {
		err = errors.New("control message truncated: file descriptors were lost")
	}
	if n == 0 && err == nil && len(b) > 0 {
		err = io.EOF
	}
	return n, fds, err
}

// parseRights extracts the fds of every SCM_RIGHTS message in oob.
func parseRights(oob []byte) ([]*os.File, error) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("parse control message: %w", err)
	}
	var out []*os.File
	for i := range msgs {
		fds, err := unix.ParseUnixRights(&msgs[i])
		if err != nil {
			continue // not SCM_RIGHTS (credentials, …)
		}
		for _, fd := range fds {
			out = append(out, os.NewFile(uintptr(fd), fmt.Sprintf("fd:%d", fd)))
		}
	}
	return out, nil
}

// sendFD sends one fd with a single 0x00 data byte.
func (c *Conn) sendFD(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name(), err)
	}
	var werr error
	cerr := rc.Control(func(fd uintptr) {
		_, _, werr = c.uc.WriteMsgUnix([]byte{0}, unix.UnixRights(int(fd)), nil)
	})
	if cerr != nil {
		return fmt.Errorf("%s: %w", f.Name(), cerr)
	}
	return werr
}
