#!/usr/bin/env bash
# Installs the Debian packages the tests use when they are missing, so
# `make check` works on a fresh Debian 12 machine (run as root). With
# arguments it installs those packages instead (scripts/bench-deps.sh).
set -euo pipefail
pkgs=(busybox-static libvirt-clients python3-libvirt virtinst e2fsprogs iproute2 bsdutils gcc libc6-dev dnsmasq-base nftables isc-dhcp-client)
if [ $# -gt 0 ]; then
  pkgs=("$@")
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing ${missing[*]}; run as root to install them" >&2
  exit 1
fi
echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
