#!/usr/bin/env bash
# Error paths of the store: invalid URIs (no request), service envelopes,
# authentication failures, hostile responses, and the retry policy.
. "$(dirname "$0")/lib.sh"
hwc_setup
KMS_PATH="/v1.0/$EMU_PROJECT_ID/kms"
SCM_KEY="scm:cert/$EMU_SCM_RSA"
KMS_KEY="kms:key/$EMU_KMS_RSA2048"

# --- invalid URIs never reach the network
emu_reset
for uri in "kms:key/NOT-A-UUID" "scm:cert/short" "scm:cert/scs1590053258704?x=1" \
  "kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37f?region=EU" "dcs:ssl/../../etc" \
  "codearts:keystore/.." "kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37f#x"; do
  run_fail "invalid URI $uri" "invalid URI.*expected" openssl storeutl -noout "$uri"
done
expect_eq "no request for invalid URIs" "$(emu_total)" "0"

# --- service error envelopes: KMS nested, SCM flat, with request id
run_fail "unknown certificate" "scm:cert/scs0000000000000: HTTP 404 SCM\.[0-9]+ .*\(request id [0-9a-f-]+\)" \
  openssl storeutl -noout "scm:cert/scs0000000000000"
for st in 401 403 404 500; do
  emu_fault "{\"match\":\"/export\",\"action\":\"status\",\"status\":$st,\"body\":\"{\\\"error_code\\\":\\\"SCM.0$st\\\",\\\"error_msg\\\":\\\"Injected $st\\\"}\",\"count\":10}"
  run_fail "SCM $st envelope" "HTTP $st SCM.0$st Injected $st \(request id" \
    openssl storeutl -noout "$SCM_KEY"
  emu_reset
  emu_fault "{\"match\":\"/get-publickey\",\"action\":\"status\",\"status\":$st,\"body\":\"{\\\"error\\\":{\\\"error_code\\\":\\\"KMS.0$st\\\",\\\"error_msg\\\":\\\"Injected $st\\\"}}\",\"count\":10}"
  run_fail "KMS $st nested envelope" "HTTP $st KMS.0$st Injected $st" \
    openssl pkey -pubin -noout -in "$KMS_KEY"
  emu_reset
done

# --- authentication
run_fail "unknown token" "HTTP 401" env HWCLOUD_TOKEN=not-a-valid-token-at-all-xxxxxxxxxxxx \
  openssl storeutl -noout "$SCM_KEY"
expect_in "static token refusal explained" "token refused:.*the configured token was refused"
grep -q "expired" <<<"$OUT" && fail "an unknown token is called expired: $OUT"
pass "an unknown token is refused, not expired"
run_fail "no credentials" "no credentials configured" env -u HWCLOUD_TOKEN \
  openssl storeutl -noout "$SCM_KEY"

# --- hostile or broken responses
emu_fault '{"match":"/export","action":"malformed","count":10}'
run_fail "malformed JSON" "not valid JSON" openssl storeutl -noout "$SCM_KEY"
emu_reset
emu_fault '{"match":"/get-publickey","action":"wrong_shape","count":10}'
run_fail "JSON of the wrong shape" "malformed service response|lacks|not a string" \
  openssl pkey -pubin -noout -in "$KMS_KEY"
emu_reset
emu_fault '{"match":"/export","action":"oversize","size":104857600,"count":10}'
start=$(date +%s)
run_fail "oversized body refused" "response too large|exceeds the size limit" \
  openssl storeutl -noout "$SCM_KEY"
[ $(( $(date +%s) - start )) -lt 30 ] || fail "oversized body took too long"
emu_reset

# --- retries: two 503 then success = three requests
emu_fault '{"match":"/export","action":"status","status":503,"body":"{\"error_code\":\"SCM.0503\",\"error_msg\":\"busy\"}","count":2}'
run_ok "503 twice then success" openssl storeutl -noout "$SCM_KEY"
expect_eq "three export requests" "$(emu_count '/export')" "3"
emu_reset

# --- 429 with Retry-After: 1 is waited out
emu_fault '{"match":"/export","action":"status","status":429,"headers":{"Retry-After":"1"},"body":"{\"error_code\":\"APIG.0308\",\"error_msg\":\"The throttling threshold has been reached\"}","count":1}'
start=$(date +%s%N)
run_ok "429 with Retry-After" openssl storeutl -noout "$SCM_KEY"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed_ms" -ge 1000 ] || fail "Retry-After: 1 not honoured (${elapsed_ms} ms)"
pass "waited ${elapsed_ms} ms for Retry-After: 1"
expect_eq "two export requests" "$(emu_count '/export')" "2"
emu_reset

# --- 4xx other than 401/429 are not retried
emu_fault '{"match":"/export","action":"status","status":400,"body":"{\"error_code\":\"SCM.0400\",\"error_msg\":\"bad\"}","count":5}'
run_fail "400 is final" "HTTP 400 SCM.0400" openssl storeutl -noout "$SCM_KEY"
expect_eq "one request for a 400" "$(emu_count '/export')" "1"
emu_reset

# --- retries are bounded: persistent 503
emu_fault '{"match":"/export","action":"status","status":503,"count":100}'
run_fail "persistent 503 fails" "HTTP 503" openssl storeutl -noout "$SCM_KEY"
expect_eq "1 + retries(3) requests" "$(emu_count '/export')" "4"
expect_in "the attempts are counted in the message" \
  "HTTP 503 .*\\(request id [^)]*\\) \\(4 attempts in [0-9]+\\.[0-9] s\\)$"
emu_reset

# --- a delay beyond the timeout fails in bounded time
hwc_write_conf "timeout = 2" "retries = 0"
emu_fault '{"match":"/export","action":"delay","delay_ms":8000,"count":1}'
start=$(date +%s)
run_fail "timeout" "request failed|timed out|Timeout" openssl storeutl -noout "$SCM_KEY"
[ $(( $(date +%s) - start )) -le 6 ] || fail "timeout not bounded"
pass "timeout bounded"
expect_in "a single timed-out attempt says no more" "Operation timed out after"
emu_reset

# A timeout that was retried says so: 1 s per attempt, 10 s in all at least.
hwc_write_conf "timeout = 1" "retries = 1"
emu_fault '{"match":"/export","action":"delay","delay_ms":3000,"count":2}'
run_fail "a retried timeout" \
  "request failed:.*/export: timed out after 2 attempts, [0-9]+\\.[0-9] s \\(the last: .*timed out" \
  openssl storeutl -noout "$SCM_KEY"
emu_reset

# --- TLS: a CA that does not sign the emulator is refused
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=other \
  "${HWC_CA_EXT[@]}" -keyout "$HWC_TEST_TMP/other.key" -out "$HWC_TEST_TMP/other.pem" -days 1 2>/dev/null
hwc_write_conf "ca_file = $HWC_TEST_TMP/other.pem"
run_fail "untrusted server certificate" "request failed" openssl storeutl -noout "$SCM_KEY"
# --- TLS: a trusted certificate for another host is refused
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj /CN=other.example -addext subjectAltName=DNS:other.example \
  -keyout "$HWC_TEST_TMP/wrong.key" -out "$HWC_TEST_TMP/wrong.pem" -days 1 2>/dev/null
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
openssl s_server -accept "127.0.0.1:$port" -cert "$HWC_TEST_TMP/wrong.pem" \
  -key "$HWC_TEST_TMP/wrong.key" -www >"$HWC_TEST_TMP/wrong.log" 2>&1 &
wrong_srv=$!
for _ in $(seq 1 100); do grep -q ACCEPT "$HWC_TEST_TMP/wrong.log" && break; sleep 0.1; done
hwc_write_conf "ca_file = $HWC_TEST_TMP/wrong.pem" "endpoint = https://127.0.0.1:$port"
run_fail "trusted certificate for another host" "request failed.*(SSL|certificate|subject|host)" \
  openssl storeutl -noout "$SCM_KEY"
kill "$wrong_srv" 2>/dev/null || true
wait "$wrong_srv" 2>/dev/null || true

hwc_write_conf "ca_file = $HWC_TEST_TMP/does-not-exist.pem"
run_fail "missing ca_file is an error, not verify-off" "ca_file .* cannot be read" \
  openssl storeutl -noout "$SCM_KEY"

hwc_done
