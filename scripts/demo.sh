#!/usr/bin/env bash
# make demo: a private virtlxcd, one container from examples/ driven with
# virtlxc (virsh's commands), and everything cleaned up afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "make demo needs root (containers need it)" >&2; exit 1; }
./scripts/install-test-deps.sh
ROOT=$(mktemp -d /tmp/virtlxc-demo.XXXXXX)
chmod 0755 "$ROOT"
SOCK=$ROOT/run/libvirt/virtlxcd-sock
URI="lxc:///system?socket=$SOCK"
# The project's own client (the real virsh works the same: VIRSH=virsh).
CLIENT=(${VIRSH:-bin/virtlxc} -c "$URI")
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { step "${CLIENT[0]##*/} $*"; "${CLIENT[@]}" "$@"; }

bin/virtlxcd --root "$ROOT" >"$ROOT/virtlxcd.log" 2>&1 &
DPID=$!
cleanup() {
    "${CLIENT[@]}" destroy vm1 >/dev/null 2>&1 || true
    "${CLIENT[@]}" undefine vm1 >/dev/null 2>&1 || true
    kill "$DPID" 2>/dev/null || true
    wait "$DPID" 2>/dev/null || true
    rm -rf "$ROOT"
}
trap cleanup EXIT
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done

echo "virtlxcd (pid $DPID) serves $SOCK"
run version
run define examples/vm1-hostroot.xml
run start vm1
run list --all
run dominfo vm1
step "what the container sees (lxc-enter-namespace)"
"${CLIENT[@]}" lxc-enter-namespace vm1 --noseclabel -- /bin/sh -c '
echo "== hostname: $(hostname), pid 1 is: $(cat /proc/1/cmdline | tr "\0" " ")"
echo "== init environment:"; tr "\0" "\n" < /proc/1/environ
echo "== mounts:"; grep -v " /mnt\| /usr\| /home" /proc/self/mountinfo | cut -d" " -f5,9 | sort -u
echo "== /dev:"; ls -l /dev
echo "== memory limit seen in /proc/meminfo:"; grep MemTotal /proc/meminfo
echo "== capability bounding set:"; grep CapBnd /proc/self/status'
if [ "${CLIENT[0]}" = bin/virtlxc ]; then run top -b -n 1; fi
run shutdown vm1
for _ in $(seq 100); do [ "$("${CLIENT[@]}" domstate vm1 2>/dev/null | head -1)" = "shut off" ] && break; sleep 0.05; done
run domstate --reason vm1
run undefine vm1
run list --all
echo "demo done: the container ran, was entered, shut down and undefined; nothing is left behind."
