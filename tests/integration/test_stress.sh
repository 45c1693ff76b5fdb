#!/usr/bin/env bash
# Load and concurrency: 16 threads and 8 forked processes load certificates
# and sign with a KMS key for a bounded time while random faults are
# injected; every operation succeeds or fails cleanly, nothing crashes or
# deadlocks, memory stays flat.
. "$(dirname "$0")/lib.sh"
hwc_setup "cache_ttl = 0" "timeout = 3" "retries = 2"
STRESS=$HWC_BUILD_DIR/tests/stress/hwc-stress
[ -x "$STRESS" ] || fail "stress driver not built: $STRESS"
SECONDS_RUN=${HWC_STRESS_SECONDS:-16}
# Allowed RSS growth between the two rounds. Under ASan freed memory sits in
# its quarantine, so RSS says nothing there; LeakSanitizer checks leaks.
GROWTH_KIB=8192
[ -z "${HWC_ASAN_PRELOAD:-}" ] || GROWTH_KIB=$((512 * 1024))

inject_faults() {
  local actions=('"action":"status","status":503' '"action":"status","status":500'
    '"action":"status","status":429,"headers":{"Retry-After":"1"}' '"action":"reset"'
    '"action":"truncate"' '"action":"malformed"' '"action":"wrong_shape"'
    '"action":"delay","delay_ms":300')
  local matches=(/export /kms/sign)
  local end=$(( $(date +%s) + SECONDS_RUN ))
  while [ "$(date +%s)" -lt "$end" ]; do
    emu_fault "{\"match\":\"${matches[RANDOM % 2]}\",${actions[RANDOM % 8]},\"count\":$((RANDOM % 3 + 1))}" || true
    sleep 0.2
  done
}
inject_faults &
injector=$!

start=$(date +%s)
set +e
timeout $((SECONDS_RUN + 90)) "$STRESS" "kms:key/$EMU_KMS_EC256" "scm:cert/$EMU_SCM_RSA" \
  "$SECONDS_RUN" 16 8 "$GROWTH_KIB" >"$HWC_TEST_TMP/stress.out" 2>"$HWC_TEST_TMP/stress.err"
rc=$?
set -e
wait "$injector" 2>/dev/null || true
cat "$HWC_TEST_TMP/stress.out"
[ "$rc" -ne 124 ] || fail "stress run did not finish in time (deadlock?)"
[ "$rc" -lt 128 ] || { cat "$HWC_TEST_TMP/stress.err" >&2; fail "stress driver crashed ($rc)"; }
[ "$rc" -eq 0 ] || { tail -30 "$HWC_TEST_TMP/stress.err" >&2; fail "stress driver reported unclean failures ($rc)"; }
pass "16 threads + 8 processes for ${SECONDS_RUN}s under random faults: clean ($(( $(date +%s) - start ))s)"
OUT=$(cat "$HWC_TEST_TMP/stress.out")
expect_in "summary printed" "stress: 16 threads: [0-9]+ ok, [0-9]+ failed cleanly, 0 unclean; 0 of 8 children failed"
expect_in "children all clean" "stress\[child 7\]: [0-9]+ ok"
hwc_done
