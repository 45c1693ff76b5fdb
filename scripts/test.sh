#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs the
# whole test suite (unit and integration tests) under ctest, then the
# robustness runs: the suite under ASan+UBSan, the unit tests under
# valgrind, the fuzzers' smoke runs and the threaded tests under TSan
# (scripts/check-sanitizers.sh), then the whole suite again on Debian 13
# with OpenSSL 3.5 in a chroot (scripts/test-debian13.sh). --quick stops
# after the first part. Every stage runs; the exit status says whether
# any failed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
echo "== versions used (host)"
bash scripts/versions.sh
bash scripts/build.sh
(cd "${BUILD_DIR:-build}" && ctest -j"$(nproc)" --output-on-failure --timeout 900)
if [ "${1:-}" != "--quick" ]; then
  status=0
  t0=$(date +%s)
  bash scripts/check-sanitizers.sh || status=1
  echo "== sanitizers: $(($(date +%s) - t0)) s"
  bash scripts/test-debian13.sh || status=1
  exit $status
fi
