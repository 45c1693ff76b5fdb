#!/usr/bin/env bash
# run-smoke.sh FUZZER TARGET SRCDIR WORKDIR SECONDS [libFuzzer args...]
# The ctest fuzz/fuzz_<target> smoke run: a bounded libFuzzer run over a
# fresh copy of corpus/<target>/ (new inputs land in the copy, never in
# the source tree) plus regressions/<target>/ (every input there once
# crashed and must not any more). Crashes are written to WORKDIR/.
set -euo pipefail
fuzzer=$1 target=$2 src=$3 work=$4 secs=$5
shift 5
rm -rf "$work"
mkdir -p "$work/corpus"
if [ -d "$src/corpus/$target" ]; then
  cp -R "$src/corpus/$target/." "$work/corpus/"
fi
dirs=("$work/corpus")
if [ -d "$src/regressions/$target" ]; then
  dirs+=("$src/regressions/$target")
fi
seeds=$(find "$work/corpus" -type f | wc -l)
set +e
"$fuzzer" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
  -print_final_stats=1 -artifact_prefix="$work/" "$@" "${dirs[@]}" \
  >"$work/log" 2>&1
rc=$?
set -e
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
cov=$(grep -E '^#[0-9]+' "$work/log" | tail -1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
final=$(find "$work/corpus" -type f | wc -l)
printf 'fuzz %-10s rc=%d seeds=%d corpus=%d execs=%s exec/s=%s cov=%s\n' \
  "$target" "$rc" "$seeds" "$final" "${execs:-?}" "${rate:-?}" "${cov:-?}"
if [ "$rc" != 0 ]; then
  tail -n 80 "$work/log"
  ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null || true
fi
exit "$rc"
