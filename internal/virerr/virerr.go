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
	"strings"
	"syscall"
)

// Code is a libvirt virErrorNumber.
type Code int32

// Domain is a libvirt virErrorDomain: which subsystem raised the error.
type Domain int32

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

// Strerror is err as libvirt's virReportSystemError words it after the
// message: an errno's text capitalised as strerror(3) gives it ("File
// exists"), any other error's own text.
func Strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return err.Error()
}
