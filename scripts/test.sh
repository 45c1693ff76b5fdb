#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs
# the whole test suite (unit and integration tests) under ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
bash scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest -j"$(nproc)" --output-on-failure --timeout 900
