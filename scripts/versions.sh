#!/usr/bin/env bash
# Prints the Debian release and the versions of the packages the test
# suite runs against (the README's platform table quotes them).
set -uo pipefail
. /etc/os-release
printf '%-14s %s\n' debian "$(cat /etc/debian_version) (${VERSION_CODENAME:-?})"
for p in openssl nginx haproxy apache2 curl cmake gcc clang-format; do
  printf '%-14s %s\n' "$p" "$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo 'not installed')"
done
echo "--"
openssl version
nginx -v 2>&1
haproxy -v 2>/dev/null | head -1
apache2 -v 2>/dev/null | head -1
curl --version | head -1
cmake --version | head -1
gcc --version | head -1
clang-format --version
