package audit

import (
	"encoding/binary"
	"errors"

	"golang.org/x/sys/unix"
)

// nlMsg is one parsed netlink message.
type nlMsg struct {
	Header unix.NlMsghdr
	Data   []byte
}

// parseMsgs splits a netlink datagram into its messages.
func parseMsgs(b []byte) ([]nlMsg, error) {
	var out []nlMsg
	for len(b) >= unix.NLMSG_HDRLEN {
		h := unix.NlMsghdr{
			Len:   binary.NativeEndian.Uint32(b[0:4]),
			Type:  binary.NativeEndian.Uint16(b[4:6]),
			Flags: binary.NativeEndian.Uint16(b[6:8]),
			Seq:   binary.NativeEndian.Uint32(b[8:12]),
			Pid:   binary.NativeEndian.Uint32(b[12:16]),
		}
		if h.Len < unix.NLMSG_HDRLEN || int(h.Len) > len(b) {
			return nil, errors.New("malformed netlink message")
		}
		out = append(out, nlMsg{Header: h, Data: b[unix.NLMSG_HDRLEN:h.Len]})
		next := (int(h.Len) + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1)
		if next > len(b) {
			break
		}
		b = b[next:]
	}
	return out, nil
}
