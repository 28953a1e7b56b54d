package virerr

import "fmt"

// SysError is a failed system call worded as libvirt's
// virReportSystemError words it: the message, then strerror's text of the
// cause ("No such file or directory", not Go's "stat /x: no such file or
// directory"). It carries no libvirt code: where one reaches a client, the
// layer that reports it gives the code. errors.Is and errors.As reach the
// cause.
type SysError struct {
	Msg string
	Err error
}

func (e *SysError) Error() string { return e.Msg + ": " + Strerror(e.Err) }

// Unwrap returns the cause.
func (e *SysError) Unwrap() error { return e.Err }

// Sys is a SysError of cause with a formatted message.
func Sys(cause error, format string, args ...any) error {
	return &SysError{Msg: fmt.Sprintf(format, args...), Err: cause}
}
