// Package virerr is libvirt's error model: a numeric code (virErrorNumber), the
// part of libvirt that raised it (virErrorDomain) and the human message, built
// exactly as libvirt's virErrorMsg() builds it so clients print the same text.
//
// Errors that a libvirt client can see are created here at the driver
// boundary and converted to the wire's remote_error by the RPC layer with
// errors.As; nothing matches on message strings.
package virerr

import (
	"errors"
	"fmt"
)

// Code is a libvirt virErrorNumber.
type Code int32

// Domain is a libvirt virErrorDomain: which subsystem raised the error.
type Domain int32

// Error codes used by virtlxc (values from libvirt's virterror.h).
const (
	ErrInternalError        Code = 1
	ErrNoMemory             Code = 2
	ErrNoSupport            Code = 3
	ErrNoConnect            Code = 5
	ErrInvalidConn          Code = 6
	ErrInvalidDomain        Code = 7
	ErrInvalidArg           Code = 8
	ErrOperationFailed      Code = 9
	ErrOSType               Code = 16
	ErrNoName               Code = 21
	ErrXMLError             Code = 27
	ErrDomExist             Code = 28
	ErrOperationDenied      Code = 29
	ErrOpenFailed           Code = 30
	ErrReadFailed           Code = 31
	ErrParseFailed          Code = 32
	ErrWriteFailed          Code = 34
	ErrXMLDetail            Code = 35
	ErrSystemError          Code = 38
	ErrRPC                  Code = 39
	ErrNoDomain             Code = 42
	ErrNoNetwork            Code = 43
	ErrInvalidMAC           Code = 44
	ErrOperationInvalid     Code = 55
	ErrConfigUnsupported    Code = 67
	ErrOperationTimeout     Code = 68
	ErrArgumentUnsupported  Code = 74
	ErrOperationAborted     Code = 78
	ErrNoDomainMetadata     Code = 80
	ErrOverflow             Code = 82
	ErrOperationUnsupported Code = 84
	ErrResourceBusy         Code = 87
	ErrAccessDenied         Code = 88
	ErrXMLInvalidSchema     Code = 92
)

// Error domains used by virtlxc (values from libvirt's virterror.h).
const (
	FromNone         Domain = 0
	FromXML          Domain = 5
	FromDom          Domain = 6
	FromRPC          Domain = 7
	FromConf         Domain = 9
	FromNet          Domain = 11
	FromRemote       Domain = 13
	FromLXC          Domain = 17
	FromNetwork      Domain = 19
	FromDomain       Domain = 20
	FromSecurity     Domain = 24
	FromAudit        Domain = 36
	FromStreams      Domain = 38
	FromCapabilities Domain = 44
	FromCgroup       Domain = 54
)

// Error is one libvirt error as a client sees it.
type Error struct {
	Code    Code
	Domain  Domain
	Message string // the full text, prefix included ("XML error: ...")
	cause   error
}

// Error returns the full libvirt message.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// New builds an error the way libvirt's virReportError does: the message is the
// code's prefix with the formatted detail (virErrorMsg).
func New(code Code, dom Domain, format string, args ...any) *Error {
	return &Error{Code: code, Domain: dom, Message: Prefix(code, fmt.Sprintf(format, args...))}
}

// Wrap is New with an underlying Go error kept for errors.Is/As; the cause's
// text is not added to the message.
func Wrap(cause error, code Code, dom Domain, format string, args ...any) *Error {
	e := New(code, dom, format, args...)
	e.cause = cause
	return e
}

// Raw builds an error whose message is used as is, without a code prefix
// (libvirt's VIR_ERR_XML_DETAIL-style messages, or messages relayed verbatim).
func Raw(code Code, dom Domain, msg string) *Error {
	return &Error{Code: code, Domain: dom, Message: msg}
}

// As returns the libvirt error in err's chain, or an internal error that
// carries err's text when there is none, so every failure reaches a client
// with a code.
func As(err error) *Error {
	if err == nil {
		return nil
	}
	var ve *Error
	if errors.As(err, &ve) {
		return ve
	}
	return Wrap(err, ErrInternalError, FromNone, "%s", err.Error())
}

// CodeOf returns the libvirt code of err, or 0 when err is nil.
func CodeOf(err error) Code {
	if err == nil {
		return 0
	}
	return As(err).Code
}
