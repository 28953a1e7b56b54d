#!/bin/sh
# mkbusyboxroot.sh DIR -- a minimal busybox root filesystem for
# examples/vm2-busybox.xml (needs busybox-static).
set -eu
ROOT=${1:?usage: mkbusyboxroot.sh DIR}
BB=$(command -v busybox)
mkdir -p "$ROOT"/bin "$ROOT"/sbin "$ROOT"/etc "$ROOT"/proc "$ROOT"/sys "$ROOT"/dev "$ROOT"/tmp "$ROOT"/root "$ROOT"/run
cp -f "$BB" "$ROOT/bin/busybox"
for a in $("$BB" --list); do
    [ "$a" = busybox ] || ln -sfn busybox "$ROOT/bin/$a"
done
cat > "$ROOT/sbin/init" <<'INIT'
#!/bin/sh
echo "vm2: busybox init, pid $$, hostname $(hostname)"
trap 'echo vm2: stopping; exit 0' TERM
trap 'reboot -f' HUP
while :; do sleep 1; done
INIT
chmod 0755 "$ROOT/sbin/init"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$ROOT/etc/passwd"
printf 'root:x:0:\ntty:x:5:\n' > "$ROOT/etc/group"
echo "built $ROOT"
