package containerinit

import (
	"fmt"

	"virtlxc/internal/virerr"
)

// sysError is a failed system call worded as libvirt's
// virReportSystemError words it, which the controller passes on after
// "Failure in libvirt_lxc startup: ": the message, then strerror's text
// ("No such file or directory", not Go's "stat /x: no such file or
// directory"). errors.Is and errors.As still reach the cause.
type sysError struct {
	msg string
	err error
}

func (e *sysError) Error() string { return e.msg + ": " + virerr.Strerror(e.err) }

func (e *sysError) Unwrap() error { return e.err }

// sysErrorf is a sysError of err with a formatted message.
func sysErrorf(err error, format string, args ...any) error {
	return &sysError{msg: fmt.Sprintf(format, args...), err: err}
}
