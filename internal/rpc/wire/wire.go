// Package wire is libvirt's RPC packet layer: the length-prefixed frame, the
// 24-byte header, message types and statuses, the remote_error payload, and
// file-descriptor passing for the *_WITH_FDS message types.
//
// A frame on the wire (spec §1.1):
//
//	len u32 (counts itself) | prog vers proc type serial status (6 × u32) | [nfds u32] | payload
//
// nfds is present only for CALL_WITH_FDS and REPLY_WITH_FDS. After such a
// frame the sender makes nfds further sendmsg() calls, each carrying one data
// byte (0x00) and one fd in SCM_RIGHTS; those bytes are not counted in len.
package wire

import (
	"encoding/binary"
	"fmt"
)

// Program numbers and versions.
const (
	ProgramRemote    uint32 = 0x20008086 // REMOTE_PROGRAM
	ProgramLXC       uint32 = 0x00068000 // LXC_PROGRAM
	ProgramQEMU      uint32 = 0x20008087 // QEMU_PROGRAM (not served)
	ProgramKeepalive uint32 = 0x6b656570 // KEEPALIVE_PROGRAM, "keep"
	// ProgramVirtlxc carries virtlxc's own extensions ("vlxc"), which
	// libvirt's clients never call: the console window size.
	ProgramVirtlxc uint32 = 0x766c7863

	// ProtocolVersion is the version of every program above.
	ProtocolVersion uint32 = 1
)

// Keepalive procedures (program ProgramKeepalive, type Message, no payload).
const (
	KeepalivePing uint32 = 1
	KeepalivePong uint32 = 2
)

// Size limits from virnetprotocol.x.
const (
	// LenSize is the size of the length word that starts every frame.
	LenSize = 4
	// HeaderSize is VIR_NET_MESSAGE_HEADER_MAX.
	HeaderSize = 24
	// MaxMessage is VIR_NET_MESSAGE_MAX: header plus payload, excluding the
	// length word.
	MaxMessage = 33554432
	// MaxPayload is VIR_NET_MESSAGE_PAYLOAD_MAX.
	MaxPayload = MaxMessage - HeaderSize
	// InitialBuffer is VIR_NET_MESSAGE_INITIAL: the first read buffer size;
	// it grows towards MaxMessage only as bytes actually arrive.
	InitialBuffer = 65536
	// MaxFDs is VIR_NET_MESSAGE_NUM_FDS_MAX.
	MaxFDs = 32
	// MaxStreamChunk is VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX: the largest
	// STREAM payload libvirt sends, and the chunk size used here.
	MaxStreamChunk = 262120
	// MinFrame is the smallest valid frame: length word and header.
	MinFrame = LenSize + HeaderSize
)

// Type is the message type in the header.
type Type uint32

// Message types.
const (
	Call         Type = 0 // VIR_NET_CALL
	Reply        Type = 1 // VIR_NET_REPLY
	Message      Type = 2 // VIR_NET_MESSAGE: events and keepalive
	Stream       Type = 3 // VIR_NET_STREAM
	CallWithFDs  Type = 4 // VIR_NET_CALL_WITH_FDS
	ReplyWithFDs Type = 5 // VIR_NET_REPLY_WITH_FDS
	StreamHole   Type = 6 // VIR_NET_STREAM_HOLE
)

// HasFDs reports whether frames of this type carry an nfds word.
func (t Type) HasFDs() bool { return t == CallWithFDs || t == ReplyWithFDs }

// String returns libvirt's name for the type ("CALL", …).
func (t Type) String() string {
	switch t {
	case Call:
		return "CALL"
	case Reply:
		return "REPLY"
	case Message:
		return "MESSAGE"
	case Stream:
		return "STREAM"
	case CallWithFDs:
		return "CALL_WITH_FDS"
	case ReplyWithFDs:
		return "REPLY_WITH_FDS"
	case StreamHole:
		return "STREAM_HOLE"
	}
	return fmt.Sprintf("TYPE_%d", uint32(t))
}

// Status is the status in the header.
type Status uint32

// Statuses.
const (
	OK       Status = 0 // VIR_NET_OK
	Error    Status = 1 // VIR_NET_ERROR
	Continue Status = 2 // VIR_NET_CONTINUE (streams only)
)

// String returns libvirt's name for the status ("OK", …).
func (s Status) String() string {
	switch s {
	case OK:
		return "OK"
	case Error:
		return "ERROR"
	case Continue:
		return "CONTINUE"
	}
	return fmt.Sprintf("STATUS_%d", uint32(s))
}

// Header is virNetMessageHeader.
type Header struct {
	Program   uint32
	Version   uint32
	Procedure uint32
	Type      Type
	Serial    uint32
	Status    Status
}

// AppendHeader appends the 24-byte encoding of h.
func AppendHeader(dst []byte, h Header) []byte {
	for _, w := range [6]uint32{h.Program, h.Version, h.Procedure, uint32(h.Type), h.Serial, uint32(h.Status)} {
		dst = binary.BigEndian.AppendUint32(dst, w)
	}
	return dst
}

// ParseHeader decodes a header from the first HeaderSize bytes of b.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, fmt.Errorf("header needs %d bytes, have %d", HeaderSize, len(b))
	}
	w := func(i int) uint32 { return binary.BigEndian.Uint32(b[4*i:]) }
	return Header{Program: w(0), Version: w(1), Procedure: w(2), Type: Type(w(3)), Serial: w(4), Status: Status(w(5))}, nil
}

// String renders the header for logs.
func (h Header) String() string {
	return fmt.Sprintf("prog=%#x vers=%d proc=%d type=%s serial=%d status=%s",
		h.Program, h.Version, h.Procedure, h.Type, h.Serial, h.Status)
}
