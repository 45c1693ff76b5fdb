#!/usr/bin/env bash
# check-sanitizers.sh [asan] [valgrind] [fuzz] [tsan]: the robustness runs
# (all four when none is named), each in its own build directory, then a
# summary table. Exits non-zero when any build or test failed.
#
#   asan      build-asan: -DHWC_SANITIZE=ON (ASan + UBSan, no recovery),
#             the whole ctest suite (unit and integration).
#             CC_ASAN=gcc (default) or clang.
#   valgrind  build-valgrind: -DHWC_VALGRIND_TESTS=ON, the valgrind/check_*
#             tests (memcheck, zero errors and zero definite or indirect
#             leaks).
#   fuzz      build-fuzz: clang -DHWC_FUZZ=ON, the fuzz/fuzz_* smoke runs
#             (FUZZ_SECONDS each, default 12) with their exec/s and
#             corpus sizes.
#   tsan      build-tsan: -DHWC_TSAN=ON, the threaded tests (TSAN_TESTS,
#             a ctest -R regex). CC_TSAN=gcc (default) or clang.
#
# Logs: build-<stage>/check-sanitizers-{build,test}.log.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=${JOBS:-$(nproc)}
CC_ASAN=${CC_ASAN:-gcc}
CC_TSAN=${CC_TSAN:-gcc}
TSAN_TESTS=${TSAN_TESTS:-'unit/check_auth|integration/test_auth|integration/test_kms_fork_threads|integration/test_stress|integration/test_emulator_threads'}
FUZZ_SECONDS=${FUZZ_SECONDS:-12}
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(asan valgrind fuzz tsan)

declare -a rows
status=0

# run_stage NAME DIR LABEL-ARGS -- CMAKE-ARGS...
run_stage() {
  local name=$1 dir=$2 ctest_args=$3
  shift 4
  local t0 blog tlog summary outcome failed skipped secs
  t0=$(date +%s)
  mkdir -p "$dir"
  blog=$ROOT/$dir/check-sanitizers-build.log
  tlog=$ROOT/$dir/check-sanitizers-test.log
  echo "== $name: configuring and building $dir"
  # A compiler change makes cmake drop the cache and with it our -D
  # options: start that directory afresh instead.
  local a want have
  for a in "$@"; do
    case $a in -DCMAKE_C_COMPILER=*) want=${a#*=} ;; esac
  done
  if [ -n "${want:-}" ] && [ -f "$dir/CMakeCache.txt" ]; then
    have=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$dir/CMakeCache.txt")
    if [ "$(basename "$have")" != "$(basename "$want")" ] &&
      [ "$(readlink -f "$have")" != "$(readlink -f "$(command -v "$want")")" ]; then
      rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
    fi
  fi
  if ! { cmake -S . -B "$dir" "$@" && cmake --build "$dir" -j"$JOBS"; } \
    >"$blog" 2>&1; then
    tail -n 30 "$blog"
    rows+=("$(printf '%-9s %-15s %-44s %5ss' "$name" "BUILD FAILED" \
      "see $dir/check-sanitizers-build.log" $(($(date +%s) - t0)))")
    status=1
    return
  fi
  echo "== $name: ctest $ctest_args"
  # shellcheck disable=SC2086
  (cd "$dir" && ctest $ctest_args -j"$JOBS" --output-on-failure \
    --timeout 900) >"$tlog" 2>&1
  local rc=$?
  summary=$(grep -E 'tests passed|No tests were found' "$tlog" | tail -1)
  outcome=$(bash "$ROOT/scripts/ctest-outcome.sh" "$tlog")
  failed=$(sed -n 's/^failed: //p' <<<"$outcome")
  skipped=$(sed -n 's/^skipped: //p' <<<"$outcome")
  secs=$(($(date +%s) - t0))
  if [ $rc -ne 0 ]; then
    status=1
    grep -E '^\s*[0-9]+/[0-9]+ Test' "$tlog" | grep -v Passed || true
  fi
  rows+=("$(printf '%-9s %-15s %-44s %5ss' "$name" \
    "$([ $rc -eq 0 ] && echo PASS || echo FAIL)" "${summary:-no result}" \
    "$secs")")
  if [ -n "$failed" ]; then
    rows+=("$(printf '%-9s   failed: %s' "" "$failed")")
  fi
  if [ -n "$skipped" ]; then
    rows+=("$(printf '%-9s   skipped: %s' "" "$skipped")")
  fi
}

for s in "${stages[@]}"; do
  case $s in
  asan)
    run_stage asan build-asan "" -- -DHWC_SANITIZE=ON \
      -DCMAKE_C_COMPILER="$CC_ASAN" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    ;;
  valgrind)
    run_stage valgrind build-valgrind "-L valgrind" -- \
      -DHWC_VALGRIND_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
    ;;
  fuzz)
    run_stage fuzz build-fuzz "-L fuzz" -- -DCMAKE_C_COMPILER=clang \
      -DHWC_FUZZ=ON -DHWC_FUZZ_SECONDS="$FUZZ_SECONDS" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo
    ;;
  tsan)
    run_stage tsan build-tsan "-R $TSAN_TESTS" -- -DHWC_TSAN=ON \
      -DCMAKE_C_COMPILER="$CC_TSAN" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    ;;
  *)
    echo "check-sanitizers: unknown stage $s (asan, valgrind, fuzz, tsan)" >&2
    exit 2
    ;;
  esac
done

echo
echo "stage     result          tests                                         time"
echo "--------  --------------  --------------------------------------------  ------"
printf '%s\n' "${rows[@]}"
if [ -d build-fuzz/tests/fuzz/work ] && [[ " ${stages[*]} " == *" fuzz "* ]]; then
  echo
  echo "fuzz target  execs      exec/s   seeds  corpus  peak RSS MB"
  for log in build-fuzz/tests/fuzz/work/*/log; do
    t=$(basename "$(dirname "$log")")
    st() { sed -n "s/^stat::$1: *//p" "$log"; }
    printf '%-12s %-10s %-8s %-6s %-7s %s\n' "$t" "$(st number_of_executed_units)" \
      "$(st average_exec_per_sec)" \
      "$(find "tests/fuzz/corpus/$t" -type f 2>/dev/null | wc -l)" \
      "$(find "$(dirname "$log")/corpus" -type f | wc -l)" "$(st peak_rss_mb)"
  done
fi
exit $status
