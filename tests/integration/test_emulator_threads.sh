#!/usr/bin/env bash
# The emulator answers from many threads at once: faults queued with
# headers (a 429 with Retry-After) are taken and answered by concurrent
# requests while more are queued. Each answering thread owns what it
# frees, so nothing is shared between them: under ThreadSanitizer (the
# tsan stage of scripts/check-sanitizers.sh, halt_on_error) a shared
# jansson refcount was a data race that killed the emulator in the middle
# of test_stress. Here the emulator must live through it, answer every
# request with 404 (no such key) or the fault's 429 with its header, and
# log no sanitizer report.
. "$(dirname "$0")/lib.sh"
emu_start || fail "the emulator did not start"
URL="$EMU_URL/v1.0/$EMU_PROJECT_ID/kms/describe-key"
N=${HWC_EMU_THREADS_REQUESTS:-120}
out=$HWC_TEST_TMP/answers
pids=""
for w in 1 2 3 4 5 6; do
  (
    for _ in $(seq 1 "$N"); do
      curl -s -o /dev/null -D - --cacert "$EMU_CA" -H "X-Auth-Token: $EMU_TOKEN" \
        -H "Content-Type: application/json" -d '{"key_id":"00000000-0000-4000-8000-000000000000"}' "$URL" |
        tr -d '\r' | awk 'NR == 1 { s = $2 } tolower($1) == "retry-after:" { r = $2 }
                          END { print s, (r == "" ? "-" : r) }'
    done >"$out.$w"
  ) &
  pids="$pids $!"
done
queued=0
for _ in $(seq 1 "$N"); do
  emu_fault '{"match":"/kms/","action":"status","status":429,"headers":{"Retry-After":"1"},"count":3}' \
    >/dev/null 2>&1 || break
  queued=$((queued + 1))
done
# shellcheck disable=SC2086
wait $pids
kill -0 "$_EMU_PID" 2>/dev/null ||
  fail "the emulator died: $(grep -m1 -A8 'WARNING\|ERROR' "$EMU_STATE_DIR/emulator.log")"
[ "$queued" -eq "$N" ] || fail "only $queued of $N faults were queued"
pass "the emulator lived through $((6 * N)) requests from 6 clients and $N faults queued meanwhile"

answers=$(cat "$out".*)
bad=$(grep -Ev '^(404 -|429 1)$' <<<"$answers" | sort | uniq -c || true)
[ -z "$bad" ] || fail "answers other than 404, or 429 with Retry-After: 1: $bad"
n429=$(grep -c '^429 1$' <<<"$answers" || true)
[ "$(wc -l <<<"$answers")" -eq $((6 * N)) ] || fail "not every request was answered"
[ "$n429" -gt 0 ] && [ "$n429" -le $((3 * N)) ] ||
  fail "$n429 answers were the fault's 429 (expected 1 to $((3 * N)))"
pass "every answer was 404 or the fault's 429 with its Retry-After ($n429 of them)"

! grep -q 'Sanitizer' "$EMU_STATE_DIR/emulator.log" ||
  fail "a sanitizer report: $(grep -m1 -A8 'Sanitizer' "$EMU_STATE_DIR/emulator.log")"
pass "no sanitizer report in the emulator's log"
hwc_done
