// Package seccomp is virtlxc's default seccomp filter for containers, an
// addition over libvirt's LXC driver (which installs none).
//
// The filter is a deny list: every syscall is allowed except the ones that
// container escapes and kernel attacks use, which fail with EPERM. It is
// built by the policy subpackage (pure, table-tested; the only package
// that imports github.com/elastic/go-seccomp-bpf) and generated into
// zprograms.go, so the controller and the init stage load ready BPF
// without building go-seccomp-bpf's syscall tables (≈ 0.3 ms of package
// initialisation and 160 KiB of heap in every process). Apply installs it
// on the calling thread, which must be the locked thread that then execs
// the container's init: a filter is per thread until exec, and exec keeps
// it.
//
// Decisions:
//   - Only x86_64 is filtered; on other architectures Programs returns
//     ErrUnsupportedArch and the caller logs a note and goes on.
//   - no_new_privs is not set: the filter is loaded while the thread still
//     has CAP_SYS_ADMIN in its user namespace, so the kernel does not
//     require it, and setuid tools (su, sudo, ping) keep working inside the
//     container, as under libvirt. (containerinit sets it on its own when
//     the capability policy is "deny".)
//   - lxc-enter-namespace gives the command it runs the same filters
//     (Programs, handed to its helper) when the container's init has any.
//   - The filter only covers the x86_64 syscall ABI. The x32 ABI is refused
//     with ENOSYS by go-seccomp-bpf; i386 (int 0x80) calls are matched by a
//     second, smaller filter built here with the same deny list.
//   - reboot, syslog and mount are allowed: containers reboot through
//     reboot(2) and mount file systems. A third filter (mount.go) refuses
//     read-write remounts with EPERM and the new mount API (fsopen,
//     fsconfig, fsmount, fspick, move_mount, open_tree, mount_setattr)
//     with ENOSYS, so read-only mounts stay read-only and tools fall back
//     to mount(2); recent systemd has no fallback for EPERM there.
//   - name_to_handle_at is allowed: it only reads a handle, which is useless
//     without open_by_handle_at, and systemd uses it to find mount points.
//   - clone, clone3 and unshare are allowed, CLONE_NEWUSER included:
//     containers may nest user namespaces.
package seccomp
