#!/usr/bin/env bash
# Installs what building and testing hwcloud needs, from Debian's packages
# only. Run as root on Debian 12 or 13; a no-op for packages already present.
set -euo pipefail

BUILD_PKGS=(build-essential cmake pkg-config libssl-dev openssl
  libcurl4-openssl-dev libjansson-dev check libarchive-dev
  libmicrohttpd-dev curl ca-certificates python3)
# libclang-rt-dev: the sanitizer and libFuzzer runtimes of the default clang
# (14 on Debian 12, 19 on Debian 13).
# man-db, bsdextrautils (col): the man page test; debhelper, lintian: the
# Debian package test.
TEST_PKGS=(default-jre-headless valgrind nginx haproxy apache2 procps clang
  libclang-rt-dev clang-format man-db bsdextrautils debhelper lintian)

want=("${BUILD_PKGS[@]}")
if [ "${1:-}" = "--test" ]; then
  want+=("${TEST_PKGS[@]}")
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing packages: ${missing[*]} (run as root to install)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Servers installed for tests must not start on ports 80/443. A policy-rc.d
# that was already there (a CI chroot keeps one) stays.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
