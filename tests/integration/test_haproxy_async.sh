#!/usr/bin/env bash
# HAProxy with ssl-mode-async and nbthread 1 serving kms: keys (RSA 2048
# and EC P-256) to 64 clients at once (helper tls_load: full handshakes,
# no resumption). The KMS signatures of the handshakes overlap: with
# 300 ms of added latency the emulator has dozens of sign requests in
# flight from HAProxy's one thread (it would have one if a signature
# blocked the thread), one per handshake, and every handshake completes.
# Then, with retries = 0 and timeout = 1, faults hit some of 64
# handshakes in flight: 5xx answers, KMS timeouts, dropped connections
# and all three at once. Each affected handshake fails (the client sees
# it fail, none hangs; a dropped kept-alive connection may instead be
# retried once by libcurl, as in the blocking path), the others complete,
# HAProxy stays up, and its open fds come back to what they were (no wait
# fd or connection leaks). Last, a worker that drops its privileges,
# without and with insecure-fork-wanted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers_lib.sh"

HAP_PID=""
stop_haproxy() {
  if [ -n "$HAP_PID" ]; then
    kill -TERM "$HAP_PID" 2>/dev/null || true
    wait "$HAP_PID" 2>/dev/null || true
    HAP_PID=""
  fi
  return 0
}
trap stop_haproxy EXIT

command -v haproxy >/dev/null || fail "haproxy is not installed (scripts/install-deps.sh --test)"
LOAD=$HWC_BUILD_DIR/tests/integration/helpers/tls_load
[ -x "$LOAD" ] || fail "helper not built: $LOAD"
servers_setup
H=$HWC_TEST_TMP/haproxy
mkdir -p "$H"

for k in rsa2048:rsa ec256:ec; do
  var=EMU_KMS_${k%%:*}
  var=${var^^}
  name=${k#*:}.example.com
  kms_cert "${!var}" "$name"
  cp "$ETC/$name.crt" "$ETC/$name.pem"
  run_ok "uri2pem for the $name key" \
    "$HWC_TOOL" uri2pem "kms:key/${!var}" -o "$ETC/$name.pem.key"
done
PLAIN=$HWC_TEST_TMP/plain.cnf # the client: no provider
printf 'openssl_conf = i\n[i]\nproviders = p\n[p]\ndefault = d\n[d]\nactivate = 1\n' > "$PLAIN"

PORT=$(free_port)
cat > "$H/haproxy.cfg" <<EOF
global
	nbthread 1
	ssl-mode-async
	maxconn 2000
	ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets
defaults
	mode http
	timeout connect 5s
	timeout client 30s
	timeout server 30s
frontend https
	bind 127.0.0.1:$PORT ssl crt $ETC/rsa.example.com.pem crt $ETC/ec.example.com.pem
	http-request return status 200 content-type text/plain string "hello"
EOF

start_haproxy() { # OPENSSL_CONF
  env -u HWCLOUD_TOKEN OPENSSL_CONF="$1" haproxy -db -f "$H/haproxy.cfg" \
    > "$H/haproxy.log" 2>&1 &
  HAP_PID=$!
  wait_port "$PORT" || { cat "$H/haproxy.log" >&2; fail "haproxy does not listen on $PORT"; }
  # libcurl 8.x makes an eventfd of its own per multi handle, one of them
  # inside the easy handle that loaded the keys at start-up: those counted
  # now; the KMS engine's multi handle adds one more of them.
  LIBCURL_EVENTFDS=$(eventfds)
  [ "$LIBCURL_EVENTFDS" = 0 ] || LIBCURL_EVENTFDS=$((LIBCURL_EVENTFDS + 1))
}
# HAProxy's open fds, less its connections to KMS (the engine's pool,
# which may grow up to max_connections between two counts): what is left
# must not grow. Its eventfds other than libcurl's own (the ASYNC wait
# fds) must all be gone.
fds() {
  local all kms
  all=$(ls "/proc/$HAP_PID/fd" | wc -l)
  kms=$(ss -tnp state established "( dport = :$EMU_PORT )" 2>/dev/null |
    grep -c "pid=$HAP_PID,")
  echo $((all - kms))
}
eventfds() { ls -l "/proc/$HAP_PID/fd" | grep -c 'anon_inode:\[eventfd\]' || true; }
no_wait_fds() {
  expect_eq "$1: no wait fd left open (eventfds besides libcurl's $LIBCURL_EVENTFDS)" \
    "$(($(eventfds) - LIBCURL_EVENTFDS))" 0
}
stat_of() {
  emu_stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}
# settle: until the emulator answered every request (one HAProxy gave up
# on is counted when the emulator answers it).
settle() {
  for _ in $(seq 1 100); do
    [ "$(stat_of in_flight)" = 0 ] && return 0
    sleep 0.1
  done
  fail "the emulator still has requests in flight"
}
# load NAME CLIENTS COUNT: sets OUT (tls_load's JSON), OK, FAILED
load() {
  OUT=$(OPENSSL_CONF=$PLAIN "$LOAD" --connect "127.0.0.1:$PORT" \
    --servername "$1" --cafile "$ETC/test-ca.pem" --clients "$2" \
    --count "$3" --timeout-ms 20000) || fail "tls_load failed: $OUT"
  echo "  $1: $OUT"
  OK=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["handshakes"])' "$OUT")
  FAILED=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["failures"])' "$OUT")
}
alive() {
  kill -0 "$HAP_PID" 2>/dev/null || { cat "$H/haproxy.log" >&2; fail "$1: HAProxy is gone"; }
  pass "$1: HAProxy still serves"
}

CONF=$(server_conf haproxy.md openssl-haproxy)

# --- overlap
start_haproxy "$CONF"
emu_reset
emu_fault '{"match":"kms/sign","action":"delay","delay_ms":300,"count":-1}'
load rsa.example.com 64 1 # warm-up: the engine's connections are made
expect_eq "warm-up: 64 handshakes" "$OK/$FAILED" 64/0
settle
BASE=$(fds)
emu_reset
emu_fault '{"match":"kms/sign","action":"delay","delay_ms":300,"count":-1}'
load rsa.example.com 64 3
expect_eq "rsa2048, 300 ms: 192 handshakes from 64 clients" "$OK/$FAILED" 192/0
settle
expect_eq "rsa2048: one KMS sign per full handshake" "$(signs)" 192
PEAK=$(stat_of in_flight_peak)
[ "$PEAK" -ge 32 ] || fail "rsa2048: at most $PEAK sign requests in flight (HAProxy's thread blocked on KMS?)"
pass "rsa2048: $PEAK sign requests in flight at once from one HAProxy thread"
load ec.example.com 64 2
expect_eq "ec256, 300 ms: 128 handshakes" "$OK/$FAILED" 128/0
sleep 0.5
[ "$(fds)" -le "$BASE" ] || fail "HAProxy has $(fds) fds open, $BASE after the warm-up"
pass "no fd left behind ($(fds) open besides KMS connections, $BASE after the warm-up)"
no_wait_fds "overlap"
stop_haproxy

# --- faults, with 64 handshakes in flight each time
sed -e '/^retries/d' -e '/^timeout/d' "$CONF" > "$HWC_TEST_TMP/faults.cnf"
printf 'retries = 0\ntimeout = 1\n' >> "$HWC_TEST_TMP/faults.cnf"
start_haproxy "$HWC_TEST_TMP/faults.cnf"
emu_reset
emu_fault '{"match":"kms/sign","action":"delay","delay_ms":200,"count":-1}'
load rsa.example.com 64 1
expect_eq "faults: warm-up" "$OK/$FAILED" 64/0
settle
BASE=$(fds)
# fault_round NAME FAILING RESETS FAULT...: FAILING handshakes must fail.
# A dropped connection fails its handshake, unless libcurl sends the
# request again on a new connection (it does so once when a kept-alive
# connection dies before answering, in the blocking path alike): each of
# the RESETS either fails a handshake or costs one more sign request.
fault_round() {
  local name=$1 n=$2 resets=$3 rf
  shift 3
  settle
  # Faults go first in the queue: the first sign requests get them.
  emu_reset
  for f in "$@"; do emu_fault "$f"; done
  emu_fault '{"match":"kms/sign","action":"delay","delay_ms":200,"count":-1}'
  load rsa.example.com 64 1
  rf=$((FAILED - n))
  [ "$rf" -ge 0 ] && [ "$rf" -le "$resets" ] && [ "$((OK + FAILED))" = 64 ] ||
    fail "$name: $OK handshakes completed, $FAILED failed; $n (and up to $resets more) should fail"
  pass "$name: $FAILED of 64 handshakes failed ($n faults, $rf of $resets drops), the other $OK completed"
  settle
  expect_eq "$name: one sign request per handshake, plus drops sent again" \
    "$(signs)" "$((64 + resets - rf))"
  alive "$name"
  sleep 0.5
  [ "$(fds)" -le "$BASE" ] || fail "$name: HAProxy has $(fds) fds open, $BASE before"
  pass "$name: no fd left behind ($(fds) open besides KMS connections, $BASE before)"
  no_wait_fds "$name"
}
fault_round "5xx" 8 0 '{"match":"kms/sign","action":"status","status":500,"count":8}'
fault_round "KMS timeout" 8 0 '{"match":"kms/sign","action":"delay","delay_ms":3000,"count":8}'
fault_round "dropped connection" 0 8 '{"match":"kms/sign","action":"reset","count":8}'
fault_round "all three" 8 4 \
  '{"match":"kms/sign","action":"status","status":503,"count":4}' \
  '{"match":"kms/sign","action":"reset","count":4}' \
  '{"match":"kms/sign","action":"delay","delay_ms":3000,"count":4}'
settle
emu_reset
load ec.example.com 64 2
expect_eq "after the faults: 128 handshakes, none failed" "$OK/$FAILED" 128/0
alive "after the faults"
stop_haproxy

# --- a worker that drops its privileges: HAProxy then forbids new threads
# (RLIMIT_NPROC 0) unless insecure-fork-wanted is set. Without it the
# provider cannot start its KMS thread and signs as outside a job (every
# handshake still completes, one signature at a time); with it, the
# signatures overlap again.
id haproxy >/dev/null 2>&1 || fail "no user haproxy (Debian's haproxy package creates it)"
sed -i -e 's/^\tnbthread 1$/\tnbthread 1\n\tuser haproxy\n\tgroup haproxy/' "$H/haproxy.cfg"
for mode in without with; do
  if [ "$mode" = with ]; then
    sed -i -e 's/^\tssl-mode-async$/\tssl-mode-async\n\tinsecure-fork-wanted/' "$H/haproxy.cfg"
  fi
  start_haproxy "$CONF"
  settle
  emu_reset
  emu_fault '{"match":"kms/sign","action":"delay","delay_ms":300,"count":-1}'
  load rsa.example.com 32 1
  expect_eq "user haproxy, $mode insecure-fork-wanted: 32 handshakes" "$OK/$FAILED" 32/0
  settle
  expect_eq "user haproxy, $mode insecure-fork-wanted: one sign each" "$(signs)" 32
  PEAK=$(stat_of in_flight_peak)
  if [ "$mode" = without ]; then
    expect_eq "user haproxy, without insecure-fork-wanted: one signature at a time" "$PEAK" 1
  else
    [ "$PEAK" -ge 8 ] || fail "user haproxy, with insecure-fork-wanted: at most $PEAK sign requests in flight"
    pass "user haproxy, with insecure-fork-wanted: $PEAK sign requests in flight at once"
  fi
  stop_haproxy
done

hwc_done
