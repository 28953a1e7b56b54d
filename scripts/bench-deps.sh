#!/usr/bin/env bash
# Installs the Debian packages `make bench` uses when they are missing:
# virsh (libvirt-clients) for the virsh figures, busybox-static for the
# side-by-side rootfs, crun and lxc for the side-by-side anchors (run as
# root). The lxc package only starts its services (lxc-net's bridge) under
# systemd; without systemd as PID 1 nothing is started, so refuse to
# install it there rather than let it touch the host's network.
# libvirt 9.0's daemon and LXC driver are unpacked, not installed, into
# $LIBVIRT_DIR (default /var/tmp/vlbench-libvirt/x): installing them would
# write /etc/libvirt; the benchmark runs that libvirtd in a private mount
# namespace (bench/bench_libvirt_test.go).
set -euo pipefail
LIBVIRT_DIR=${LIBVIRT_DIR:-/var/tmp/vlbench-libvirt}
unpack_libvirt() {
  [ -x "$LIBVIRT_DIR/x/usr/sbin/libvirtd" ] && return 0
  echo "bench-deps: unpacking libvirt-daemon, libvirt-daemon-driver-lxc, libfuse3-3 in $LIBVIRT_DIR"
  mkdir -p "$LIBVIRT_DIR/debs" "$LIBVIRT_DIR/x"
  (cd "$LIBVIRT_DIR/debs" && apt-get download -q libvirt-daemon libvirt-daemon-driver-lxc libfuse3-3 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
  for d in "$LIBVIRT_DIR"/debs/*.deb; do dpkg-deb -x "$d" "$LIBVIRT_DIR/x"; done
}
if [ "$(id -u)" -eq 0 ]; then
  unpack_libvirt || echo "bench-deps: libvirt not unpacked: its figures will come from the anchors" >&2
fi
pkgs=(busybox-static libvirt-clients crun)
if dpkg -s lxc >/dev/null 2>&1 || [ ! -d /run/systemd/system ]; then
  pkgs+=(lxc)
else
  echo "bench-deps: not installing lxc under systemd (its lxc-net would create a bridge);" >&2
  echo "  install it by hand (and disable lxc-net) or run without the lxc anchors" >&2
fi
exec "$(dirname "$0")/install-test-deps.sh" "${pkgs[@]}"
