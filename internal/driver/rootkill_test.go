package driver

import "golang.org/x/sys/unix"

// unixKill0 checks that pid exists.
func unixKill0(pid int) error { return unix.Kill(pid, 0) }
