#!/usr/bin/env bash
# dcs:ssl/<instance>: the presigned download (no credentials on it, https
# only, no redirect to another scheme), archives sniffed by content, and
# the CA used by s_client -CAstore.
. "$(dirname "$0")/lib.sh"
hwc_setup

for v in ZIP TGZ TAR PEM DER; do
  id_var=EMU_DCS_$v
  run_ok "$v download" openssl storeutl -noout -text "dcs:ssl/${!id_var}"
  expect_in "$v: the Redis CA" "Subject: .*CN ?= ?HWC Emulator Redis CA"
  expect_in "$v: one certificate" "Total found: 1"
done
openssl storeutl -certs "dcs:ssl/$EMU_DCS_ZIP" > "$HWC_TEST_TMP/ca.out" 2>&1
cmp -s <(openssl x509 -in "dcs:ssl/$EMU_DCS_ZIP" -outform DER) <(openssl x509 -in "$EMU_DCS_CA" -outform DER) \
  || fail "downloaded CA differs from the emulator's"
pass "the CA is the emulator's Redis CA, byte for byte"

# The download carries no credentials (the link is presigned).
emu_reset
run_ok "download again" openssl storeutl -noout "dcs:ssl/$EMU_DCS_ZIP"
emu_stats | python3 -c '
import json, sys
log = json.load(sys.stdin)["log"]
obs = [e for e in log if e["path"].startswith("/obs/")]
assert obs, "no download in the log"
for e in obs:
    bad = [h for h in ("x-auth-token", "authorization", "x-security-token") if h in e["headers"]]
    assert not bad, "credentials sent to the download host: %s" % bad
api = [e for e in log if "/ssl-certs/download" in e["path"]]
assert api and all(e["auth"] != "none" for e in api), "the API call was not authenticated"
' || fail "download request carried credentials"
pass "no auth header on the download, auth on the API call"

# Links that are not https, or redirect away from https, never reach
# a non-https listener.
emu_reset
run_fail "http:// link refused" "not https" openssl storeutl -noout "dcs:ssl/$EMU_DCS_HTTPLINK"
run_fail "file:// link refused" "not https" openssl storeutl -noout "dcs:ssl/$EMU_DCS_FILELINK"
# Downloads follow no redirect at all (it could lead past the OBS host
# check): the 302 to plain http is an error, the http URL never asked.
run_fail "redirect to http refused" "HTTP 302" openssl storeutl -noout "dcs:ssl/$EMU_DCS_REDIRECT"
if grep -q "Signature=" <<<"$OUT"; then fail "the presigned signature was printed"; fi
pass "the presigned query is not printed"
plain=$(emu_stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["http_requests"])')
expect_eq "no request reached the plain-http listener" "$plain" "0"

run_fail "instance without SSL" "HTTP 400 DCS.4201 Do not support SSL." \
  openssl storeutl -noout "dcs:ssl/$EMU_DCS_NOSSL"
run_fail "unknown instance" "HTTP 404 DCS.3022" \
  openssl storeutl -noout "dcs:ssl/00000000-0000-0000-0000-000000000000"

# -CAstore: s_client verifies a server whose certificate chains to the CA
# (libcrypto looks issuers up with a subject search on the URI).
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
log=$HWC_TEST_TMP/redis-tls.log
env -u OPENSSL_CONF openssl s_server -accept "127.0.0.1:$port" -naccept 1 \
  -cert "$EMU_DCS_SERVER_CERT" -key "$EMU_DCS_SERVER_KEY" -www >"$log" 2>&1 &
srv=$!
for _ in $(seq 1 100); do grep -q ACCEPT "$log" && break; sleep 0.1; done
OUT=$(echo | openssl s_client -connect "127.0.0.1:$port" -verify_return_error \
  -CAstore "dcs:ssl/$EMU_DCS_ZIP" 2>&1) || true
wait "$srv" 2>/dev/null || true
expect_in "s_client -CAstore dcs:ssl/ verifies the server" "Verify return code: 0 \(ok\)"

hwc_done
