#!/usr/bin/env bash
# scripts/ctest-outcome.sh, which the sanitizer stages' summary uses: the
# tests a ctest output lists as failed are named as failed, and the ones it
# lists as not run (a sanitizer build skips test_deb) as skipped, never as
# failed. The outputs are the lines ctest 3.25 and 3.31 print.
. "$(dirname "$0")/lib.sh"
OUTCOME=$HWC_SOURCE_DIR/scripts/ctest-outcome.sh
log=$HWC_TEST_TMP/ctest.log

cat >"$log" <<'OUT'
31/70 Test #32: integration/test_deb ................***Skipped   0.01 sec
100% tests passed, 0 tests failed out of 70

The following tests did not run:
	 32 - integration/test_deb (Skipped)
OUT
out=$(bash "$OUTCOME" "$log") || fail "exit status $? on a passing run"
[ "$out" = "skipped: integration/test_deb" ] ||
  fail "a run with one skipped test: got '$out'"
pass "all passed, one skipped: only 'skipped: integration/test_deb'"

cat >"$log" <<'OUT'
97% tests passed, 2 tests failed out of 70

The following tests did not run:
	 32 - integration/test_deb (Skipped)
	 39 - integration/test_format (Disabled)

The following tests FAILED:
	 12 - unit/check_cache (Failed)
	 55 - integration/test_nginx (Timeout)
	 60 - integration/test_kms (SEGFAULT)
Errors while running CTest
OUT
out=$(bash "$OUTCOME" "$log")
expected="failed: unit/check_cache integration/test_nginx integration/test_kms
skipped: integration/test_deb"
[ "$out" = "$expected" ] || fail "failures and skips: got '$out'"
pass "failed, timed out and crashed tests are failed; skipped and disabled are not"

printf '100%% tests passed, 0 tests failed out of 4\n' >"$log"
out=$(bash "$OUTCOME" "$log")
[ -z "$out" ] || fail "a clean run: got '$out'"
pass "a clean run: nothing printed"

if bash "$OUTCOME" "$HWC_TEST_TMP/missing.log" 2>/dev/null; then
  fail "a missing log was accepted"
fi
pass "a missing log: exit status 2"
hwc_done
