package virsh

import (
	"errors"
	"fmt"

	"virtlxc/internal/rpc/client"
	"virtlxc/internal/virerr"
)

// CmdError is a command failure as virsh reports it: each line is printed
// to stderr after "error: ", and the process exits with Status (1 unless
// set).
type CmdError struct {
	Lines  []string
	Status int
	cause  error
}

// Error returns the last line, the libvirt error when there is one.
func (e *CmdError) Error() string {
	if len(e.Lines) == 0 {
		return "command failed"
	}
	return e.Lines[len(e.Lines)-1]
}

// Unwrap returns the libvirt error behind the failure, if any.
func (e *CmdError) Unwrap() error { return e.cause }

// cmdErrorf is a failure with one line.
func cmdErrorf(format string, args ...any) error {
	return &CmdError{Lines: []string{fmt.Sprintf(format, args...)}}
}

// failed is virsh's usual pattern: its own line (vshError) followed by the
// libvirt error that caused it (vshReportError).
func failed(cause error, format string, args ...any) error {
	return &CmdError{Lines: append([]string{fmt.Sprintf(format, args...)}, errorLines(cause)...), cause: cause}
}

// silentFailure fails the command without printing anything, as a virsh
// command that returns false with no libvirt error set.
func silentFailure() error { return &CmdError{} }

// errorLines turns any error into the lines virsh would print for it.
func errorLines(err error) []string {
	if err == nil {
		return nil
	}
	var ce *CmdError
	if errors.As(err, &ce) {
		return ce.Lines
	}
	var se *syntaxError
	if errors.As(err, &se) {
		return []string{se.msg}
	}
	var ve *virerr.Error
	if errors.As(err, &ve) {
		return []string{ve.Message}
	}
	if errors.Is(err, client.ErrClosed) {
		return []string{"End of file while reading data: Input/output error"}
	}
	return []string{err.Error()}
}

// libvirtCode returns the libvirt error code carried by err, or -1.
func libvirtCode(err error) virerr.Code {
	var ve *virerr.Error
	if errors.As(err, &ve) {
		return ve.Code
	}
	return -1
}

// isNoSupport reports whether err means "the server does not implement
// this": VIR_ERR_NO_SUPPORT or the RPC layer's "unknown procedure".
func isNoSupport(err error) bool {
	return libvirtCode(err) == virerr.ErrNoSupport || client.IsUnknownProcedure(err)
}
