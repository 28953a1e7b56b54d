package wire

import (
	"encoding/binary"
	"fmt"
	"os"

	"virtlxc/internal/rpc/xdr"
)

// Packet is one decoded message.
type Packet struct {
	Header
	// Payload is the args, ret, msg, remote_error or stream bytes; for the
	// *_WITH_FDS types the nfds word is not part of it.
	Payload []byte
	// FDs are the descriptors a *_WITH_FDS packet carried (received), or is
	// to carry (sent).
	FDs []*os.File
}

// BeginFrame starts a frame for h in an encoder: a placeholder length, the
// header and, for *_WITH_FDS types, nfds. Encode the payload into the
// returned encoder, then call EndFrame.
func BeginFrame(h Header, nfds int) *xdr.Encoder {
	buf := make([]byte, LenSize, 256)
	buf = AppendHeader(buf, h)
	e := xdr.NewEncoder(buf)
	if h.Type.HasFDs() {
		e.PutUint32(uint32(nfds))
	}
	return e
}

// EndFrame fills in the length word of a frame built with BeginFrame and
// checks it against MaxMessage.
func EndFrame(e *xdr.Encoder) ([]byte, error) {
	b := e.Bytes()
	if len(b) < MinFrame {
		return nil, fmt.Errorf("frame of %d bytes was not started with BeginFrame", len(b))
	}
	if len(b)-LenSize > MaxMessage {
		return nil, fmt.Errorf("message of %d bytes exceeds the %d-byte limit", len(b)-LenSize, MaxMessage)
	}
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return b, nil
}

// Frame returns the complete frame for h, nfds (used only by *_WITH_FDS
// types) and an already encoded payload (XDR, or raw stream bytes).
func Frame(h Header, nfds int, payload []byte) ([]byte, error) {
	e := BeginFrame(h, nfds)
	e.PutRaw(payload)
	return EndFrame(e)
}

// ParseFrame splits a frame body (the bytes after the length word) into its
// header, nfds and payload.
func ParseFrame(body []byte) (Header, int, []byte, error) {
	h, err := ParseHeader(body)
	if err != nil {
		return h, 0, nil, err
	}
	rest := body[HeaderSize:]
	if !h.Type.HasFDs() {
		return h, 0, rest, nil
	}
	if len(rest) < 4 {
		return h, 0, nil, fmt.Errorf("%s packet without nfds", h.Type)
	}
	nfds := binary.BigEndian.Uint32(rest)
	if nfds > MaxFDs {
		return h, 0, nil, fmt.Errorf("%s packet announces %d fds, more than %d", h.Type, nfds, MaxFDs)
	}
	return h, int(nfds), rest[4:], nil
}

// checkLength validates a frame's length word before anything is allocated
// for the frame (libvirt's virNetMessageDecodeLength).
func checkLength(n uint32) error {
	if n < MinFrame {
		return fmt.Errorf("packet of %d bytes is too small, want at least %d", n, MinFrame)
	}
	if n-LenSize > MaxMessage {
		return fmt.Errorf("packet of %d bytes is too large, the limit is %d", n, MaxMessage+LenSize)
	}
	return nil
}
