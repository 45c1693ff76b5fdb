#!/usr/bin/env bash
# Configures and builds hwcloud into ./build (or $BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} \
  -DHWC_WERROR=ON "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" >"$BUILD_DIR.log" 2>&1 || { tail -50 "$BUILD_DIR.log"; exit 1; }
echo "built into $BUILD_DIR (log: $BUILD_DIR.log)"
