#!/usr/bin/env bash
# curl 7.88 (Debian) with a client key from kms:key/<id> (a PEM-wrapped
# URI key file) for mutual TLS against `openssl s_server -Verify`, as
# docs/curl.md says (the blocks are read from it): one KMS sign per
# handshake; without uri_pem a file libcrypto cannot decode.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers_lib.sh"

SRV_PID=""
stop_server() {
  [ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null
  return 0
}
trap stop_server EXIT

servers_setup
PORT=$(free_port)
N=6

# The client's key file and certificate (docs/curl.md section 2).
run_ok "uri2pem for the client key" \
  "$HWC_TOOL" uri2pem "kms:key/$EMU_KMS_EC256" -o "$ETC/client.key.pem"
kms_cert "$EMU_KMS_EC256" client.example.com
cp "$ETC/client.example.com.crt" "$ETC/client.crt"
pass "client certificate made from a CSR the KMS key signed"

# The server: its own local key; it trusts the test CA for clients.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$HWC_TEST_TMP/server.key" -out "$HWC_TEST_TMP/server.crt" \
  -subj /CN=mtls.example.com -addext subjectAltName=DNS:mtls.example.com \
  -days 2 2>/dev/null
env -u OPENSSL_CONF openssl s_server -accept "127.0.0.1:$PORT" -Verify 1 \
  -verify_return_error -CAfile "$ETC/test-ca.pem" \
  -cert "$HWC_TEST_TMP/server.crt" -key "$HWC_TEST_TMP/server.key" -www \
  > "$HWC_TEST_TMP/s_server.log" 2>&1 &
SRV_PID=$!
for _ in $(seq 1 100); do grep -q ACCEPT "$HWC_TEST_TMP/s_server.log" && break; sleep 0.1; done
grep -q ACCEPT "$HWC_TEST_TMP/s_server.log" || fail "s_server did not start"

# The documented command, pointed at the test server.
CONF=$(server_conf curl.md openssl-curl)
CMD=$(doc_block curl.md curl-command | doc_paths |
  sed -e "s#OPENSSL_CONF=[^ ]*#OPENSSL_CONF=$CONF#" \
    -e "s#https://mtls.example.com/#-sS --fail --max-time 20 --cacert $HWC_TEST_TMP/server.crt --resolve mtls.example.com:$PORT:127.0.0.1 https://mtls.example.com:$PORT/#")
client() {
  env -u HWCLOUD_TOKEN bash -c "$CMD"
}

emu_reset
for i in $(seq 1 "$N"); do
  OUT=$(client 2>&1) || { echo "$OUT" >&2; tail -20 "$HWC_TEST_TMP/s_server.log" >&2; fail "mutual TLS run $i failed"; }
  grep -q "s_server" <<<"$OUT" || fail "run $i: not the s_server status page: $OUT"
done
pass "curl: $N mutual-TLS requests with the KMS client key"
expect_eq "one KMS sign per handshake" "$(signs)" "$N"
# (OpenSSL 3.0 prints "CN = x", 3.5 "CN=x".)
verified=$(grep -cE "depth=0 CN ?= ?client.example.com" "$HWC_TEST_TMP/s_server.log" || true)
[ "$verified" -ge "$N" ] || fail "s_server verified $verified client certificates, expected $N"
pass "s_server verified the client certificate each time"

# Without a client key the server refuses (the test proves mutual TLS).
run_fail "no client certificate: refused" "alert|certificate required|error" \
  curl -sS --fail --max-time 20 --cacert "$HWC_TEST_TMP/server.crt" \
  --resolve "mtls.example.com:$PORT:127.0.0.1" "https://mtls.example.com:$PORT/"

# Without uri_pem hwcloud offers no decoder: curl cannot use the key file,
# which is a file libcrypto cannot decode (docs/curl.md).
sed '/^uri_pem/d' "$CONF" > "$HWC_TEST_TMP/openssl-curl-off.cnf"
before=$(signs)
CMD=${CMD//$CONF/$HWC_TEST_TMP/openssl-curl-off.cnf}
run_fail "uri_pem off: curl refuses the key file" "private key|unable to set" client
run_fail "uri_pem off: openssl pkey cannot decode it" \
  "No supported data to decode|unsupported" \
  env OPENSSL_CONF="$HWC_TEST_TMP/openssl-curl-off.cnf" \
  openssl pkey -in "$ETC/client.key.pem" -noout
expect_eq "uri_pem off: nothing signed" "$(signs)" "$before"

hwc_done
