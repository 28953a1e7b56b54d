package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// inspect prints, for process pid ("self" or a number) as seen from inside
// the container:
//
//	@@fds:PID=0,1,2          its open descriptors
//	@@outside:PID=none       descriptors resolving outside the container's
//	                         root (or "3:/host/path,…")
//	@@cwd:PID=/              its working directory as /proc shows it
//	@@cwdroot:PID=inside     whether that directory lies under the root
//
// A descriptor is outside when the object it names is not the object its
// path names inside the container (device and inode differ, or the path
// does not exist here), or when it is a directory from which ".." never
// reaches the container's root. The working directory gets the same ".."
// walk (runc CVE-2024-21626 left init's cwd in a host directory).
func inspect(pid string) {
	dir := "/proc/" + pid
	ents, err := os.ReadDir(dir + "/fd")
	if err != nil {
		fmt.Printf("@@fds:%s=error:%v\n", pid, err)
		return
	}
	var fds []int
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			fds = append(fds, n)
		}
	}
	sort.Ints(fds)
	var list, outside []string
	for _, fd := range fds {
		p := dir + "/fd/" + strconv.Itoa(fd)
		target, err := os.Readlink(p)
		if err != nil {
			continue // closed meanwhile (the ReadDir's own descriptor)
		}
		list = append(list, strconv.Itoa(fd))
		if !strings.HasPrefix(target, "/") {
			continue // pipe:[…], socket:[…], anon_inode:…
		}
		if !sameObject(p, target) || !underRoot(p) {
			outside = append(outside, strconv.Itoa(fd)+":"+target)
		}
	}
	if len(outside) == 0 {
		outside = []string{"none"}
	}
	fmt.Printf("@@fds:%s=%s\n", pid, strings.Join(list, ","))
	fmt.Printf("@@outside:%s=%s\n", pid, strings.Join(outside, ","))
	cwd, err := os.Readlink(dir + "/cwd")
	if err != nil {
		fmt.Printf("@@cwd:%s=error:%v\n", pid, err)
		return
	}
	fmt.Printf("@@cwd:%s=%s\n", pid, cwd)
	where := "outside"
	if sameObject(dir+"/cwd", cwd) && underRoot(dir+"/cwd") {
		where = "inside"
	}
	fmt.Printf("@@cwdroot:%s=%s\n", pid, where)
}

// sameObject reports whether the magic link at proc and the path resolve
// to the same file.
func sameObject(proc, path string) bool {
	var a, b unix.Stat_t
	if unix.Stat(proc, &a) != nil || unix.Stat(path, &b) != nil {
		return false
	}
	return a.Dev == b.Dev && a.Ino == b.Ino
}

// underRoot reports whether the magic link at proc resolves to something
// under the container's root: a non-directory counts as under it, a
// directory when walking ".." from it reaches "/".
func underRoot(proc string) bool {
	var root, st unix.Stat_t
	if unix.Stat("/", &root) != nil || unix.Stat(proc, &st) != nil {
		return false
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return true
	}
	fd, err := unix.Open(proc, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	for i := 0; i < 256; i++ {
		if err := unix.Fstat(fd, &st); err != nil {
			break
		}
		if st.Dev == root.Dev && st.Ino == root.Ino {
			unix.Close(fd)
			return true
		}
		up, err := unix.Openat(fd, "..", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		unix.Close(fd)
		if err != nil {
			return false
		}
		fd = up
		var next unix.Stat_t
		if unix.Fstat(fd, &next) == nil && next.Dev == st.Dev && next.Ino == st.Ino {
			break // a top that is not the container's root
		}
	}
	unix.Close(fd)
	return false
}
