package cgroups

import (
	"golang.org/x/sys/unix"

	"virtlxc/internal/virerr"
)

// BlockDevice returns the device number of block device path, worded as
// libvirt's virCgroupGetBlockDevString fails: "Path '/x' is not
// accessible: No such file or directory", "Path '/dev/null' must be a
// block device: Invalid argument".
func BlockDevice(path string) (major, minor uint32, err error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, 0, virerr.Sys(err, "Path '%s' is not accessible", path)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return 0, 0, virerr.Sys(unix.EINVAL, "Path '%s' must be a block device", path)
	}
	return unix.Major(st.Rdev), unix.Minor(st.Rdev), nil
}
