package wire

import (
	"strings"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/xdr"
	"virtlxc/internal/virerr"
)

// ErrLevelError is VIR_ERR_ERROR, the level of every error libvirtd sends.
const ErrLevelError = 2

// RemoteError is remote_error (virNetMessageError), the payload of every
// reply or stream packet with status Error.
type RemoteError struct {
	Code    int32
	Domain  int32
	Message libvirt.OptString
	Level   int32
	Dom     libvirt.OptDomain // always sent absent
	Str1    libvirt.OptString
	Str2    libvirt.OptString
	Str3    libvirt.OptString
	Int1    int32
	Int2    int32
	Net     libvirt.OptNetwork // always sent absent
}

// NewRemoteError converts any error to what libvirtd would send for it:
// code, domain and message from virerr.As (an error that is not a
// *virerr.Error becomes VIR_ERR_INTERNAL_ERROR), level VIR_ERR_ERROR, and,
// as libvirt's virReportErrorHelper fills them, str1 = the code's message
// format (virErrorMsg, e.g. "Domain not found: %s"), str2 = the detail that
// was formatted into it, int1 = int2 = -1. The message is never absent
// (go-libvirt cannot parse an absent one).
func NewRemoteError(err error) *RemoteError {
	ve := virerr.As(err)
	if ve == nil {
		ve = virerr.New(virerr.ErrInternalError, virerr.FromRPC, "%s", "no error was set")
	}
	str1, str2 := splitMessage(ve.Code, ve.Message)
	return &RemoteError{
		Code:    int32(ve.Code),
		Domain:  int32(ve.Domain),
		Message: libvirt.OptString{ve.Message},
		Level:   ErrLevelError,
		Str1:    libvirt.OptString{str1},
		Str2:    libvirt.OptString{str2},
		Int1:    -1,
		Int2:    -1,
	}
}

// splitMessage recovers virErrorMsg's format and the detail from a message
// built by virerr.New. A message that does not follow its code's format
// (virerr.Raw) is returned whole as the detail.
func splitMessage(code virerr.Code, msg string) (format, detail string) {
	if bare := virerr.Prefix(code, ""); msg == bare {
		return bare, ""
	}
	format = virerr.Prefix(code, "%s")
	pre, post, ok := strings.Cut(format, "%s")
	if ok && len(msg) >= len(pre)+len(post) && strings.HasPrefix(msg, pre) && strings.HasSuffix(msg, post) {
		return format, msg[len(pre) : len(msg)-len(post)]
	}
	return format, msg
}

// Err converts a received remote_error to a *virerr.Error with the same
// code, domain and message. A missing message becomes the code's generic
// text, as libvirt's client does.
func (r *RemoteError) Err() *virerr.Error {
	msg := virerr.Prefix(virerr.Code(r.Code), "")
	if len(r.Message) == 1 {
		msg = r.Message[0]
	}
	return virerr.Raw(virerr.Code(r.Code), virerr.Domain(r.Domain), msg)
}

// Error implements error with the message.
func (r *RemoteError) Error() string { return r.Err().Error() }

// DecodeError decodes a remote_error payload into a *virerr.Error. A payload
// that does not decode yields the RPC error libvirt's client reports.
func DecodeError(payload []byte) *virerr.Error {
	var r RemoteError
	if err := xdr.Unmarshal(payload, &r); err != nil {
		return virerr.Wrap(err, virerr.ErrRPC, virerr.FromRPC, "%s", "Unable to decode message payload")
	}
	return r.Err()
}

// EncodeError returns the remote_error payload for err.
func EncodeError(err error) []byte {
	b, merr := xdr.Marshal(NewRemoteError(err))
	if merr != nil {
		// Only an over-long message can fail; send a short one instead.
		b, _ = xdr.Marshal(NewRemoteError(virerr.New(virerr.ErrRPC, virerr.FromRPC, "%s", "Unable to encode message payload")))
	}
	return b
}
