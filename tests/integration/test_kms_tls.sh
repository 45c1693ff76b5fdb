#!/usr/bin/env bash
# TLS servers with a kms:key/<id> private key: a certificate is
# made for the key from a CSR signed in KMS and a local test CA; then
# `openssl s_server -key kms:key/<id>` completes TLS 1.3 and TLS 1.2
# (ECDHE) handshakes with a plain `openssl s_client -verify_return_error`
# for RSA 2048, EC P-256 and EC P-384 keys. The emulator's counters show
# one sign request per handshake and one HTTPS connection from the server
# process for all of them. TLS 1.2 RSA key exchange (which needs a PKCS#1
# v1.5 decryption KMS cannot do) fails cleanly, with the reason in the
# server's error output, and reaches KMS not at all. A server that makes
# its SSL_CTX before opening the store (nginx) works as well.
. "$(dirname "$0")/lib.sh"

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
# Runs before emu_lib's own exit handler stops the emulator.
trap stop_server EXIT
hwc_setup
cd "$HWC_TEST_TMP" || exit 1
exec </dev/null

plain() {
  OPENSSL_CONF=/dev/null openssl "$@"
}
stat_of() {
  emu_stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# start_server NAME KEY CERT: s_server in the background; waits for its
# ACCEPT line (probing the port would use up a connection) and sets PORT.
start_server() {
  local name=$1 key=$2 cert=$3 i
  : >"$name.out"
  : >"$name.err"
  openssl s_server -accept 127.0.0.1:0 -www -key "$key" -cert "$cert" \
    >"$name.out" 2>"$name.err" &
  SERVER_PID=$!
  for ((i = 0; i < 300; i++)); do
    if grep -q '^ACCEPT' "$name.out"; then
      break
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      cat "$name.err" >&2
      fail "$name: s_server exited before accepting"
    fi
    sleep 0.1
  done
  PORT=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' "$name.out" | head -n1)
  [ -n "$PORT" ] || fail "$name: no ACCEPT line from s_server"
  pass "$name: s_server with the KMS key is listening on $PORT"
}

# handshake DESC [s_client args...]: a verified handshake (plain client).
handshake() {
  local desc=$1
  shift
  run_ok "$desc" timeout 30 env OPENSSL_CONF=/dev/null openssl s_client \
    -connect "127.0.0.1:$PORT" -CAfile ca.pem -verify_return_error \
    -verify_ip 127.0.0.1 -brief "$@"
  expect_in "$desc: certificate verified" "Verification: OK"
}

# The test CA, entirely local.
run_ok "test CA" plain req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
  -nodes -keyout ca.key -out ca.pem -subj /CN=hwcloud-test-ca "${HWC_CA_EXT[@]}" \
  -days 2
printf 'subjectAltName=IP:127.0.0.1\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' >ext.cnf

# cert_for NAME KEY: a CSR signed in KMS, then a certificate from the CA.
cert_for() {
  local name=$1 key=$2
  run_ok "$name: CSR signed in KMS" openssl req -new -key "$key" \
    -subj /CN=127.0.0.1 -out "$name.csr"
  run_ok "$name: req -verify accepts the CSR" plain req -verify -noout \
    -in "$name.csr"
  run_ok "$name: certificate from the test CA" plain x509 -req \
    -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile ext.cnf -out "$name.pem"
}

# tls_suite NAME KEY TLS12_SIGALG TLS13_SIGALG: five handshakes against one
# server; one sign each, one describe-key + get-publickey and one HTTPS
# connection for the whole server.
tls_suite() {
  local name=$1 key=$2 sig12=$3 sig13=$4 conns signs
  cert_for "$name" "$key"
  emu_reset
  start_server "$name" "$key" "$name.pem"
  handshake "$name: TLS 1.3" -tls1_3
  expect_in "$name: TLS 1.3 negotiated" "Protocol version: TLSv1.3"
  handshake "$name: TLS 1.2 (ECDHE)" -tls1_2
  expect_in "$name: TLS 1.2 negotiated" "Protocol version: TLSv1.2"
  expect_in "$name: ECDHE suite" "Ciphersuite: ECDHE-"
  handshake "$name: TLS 1.3 with $sig13" -tls1_3 -sigalgs "$sig13"
  handshake "$name: TLS 1.2 with $sig12" -tls1_2 -sigalgs "$sig12"
  handshake "$name: TLS 1.3 again" -tls1_3
  signs=$(emu_count "POST /kms/sign")
  expect_eq "$name: one sign request per handshake" "$signs" 5
  expect_eq "$name: the key was loaded once" \
    "$(emu_count "POST /kms/describe-key") $(emu_count "POST /kms/get-publickey")" \
    "1 1"
  conns=$(stat_of service_connections)
  expect_eq "$name: one HTTPS connection from the server for 5 handshakes" \
    "$conns" 1
}

R=kms:key/$EMU_KMS_RSA2048
tls_suite rsa2048 "$R" rsa_pkcs1_sha256 rsa_pss_rsae_sha384

# TLS 1.2 RSA key exchange: refused in the server, nothing sent to KMS.
before=$(emu_total)
if OUT=$(timeout 30 env OPENSSL_CONF=/dev/null openssl s_client \
  -connect "127.0.0.1:$PORT" -CAfile ca.pem -verify_return_error -brief \
  -tls1_2 -cipher AES128-GCM-SHA256 2>&1); then
  echo "$OUT" >&2
  fail "RSA key exchange: the handshake succeeded"
fi
pass "RSA key exchange (AES128-GCM-SHA256): the handshake fails"
expect_in "RSA key exchange: the client gets a TLS alert" "alert"
for ((i = 0; i < 50; i++)); do
  grep -q "KMS cannot" rsa2048.err && break
  sleep 0.1
done
OUT=$(cat rsa2048.err)
expect_in "RSA key exchange: the reason is in the server's errors" \
  "KMS cannot (do PKCS#1 v1.5 )?decrypt"
expect_in "RSA key exchange: the server's errors suggest ECDHE" "ECDHE"
expect_eq "RSA key exchange: no request reached KMS" "$(emu_total)" "$before"
expect_eq "RSA key exchange: no decrypt request" \
  "$(emu_count "POST /kms/decrypt-data")" 0
kill -0 "$SERVER_PID" 2>/dev/null || fail "the server died"
handshake "the server still serves after the refusal" -tls1_3
stop_server

# The key must match the certificate (SSL_CTX_check_private_key uses our
# keymgmt's match): another KMS key with this certificate is refused.
run_fail "a KMS key that does not match the certificate is refused" \
  "key values mismatch|does not match" \
  timeout 30 openssl s_server -accept 127.0.0.1:0 -www -naccept 1 \
  -key "kms:key/$EMU_KMS_RSA3072" -cert rsa2048.pem

tls_suite ec256 "kms:key/$EMU_KMS_EC256" ecdsa_secp256r1_sha256 \
  ecdsa_secp256r1_sha256
# s_client -brief: "ECDSA" in OpenSSL 3.0, the scheme's name in 3.5.
expect_in "ec256: ECDSA" "Signature type: (ECDSA|ecdsa_secp256r1_sha256)$"
stop_server
tls_suite ec384 "kms:key/$EMU_KMS_EC384" ecdsa_secp384r1_sha384 \
  ecdsa_secp384r1_sha384
stop_server

# SSL_CTX_new before the first store open (nginx's order): our signature
# algorithms exist from provider init.
TLS_FIRST=$HWC_BUILD_DIR/tests/integration/helpers/kms_tls_first
[ -x "$TLS_FIRST" ] || fail "helper not built: $TLS_FIRST"
for k in rsa2048 ec256 ec384; do
  var=EMU_KMS_${k^^}
  run_ok "$k: SSL_CTX made before the store open" timeout 60 "$TLS_FIRST" \
    "kms:key/${!var}" "$k.pem" ca.pem
  expect_in "$k: TLS 1.3 in memory" "TLSv1.3: handshake ok"
  expect_in "$k: TLS 1.2 in memory" "TLSv1.2: handshake ok, ECDHE-"
done

hwc_done
