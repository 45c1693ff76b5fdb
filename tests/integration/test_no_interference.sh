#!/usr/bin/env bash
# No interference (issue 6): with hwcloud activated in OPENSSL_CONF, every
# OpenSSL operation on ordinary file keys behaves as without it. The same
# commands run "with" (hwcloud + default, HWCLOUD_DEBUG=1) and "without"
# (default only): key generation, pkey text/PEM/DER output, RSA PKCS#1
# signatures (deterministic: byte for byte), PSS and ECDSA (randomised:
# each side verifies the other's), RSA encryption, CSRs and certificates,
# TLS handshakes with a file key (TLS 1.3, TLS 1.2 ECDHE and RSA key
# exchange, which our asymmetric cipher would refuse). No hwcloud
# operation runs (the debug log shows only the provider's init line) and
# the emulator sees no request at all.
. "$(dirname "$0")/lib.sh"

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap stop_server EXIT
hwc_setup
cd "$HWC_TEST_TMP" || exit 1
exec </dev/null

WITH_CONF=$OPENSSL_CONF
WITHOUT_CONF=$HWC_TEST_TMP/without.cnf
{
  echo "openssl_conf = openssl_init"
  echo "[openssl_init]"
  echo "providers = provider_sect"
  echo "[provider_sect]"
  echo "default = default_sect"
  echo "[default_sect]"
  echo "activate = 1"
} >"$WITHOUT_CONF"
: >with-stderr.log

# with/without CMD-ARGS...: openssl (bounded: 60 s) with or without hwcloud. The stderr of
# "with" runs is kept (for the debug lines) and also shown.
with() {
  local rc=0 err=$HWC_TEST_TMP/with.err
  HWCLOUD_DEBUG=1 OPENSSL_CONF=$WITH_CONF timeout 60 openssl "$@" 2>"$err" || rc=$?
  cat "$err" >>with-stderr.log
  cat "$err" >&2
  return $rc
}
without() {
  OPENSSL_CONF=$WITHOUT_CONF timeout 60 openssl "$@"
}
# both DESC ARGS...: runs ARGS in both modes; in ARGS, @ stands for the
# mode's directory (with/ or without/). Both must succeed.
both() {
  local desc=$1
  shift
  local m args a
  for m in with without; do
    args=()
    for a in "$@"; do args+=("${a//@/$m}"); done
    run_ok "$desc ($m)" "$m" "${args[@]}"
    # the output without the debug lines of "with"
    grep -v '^hwcloud\[' <<<"$OUT" >"$m/last.out" || true
  done
}
# same DESC FILE: FILE (relative to with/ and without/) is identical.
same() {
  run_ok "$1: same result" cmp "with/$2" "without/$2"
}

emu_reset
mkdir -p with without
printf 'a message for file keys\n' >msg
without dgst -sha256 -binary msg >msg.sha256

# Providers: hwcloud is loaded "with" and registers no digest, cipher,
# MAC or KDF.
run_ok "hwcloud is active with the configuration" with list -providers
expect_in "hwcloud listed" "hwcloud"
for kind in digest cipher mac kdf; do
  both "list -$kind-algorithms" list "-$kind-algorithms" -verbose
  same "list -$kind-algorithms" last.out
done

# Key generation in both modes; each mode's keys work in the other.
both "genpkey RSA" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
  -out @/gen-rsa.key
both "genpkey EC" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
  -out @/gen-ec.key
both "genpkey Ed25519" genpkey -algorithm ED25519 -out @/gen-ed.key
for k in gen-rsa gen-ec gen-ed; do
  run_ok "$k made with hwcloud reads without" without pkey -in "with/$k.key" \
    -check -noout
  run_ok "$k made without hwcloud reads with" with pkey -in "without/$k.key" \
    -check -noout
done

# Fixed keys for the comparisons (made without hwcloud).
for k in rsa ec; do
  cp "without/gen-$k.key" "$k.key"
  without pkey -in "$k.key" -pubout -out "$k.pub"
done

# Encoders: text, PEM, DER, public key.
both "pkey -text RSA" pkey -in rsa.key -text -noout -out @/rsa.txt
same "pkey -text RSA" rsa.txt
both "pkey -text EC" pkey -in ec.key -text -noout -out @/ec.txt
same "pkey -text EC" ec.txt
both "pkey PEM" pkey -in rsa.key -out @/rsa.pem
same "pkey PEM" rsa.pem
both "pkey DER" pkey -in ec.key -outform DER -out @/ec.der
same "pkey DER" ec.der
both "pkey traditional PEM" pkey -in rsa.key -traditional -out @/rsa-trad.pem
same "pkey traditional PEM" rsa-trad.pem
both "pkey -pubout" pkey -in rsa.key -pubout -out @/rsa.pub
same "pkey -pubout" rsa.pub
both "pkey -aes256 (encrypted PEM)" pkey -in ec.key -aes256 \
  -passout pass:secret -out @/ec-enc.pem
run_ok "encrypted PEM made with hwcloud decrypts without" without pkey \
  -in with/ec-enc.pem -passin pass:secret -out ec-dec.pem
run_ok "and is the same key" cmp ec-dec.pem without/gen-ec.key

# RSA PKCS#1 v1.5: deterministic, byte for byte.
both "pkeyutl -sign RSA PKCS#1" pkeyutl -sign -inkey rsa.key \
  -pkeyopt digest:sha256 -in msg.sha256 -out @/rsa-pkcs1.sig
same "pkeyutl -sign RSA PKCS#1" rsa-pkcs1.sig
both "dgst -sha384 -sign RSA" dgst -sha384 -sign rsa.key -out @/rsa-dgst.sig \
  msg
same "dgst -sha384 -sign RSA" rsa-dgst.sig
both "pkeyutl -sign RSA raw (no digest)" pkeyutl -sign -inkey rsa.key \
  -in msg -out @/rsa-raw.sig
same "pkeyutl -sign RSA raw" rsa-raw.sig

# Randomised signatures: each mode verifies the other's.
PSS=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:max)
both "dgst -sign RSA-PSS" dgst -sha256 -sign rsa.key "${PSS[@]}" \
  -out @/rsa-pss.sig msg
both "dgst -sign ECDSA" dgst -sha256 -sign ec.key -out @/ec.sig msg
both "pkeyutl -sign ECDSA over a digest" pkeyutl -sign -inkey ec.key \
  -in msg.sha256 -out @/ec-pkeyutl.sig
both "pkeyutl -sign Ed25519" pkeyutl -sign -inkey without/gen-ed.key \
  -rawin -in msg -out @/ed.sig
same "Ed25519 (deterministic)" ed.sig
for m in with without; do
  o=without
  [ "$m" = without ] && o=with
  run_ok "PSS signed $o, verified $m" "$m" dgst -sha256 -verify rsa.pub \
    "${PSS[@]}" -signature "$o/rsa-pss.sig" msg
  run_ok "ECDSA signed $o, verified $m" "$m" dgst -sha256 -verify ec.pub \
    -signature "$o/ec.sig" msg
  run_ok "ECDSA (pkeyutl) signed $o, verified $m" "$m" pkeyutl -verify \
    -pubin -inkey ec.pub -in msg.sha256 -sigfile "$o/ec-pkeyutl.sig"
  run_ok "RSA PKCS#1 verified $m with the private key file" "$m" dgst \
    -sha384 -prverify rsa.key -signature "$o/rsa-dgst.sig" msg
done
for m in with without; do
  run_fail "a signature of another message fails ($m)" "Verification failure" \
    "$m" dgst -sha256 -verify ec.pub -signature without/ec.sig msg.sha256
done

# RSA encryption: OAEP and PKCS#1 v1.5 decrypt with file keys (our
# asymmetric cipher, which refuses PKCS#1 v1.5, must not be picked).
head -c 64 /dev/urandom >secret
both "pkeyutl -encrypt PKCS#1 v1.5" pkeyutl -encrypt -pubin -inkey rsa.pub \
  -in secret -out @/pkcs1.ct
both "pkeyutl -encrypt OAEP" pkeyutl -encrypt -pubin -inkey rsa.pub \
  -pkeyopt rsa_padding_mode:oaep -in secret -out @/oaep.ct
for m in with without; do
  for o in with without; do
    run_ok "PKCS#1 v1.5 made $o, decrypted $m" "$m" pkeyutl -decrypt \
      -inkey rsa.key -in "$o/pkcs1.ct" -out "$m/pkcs1-$o.pt"
    run_ok "PKCS#1 v1.5 made $o, decrypted $m: plaintext" \
      cmp secret "$m/pkcs1-$o.pt"
    run_ok "OAEP made $o, decrypted $m" "$m" pkeyutl -decrypt -inkey rsa.key \
      -pkeyopt rsa_padding_mode:oaep -in "$o/oaep.ct" -out "$m/oaep-$o.pt"
    run_ok "OAEP made $o, decrypted $m: plaintext" cmp secret "$m/oaep-$o.pt"
  done
done

# CSRs and certificates.
both "req -new RSA" req -new -key rsa.key -subj /CN=file.example \
  -out @/rsa.csr
same "req -new RSA (PKCS#1: deterministic)" rsa.csr
both "req -new EC" req -new -key ec.key -subj /CN=file.example -out @/ec.csr
for m in with without; do
  for o in with without; do
    run_ok "CSR made $o verifies $m" "$m" req -verify -noout -in "$o/ec.csr"
  done
done
both "req -x509 CA" req -x509 -new -key ec.key -subj /CN=file-ca -days 2 \
  "${HWC_CA_EXT[@]}" -out @/ca.pem
printf 'subjectAltName=IP:127.0.0.1\n' >ext.cnf
both "x509 -req (CA signs the RSA CSR)" x509 -req -in without/rsa.csr \
  -CA @/ca.pem -CAkey ec.key -set_serial 7 -days 2 -extfile ext.cnf \
  -out @/server.pem
both "x509 -req (CA signs the EC CSR)" x509 -req -in without/ec.csr \
  -CA @/ca.pem -CAkey ec.key -set_serial 8 -days 2 -extfile ext.cnf \
  -out @/server-ec.pem
for m in with without; do
  for o in with without; do
    run_ok "certificate made $o verifies $m" "$m" verify -CAfile "$o/ca.pem" \
      "$o/server.pem"
  done
done
both "x509 -text" x509 -in without/server.pem -noout -text -out @/x509.txt
same "x509 -text" x509.txt

# TLS with file keys.
# start_server MODE NAME KEY CERT: s_server of MODE; sets PORT.
start_server() {
  local m=$1 name=$2 i
  : >"$name.out"
  : >"$name.err"
  if [ "$m" = with ]; then
    HWCLOUD_DEBUG=1 OPENSSL_CONF=$WITH_CONF openssl s_server \
      -accept 127.0.0.1:0 -www -key "$3" -cert "$4" >"$name.out" \
      2>"$name.err" &
  else
    OPENSSL_CONF=$WITHOUT_CONF openssl s_server -accept 127.0.0.1:0 -www \
      -key "$3" -cert "$4" >"$name.out" 2>"$name.err" &
  fi
  SERVER_PID=$!
  for ((i = 0; i < 300; i++)); do
    grep -q '^ACCEPT' "$name.out" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$name.err" >&2; fail "$name: s_server exited"; }
    sleep 0.1
  done
  PORT=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' "$name.out" | head -n1)
  [ -n "$PORT" ] || fail "$name: no ACCEPT line"
}
# handshakes SERVER_MODE CA: TLS 1.3, 1.2 ECDHE, 1.2 RSA key exchange
# (RSA server only) from clients of both modes.
handshakes() {
  local sm=$1 name=$2 ca=$3 rsa=$4 m
  for m in with without; do
    run_ok "$name: TLS 1.3, $m client" "$m" s_client \
      -connect "127.0.0.1:$PORT" -CAfile "$ca" -verify_return_error \
      -verify_ip 127.0.0.1 -brief -tls1_3
    expect_in "$name: TLS 1.3, $m client: verified" "Verification: OK"
    run_ok "$name: TLS 1.2 ECDHE, $m client" "$m" s_client \
      -connect "127.0.0.1:$PORT" -CAfile "$ca" -verify_return_error \
      -verify_ip 127.0.0.1 -brief -tls1_2
    expect_in "$name: TLS 1.2 ECDHE, $m client: ECDHE" "Ciphersuite: ECDHE-"
    if [ "$rsa" = rsa ]; then
      run_ok "$name: TLS 1.2 RSA key exchange, $m client" "$m" \
        s_client -connect "127.0.0.1:$PORT" -CAfile "$ca" \
        -verify_return_error -verify_ip 127.0.0.1 -brief -tls1_2 \
        -cipher AES128-GCM-SHA256
      expect_in "$name: RSA key exchange negotiated" \
        "Ciphersuite: AES128-GCM-SHA256"
    fi
  done
}
for sm in with without; do
  start_server "$sm" "rsa-$sm" rsa.key without/server.pem
  handshakes "$sm" "RSA file key, $sm server" without/ca.pem rsa
  stop_server
  start_server "$sm" "ec-$sm" ec.key without/server-ec.pem
  handshakes "$sm" "EC file key, $sm server" without/ca.pem ec
  stop_server
done
cat rsa-with.err ec-with.err >>with-stderr.log

# hwcloud was there (its init line) and did nothing else.
run_ok "hwcloud was loaded in the \"with\" runs" \
  grep -q "hwcloud.*initialised" with-stderr.log
if grep "^hwcloud\[" with-stderr.log | grep -v "OSSL_provider_init"; then
  fail "hwcloud logged an operation on file keys (lines above)"
fi
pass "no hwcloud operation in the debug log"
if grep -E "hwcloud:|hwc_" with-stderr.log; then
  fail "hwcloud raised an error on file keys (lines above)"
fi
pass "no hwcloud error"
expect_eq "the emulator saw no request" "$(emu_total)" 0

hwc_done
