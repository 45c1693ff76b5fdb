#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs the
# whole test suite (unit and integration tests) under ctest, then the
# robustness runs: the suite under ASan+UBSan, the unit tests under
# valgrind, the fuzzers' smoke runs and the threaded tests under TSan
# (scripts/check-sanitizers.sh). --quick stops after the first part.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
bash scripts/build.sh
(cd "${BUILD_DIR:-build}" && ctest -j"$(nproc)" --output-on-failure --timeout 900)
if [ "${1:-}" != "--quick" ]; then
  bash scripts/check-sanitizers.sh
fi
