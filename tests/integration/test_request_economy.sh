#!/usr/bin/env bash
# Request economy, counted by the emulator: one SCM export for a server
# that names the same URI for its certificate, chain and key; at most one
# describe-key and one get-publickey per KMS key load; cache_ttl=0 turns
# the cache off.
. "$(dirname "$0")/lib.sh"
hwc_setup

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

serve_once() { # URI for cert, chain and key; prints the emulator's export count
  local port log pid
  port=$(free_port)
  log=$HWC_TEST_TMP/s_server.log
  openssl s_server -accept "127.0.0.1:$port" -naccept 1 -cert "$1" \
    -cert_chain "$1" -key "$1" -www >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do grep -q ACCEPT "$log" && break; sleep 0.1; done
  grep -q ACCEPT "$log" || { cat "$log" >&2; fail "s_server did not start"; }
  echo | openssl s_client -connect "127.0.0.1:$port" -CAfile "$EMU_SCM_ROOT" \
    -verify_return_error >/dev/null 2>&1 || fail "handshake failed"
  wait "$pid" 2>/dev/null || true
}

emu_reset
serve_once "scm:cert/$EMU_SCM_RSA"
expect_eq "cert + chain + key from one export" "$(emu_count '/export')" "1"

emu_reset
hwc_write_conf "cache_ttl = 0"
serve_once "scm:cert/$EMU_SCM_RSA"
n=$(emu_count '/export')
[ "$n" -ge 3 ] || fail "cache_ttl = 0 should export once per open (>= 3), got $n"
pass "cache_ttl = 0: one export per open ($n opens)"

emu_reset
HWCLOUD_CACHE_TTL=0 hwc_write_conf
HWCLOUD_CACHE_TTL=0 serve_once "scm:cert/$EMU_SCM_RSA"
n=$(emu_count '/export')
[ "$n" -ge 3 ] || fail "HWCLOUD_CACHE_TTL=0 should disable the cache, got $n exports"
pass "HWCLOUD_CACHE_TTL=0 in the environment ($n exports)"

emu_reset
run_ok "KMS public key load" openssl pkey -pubin -noout -in "kms:key/$EMU_KMS_EC256"
expect_eq "one describe-key" "$(emu_count '/describe-key')" "1"
expect_eq "one get-publickey" "$(emu_count '/get-publickey')" "1"

hwc_done
