#!/usr/bin/env bash
# KMS signatures and decryptions inside OpenSSL ASYNC jobs (what a TLS
# server in SSL_MODE_ASYNC, such as HAProxy with ssl-mode-async, runs): the
# helper async_sign starts many jobs on one thread, polls the wait fds they
# publish and resumes each when its fd is readable. Checked here:
#   - the requests overlap: with 300 ms of added latency, every job is
#     paused at once and the emulator has them all in flight together
#     (a blocking sign would have one);
#   - each job has its own wait fd, one per wait context, and no fd is
#     left open once the wait contexts are freed;
#   - the result is the blocking path's: the same signatures (verified),
#     the same number of sign requests, the same retries (a retry's delay
#     pauses the job too) and the same errors, fault by fault;
#   - resumes before the answer (spurious) pause again, and cost nothing;
#   - a job whose wait context is freed while it is paused (a server
#     dropping a connection) leaves no fd behind and the others finish;
#   - outside a job nothing changes (no wait fd, one connection).
. "$(dirname "$0")/lib.sh"
# Under ASan: full stacks for every allocation, so that leak reports (and
# tests/sanitizer/lsan.supp) see the libcrypto frames, which have no frame
# pointers for the fast unwinder.
[ -z "${ASAN_OPTIONS:-}" ] || export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
hwc_setup
cd "$HWC_TEST_TMP" || exit 1

HELPER=$HWC_BUILD_DIR/tests/integration/helpers/async_sign
[ -x "$HELPER" ] || fail "helper not built: $HELPER"
RSA=kms:key/$EMU_KMS_RSA2048
RSA_PUB=$EMU_STATE_DIR/kms-rsa2048.pub.pem

stat_of() {
  emu_stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}
field() { sed -n "s|^$1: ||p" <<<"$OUT"; }
signs() { emu_count "POST /kms/sign"; }
# settle: until the emulator has answered everything (a request the client
# gave up on is counted when the emulator answers it).
settle() {
  local i
  for i in $(seq 1 100); do
    [ "$(stat_of in_flight)" = 0 ] && return 0
    sleep 0.1
  done
  fail "the emulator still has requests in flight"
}

# --- overlap: 32 jobs, 300 ms each, on one thread (after a warm-up round
# that makes the engine's connections: how fast a pool grows is not what
# is measured)
emu_reset
emu_fault '{"match":"kms/sign","action":"delay","delay_ms":300,"count":-1}'
run_ok "rsa2048: 32 jobs sign on one thread" env HWC_WARMUP=32 \
  timeout 120 "$HELPER" "$RSA" "$RSA_PUB" 32
echo "$OUT"
expect_eq "rsa2048: every signature verified" "$(field signed)" 32/32
expect_eq "rsa2048: every job paused at once" "$(field 'max paused at once')" 32
expect_eq "rsa2048: one pause per job (the answer resumes it)" "$(field pauses)" 32
expect_eq "rsa2048: one wait fd per job" "$(field 'wait fds')" 32
expect_eq "rsa2048: no fd left unreported to the application" \
  "$(field 'unreported fds')" 0
expect_eq "rsa2048: the 32 requests were in the emulator together" \
  "$(stat_of in_flight_peak)" 32
expect_eq "rsa2048: one sign request per signature (warm-up included)" \
  "$(signs)" 64
OUT_FDS=$(field 'open fds before/after')
expect_eq "rsa2048: no fd left once the wait contexts are freed" \
  "${OUT_FDS%/*}" "${OUT_FDS#*/}"
expect_eq "rsa2048: kept-alive connections, none made for the second round" \
  "$(stat_of service_connections)" 33

emu_reset
emu_fault '{"match":"kms/sign","action":"delay","delay_ms":300,"count":-1}'
run_ok "ec256: 16 jobs sign on one thread" env HWC_WARMUP=16 timeout 120 "$HELPER" \
  "kms:key/$EMU_KMS_EC256" "$EMU_STATE_DIR/kms-ec256.pub.pem" 16
expect_eq "ec256: every signature verified" "$(field signed)" 16/16
expect_eq "ec256: in flight together" "$(stat_of in_flight_peak)" 16

emu_reset
emu_fault '{"match":"kms/decrypt-data","action":"delay","delay_ms":300,"count":-1}'
run_ok "decrypt: 8 jobs decrypt on one thread" env HWC_WARMUP=8 timeout 120 "$HELPER" \
  "kms:key/$EMU_KMS_RSA2048_ENC" "$EMU_STATE_DIR/kms-rsa2048_enc.pub.pem" 8 \
  --decrypt
expect_eq "decrypt: every plaintext right" "$(field signed)" 8/8
expect_eq "decrypt: in flight together" "$(stat_of in_flight_peak)" 8
expect_eq "decrypt: one request each (warm-up included)" \
  "$(emu_count "POST /kms/decrypt-data")" 16

# --- answers faster than the job pauses (no added latency), and a job
# that blocks pauses: a job that ends without a pause since it published
# its fd takes the fd back (libssl never reported it: a server would only
# ever be told to drop it, and HAProxy aborts on that).
emu_reset
run_ok "no latency: 32 jobs" timeout 120 "$HELPER" "$RSA" "$RSA_PUB" 32
expect_eq "no latency: every signature verified" "$(field signed)" 32/32
expect_eq "no latency: no fd left unreported" "$(field 'unreported fds')" 0
emu_reset
emu_fault '{"match":"kms/sign","action":"delay","delay_ms":100,"count":-1}'
run_ok "pauses blocked: 4 jobs" env HWC_WARMUP=1 timeout 120 "$HELPER" "$RSA" \
  "$RSA_PUB" 4 --block-pause
expect_eq "pauses blocked: every signature verified" "$(field signed)" 4/4
expect_eq "pauses blocked: no job paused" "$(field pauses)" 0
expect_eq "pauses blocked: the fd was taken back" "$(field 'unreported fds')" 0
OUT_FDS=$(field 'open fds before/after')
expect_eq "pauses blocked: and closed" "${OUT_FDS%/*}" "${OUT_FDS#*/}"

# --- resumed early: each job is resumed on every second poll round too
emu_reset
emu_fault '{"match":"kms/sign","action":"delay","delay_ms":300,"count":-1}'
run_ok "spurious resumes: 8 jobs" timeout 120 "$HELPER" "$RSA" "$RSA_PUB" 8 \
  --spurious
expect_eq "spurious resumes: every signature verified" "$(field signed)" 8/8
expect_eq "spurious resumes: still one request per signature" "$(signs)" 8
[ "$(field pauses)" -gt 8 ] || fail "spurious resumes: no job was resumed early ($(field pauses) pauses)"
pass "spurious resumes: jobs resumed early paused again ($(field pauses) pauses)"

# --- the same result as the blocking path, fault by fault (one job; the
# errors are compared without request ids and durations)
# normal OUTPUT: what must be the same in both runs. Under ASan, the first
# switch to a job's stack makes ASan warn once (a known false alarm of
# ASYNC's makecontext stacks): those three lines are the sanitizer's own.
normal() {
  sed -E -e '/^==[0-9]+==WARNING: ASan is ignoring requested __asan_handle_no_return/,+2d' \
    -e 's/request id [0-9a-f-]+/request id X/g' \
    -e 's/[0-9]+(\.[0-9]+)? (s|ms|milliseconds)\b/N \2/g' -e '/^open fds/d' \
    -e '/^(max paused|pauses|wait fds)/d' <<<"$1"
}
same_as_blocking() { # NAME EXPECTED_SIGNS FAULT...
  local name=$1 want=$2 out_b out_a n_b n_a
  shift 2
  settle
  emu_reset
  for f in "$@"; do emu_fault "$f"; done
  OUT=$(timeout 120 "$HELPER" "$RSA" "$RSA_PUB" 1 --blocking 2>&1) ||
    fail "$name: blocking run failed: $OUT"
  settle
  out_b=$OUT n_b=$(signs)
  emu_reset
  for f in "$@"; do emu_fault "$f"; done
  OUT=$(timeout 120 "$HELPER" "$RSA" "$RSA_PUB" 1 2>&1) ||
    fail "$name: async run failed: $OUT"
  settle
  out_a=$OUT n_a=$(signs)
  echo "$out_a" | sed -n 's/^job 0: /  error: /p'
  expect_eq "$name: sign requests, blocking" "$n_b" "$want"
  expect_eq "$name: sign requests, in a job" "$n_a" "$want"
  expect_eq "$name: the job's outcome is the blocking one" \
    "$(normal "$out_a")" "$(normal "$out_b")"
}
same_as_blocking "503 once, then retried" 2 \
  '{"match":"kms/sign","action":"status","status":503}'
same_as_blocking "429 with Retry-After 1 (the job waits paused)" 2 \
  '{"match":"kms/sign","action":"status","status":429,"headers":{"Retry-After":"1"}}'
same_as_blocking "503 every time: retries exhausted" 4 \
  '{"match":"kms/sign","action":"status","status":503,"count":-1}'
same_as_blocking "400: not retried" 1 \
  '{"match":"kms/sign","action":"status","status":400,"body":"{\"error\":{\"error_code\":\"KMS.0205\",\"error_msg\":\"bad\"}}"}'
same_as_blocking "connection reset, then answered" 2 \
  '{"match":"kms/sign","action":"reset"}'
same_as_blocking "truncated answer, then answered" 2 \
  '{"match":"kms/sign","action":"truncate"}'
same_as_blocking "malformed answer: not retried" 1 \
  '{"match":"kms/sign","action":"malformed"}'
same_as_blocking "wrong signature: refused by the local verification" 1 \
  '{"match":"kms/sign","action":"wrong_shape"}'

# A timeout: timeout = 1 s, the answer comes after 3 s, every time.
hwc_write_conf "timeout = 1" "retries = 1"
same_as_blocking "timeout, retried once, then given up" 2 \
  '{"match":"kms/sign","action":"delay","delay_ms":3000,"count":-1}'
hwc_write_conf

# A retry's delay pauses the job: 4 jobs, each answered 429 + Retry-After 1
# once; none blocks the others, each pauses for its attempt, its wait and
# its second attempt. Both answers take 200 ms, so that each attempt's
# answer comes after its job paused (an answer faster than the job's pause
# rightly spares that pause, and would make the count depend on the
# machine's load).
emu_reset
emu_fault '{"match":"kms/sign","action":"status","status":429,"headers":{"Retry-After":"1"},"delay_ms":200,"count":4}'
emu_fault '{"match":"kms/sign","action":"delay","delay_ms":200,"count":-1}'
run_ok "retry delays: 4 jobs" timeout 120 "$HELPER" "$RSA" "$RSA_PUB" 4
expect_eq "retry delays: every signature verified" "$(field signed)" 4/4
expect_eq "retry delays: two requests each" "$(signs)" 8
expect_eq "retry delays: three pauses each" "$(field pauses)" 12
expect_eq "retry delays: all four waited at once" "$(field 'max paused at once')" 4

# --- abandoned jobs: the wait contexts of 4 of 8 paused jobs are freed
# once their fd is readable (as HAProxy frees a connection whose job is
# pending), without resuming them. OpenSSL never frees a job that is not
# resumed (its stack and what it holds stay allocated), so leak detection
# is off for this run only.
emu_reset
emu_fault '{"match":"kms/sign","action":"delay","delay_ms":300,"count":-1}'
run_ok "abandoned: 4 of 8 jobs dropped while paused" \
  env ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" HWC_WARMUP=8 \
  timeout 120 "$HELPER" "$RSA" "$RSA_PUB" 8 --abandon 4
expect_eq "abandoned: the other 4 signed" "$(field signed)" 4/8
expect_eq "abandoned: nothing failed" "$(field failed)" 0
OUT_FDS=$(field 'open fds before/after')
expect_eq "abandoned: their fds are closed too" "${OUT_FDS%/*}" "${OUT_FDS#*/}"

# --- outside a job: the blocking path, as before
emu_reset
run_ok "no job: 4 signatures one after another" timeout 120 "$HELPER" \
  "$RSA" "$RSA_PUB" 4 --blocking
expect_eq "no job: every signature verified" "$(field signed)" 4/4
expect_eq "no job: no wait fd" "$(field 'wait fds')" 0
expect_eq "no job: one request at a time" "$(stat_of in_flight_peak)" 1
expect_eq "no job: one connection (made by the key load)" \
  "$(stat_of service_connections)" 1

# --- max_connections bounds the engine's connections: 16 jobs, at most 4
# connections; the requests queue for them.
hwc_write_conf "max_connections = 4"
emu_reset
emu_fault '{"match":"kms/sign","action":"delay","delay_ms":200,"count":-1}'
run_ok "max_connections 4: 16 jobs" timeout 120 "$HELPER" "$RSA" "$RSA_PUB" 16
expect_eq "max_connections 4: every signature verified" "$(field signed)" 16/16
expect_eq "max_connections 4: at most 4 requests in flight" \
  "$(stat_of in_flight_peak)" 4
expect_eq "max_connections 4: 4 engine connections and the key load's" \
  "$(stat_of service_connections)" 5
hwc_write_conf "max_connections = 0"
run_fail "max_connections 0 is refused" "max_connections.*1 to 1024" \
  "$HELPER" "$RSA" "$RSA_PUB" 1
hwc_write_conf

hwc_done
