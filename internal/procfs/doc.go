// Package procfs serves container-aware /proc files over FUSE; it is the sole
// importer of go-fuse.
//
// Today it provides the one file libvirt's LXC driver virtualises:
// /proc/meminfo, rebuilt from the host's file and the container's cgroup
// memory figures (see RenderMeminfo). The content computation is pure; Open
// is the thin layer that serves it from a detached FUSE mount (fsmount),
// which the container's init stage attaches in its own mount namespace and
// binds onto /proc/meminfo. The
// connection is served from Go's poller through go-fuse's ProtocolServer
// and can move to another process image (Handoff, Resume).
//
// Every reader works: read(2), pread(2) at any offset, sendfile(2) and
// splice(2). libvirt's meminfo reads back empty with sendfile readers such as
// busybox cat because it reports a size of 0: the kernel serves sendfile and
// splice of a FUSE file from the page cache, up to the size it knows, even
// with direct_io. Here the file reports its real size and keeps the kernel's
// idea of it current (see meminfoNode).
package procfs
