#!/usr/bin/env bash
# PEM-wrapped URIs (and their DER form) as key files: with uri_pem off
# (the default) hwcloud offers no decoder at all, so they fail as any file
# libcrypto cannot decode, and nothing else of hwcloud's is offered until
# a KMS key is loaded; with it on, the same key as the URI itself
# through openssl pkey (the file: store), s_server -key and Python's ssl
# module (PEM_read_bio_PrivateKey); ordinary key files are unaffected.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers_lib.sh"

SRV_PID=""
stop_server() {
  [ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null
  return 0
}
trap stop_server EXIT

servers_setup
T=$HWC_TEST_TMP
RSA=kms:key/$EMU_KMS_RSA2048
EC=kms:key/$EMU_KMS_EC256
SCM=scm:cert/$EMU_SCM_RSA

run_ok "uri2pem kms RSA" "$HWC_TOOL" uri2pem "$RSA" -o "$T/rsa.pem"
run_ok "uri2pem kms EC" "$HWC_TOOL" uri2pem "$EC" -o "$T/ec.pem"
run_ok "uri2pem scm" "$HWC_TOOL" uri2pem "$SCM" -o "$T/scm.pem"
run_ok "uri2pem --der" "$HWC_TOOL" uri2pem "$RSA" --der -o "$T/rsa.der"
kms_cert "$EMU_KMS_RSA2048" kms.example.com

# --- uri_pem off (the default) ---------------------------------------
# Every decoder a provider offers makes every decode of every program
# longer, so with uri_pem off hwcloud offers none: a wrapped URI is then
# a file libcrypto cannot decode (docs/troubleshooting.md says what to set).
emu_reset
NODEC="No supported data to decode|unsupported"
run_fail "off: openssl pkey cannot decode it (kms)" "$NODEC" \
  openssl pkey -in "$T/rsa.pem" -noout
run_fail "off: openssl pkey cannot decode it (scm)" "$NODEC" \
  openssl pkey -in "$T/scm.pem" -noout
run_fail "off: nor the DER form" "$NODEC|Could not read" \
  openssl pkey -inform DER -in "$T/rsa.der" -noout
run_fail "off: s_server -key refuses it" "$NODEC|Could not read" \
  openssl s_server -key "$T/rsa.pem" -cert "$ETC/kms.example.com.crt" \
  -accept "127.0.0.1:$(free_port)" -naccept 1
expect_eq "off: no request reached the cloud" "$(emu_total)" 0
expect_eq "off: no decoder registered" \
  "$(openssl list -decoders | grep -c '@ hwcloud' || true)" 0
# The remote-key algorithms appear with the first KMS key, not before.
run_ok "off: what hwcloud offers around a KMS key" \
  "$HWC_BUILD_DIR/tests/integration/helpers/offered" "$RSA"
expect_in "off: nothing before a KMS key is loaded" \
  "before: keymgmt=0 signature=0 asym_cipher=0 encoder=0 decoder=0"
expect_in "off: keymgmt, signature, cipher and encoders after it" \
  "after: keymgmt=[1-9][0-9]* signature=[1-9][0-9]* asym_cipher=[1-9][0-9]* encoder=[1-9][0-9]* decoder=0"

# --- uri_pem on ---------------------------------------------------------
hwc_write_conf "uri_pem = yes"
expect_eq "on: the URI and hand-off decoders" \
  "$(openssl list -decoders | grep -c '@ hwcloud')" 5
run_ok "on: what hwcloud offers from the start" \
  "$HWC_BUILD_DIR/tests/integration/helpers/offered" "$RSA"
expect_in "on: everything before any KMS key" \
  "before: keymgmt=[1-9][0-9]* signature=[1-9][0-9]* asym_cipher=[1-9][0-9]* encoder=[1-9][0-9]* decoder=5"
# A certificate's public key is decoded without the hand-off decoders
# (RSA, EC, SM2): a wrapped URI only ever gives a private key, so they
# declare that selection only; a private-key decode has all five.
counts=$("$HWC_BUILD_DIR/tests/integration/helpers/decoder_chain")
pub=$(echo "$counts" | sed -n 's/^public: default=\([0-9]*\) conf=\([0-9]*\)$/\2 - \1/p')
priv=$(echo "$counts" | sed -n 's/^private: default=\([0-9]*\) conf=\([0-9]*\)$/\2 - \1/p')
[ -n "$pub" ] && [ -n "$priv" ] || fail "decoder_chain: $counts"
expect_eq "on: all five in a private-key decode" "$((priv))" 5
expect_eq "on: no hand-off decoder in a public-key decode ($counts)" \
  "$((pub <= priv - 3))" 1
same_key() {
  local name=$1 file=$2 uri=$3 a b
  shift 3
  a=$(openssl pkey "$@" -in "$file" -pubout 2>&1) || fail "$name: $a"
  b=$(openssl pkey -in "$uri" -pubout 2>&1) || fail "$name (URI): $b"
  expect_eq "$name: same key as the URI" "$a" "$b"
}
same_key "kms RSA" "$T/rsa.pem" "$RSA"
same_key "kms EC" "$T/ec.pem" "$EC"
same_key "scm" "$T/scm.pem" "$SCM"
same_key "DER form" "$T/rsa.der" "$RSA" -inform DER
run_ok "uri2pem kms alias" "$HWC_TOOL" uri2pem "kms:alias/$EMU_KMS_ALIAS" -o "$T/alias.pem"
same_key "kms alias" "$T/alias.pem" "kms:alias/$EMU_KMS_ALIAS"

run_ok "pkey -noout (kms)" openssl pkey -in "$T/rsa.pem" -noout
run_ok "scm key is a private key" openssl pkey -in "$T/scm.pem" -noout -text
expect_in "scm: private key material" "Private-Key: \(2048 bit"

# A wrapped URI made independently of the tool (which refuses dcs:).
wrap_py() {
  python3 - "$1" <<'PY'
import base64, sys, textwrap
u, m = sys.argv[1].encode(), b"hwcloud-provider-uri-v1"
body = bytes([0x1a, len(m)]) + m + bytes([0x0c, len(u)]) + u
der = bytes([0x30, len(body)]) + body
print("-----BEGIN HWCLOUD PROVIDER URI-----")
print("\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64)))
print("-----END HWCLOUD PROVIDER URI-----")
PY
}
wrap_py "kms:key/00000000-0000-0000-0000-000000000000" > "$T/none.pem"
run_fail "unknown KMS key: the service's error" "HTTP 404 KMS.0207" \
  openssl pkey -in "$T/none.pem" -noout
wrap_py "dcs:ssl/$EMU_DCS_PEM" > "$T/dcs.pem"
run_fail "dcs:ssl names no private key" "names no private key" \
  openssl pkey -in "$T/dcs.pem" -noout
wrap_py "kms:key/" > "$T/listing.pem"
run_fail "a listing URI is not a key" "is a listing, not a key" \
  openssl pkey -in "$T/listing.pem" -noout
wrap_py "$SCM" > "$T/scm-py.pem"
expect_eq "the tool writes the documented format" "$(cat "$T/scm-py.pem")" "$(cat "$T/scm.pem")"
sed 's/^MEca/MEcb/' "$T/rsa.pem" > "$T/corrupt.pem"
run_fail "corrupt block: says what is wrong" "wrapped URI: " \
  openssl pkey -in "$T/corrupt.pem" -noout

# s_server -key FILE: a verified handshake, signed by KMS once.
tls_once() {
  local name=$1 key=$2 cert=$3 ca=$4 port log
  port=$(free_port)
  log=$T/s_server.$name.log
  openssl s_server -accept "127.0.0.1:$port" -naccept 1 -key "$key" \
    -cert "$cert" -cert_chain "$cert" -www >"$log" 2>&1 &
  SRV_PID=$!
  for _ in $(seq 1 100); do grep -q ACCEPT "$log" && break; sleep 0.1; done
  grep -q ACCEPT "$log" || { cat "$log" >&2; fail "$name: s_server did not start"; }
  OUT=$(echo | openssl s_client -connect "127.0.0.1:$port" -CAfile "$ca" \
    -verify_return_error 2>&1) || true
  wait "$SRV_PID" 2>/dev/null || true
  SRV_PID=""
  grep -q "Verify return code: 0 (ok)" <<<"$OUT" ||
    { echo "$OUT" >&2; cat "$log" >&2; fail "$name: handshake failed"; }
  pass "$name: s_server -key FILE serves a verified handshake"
}
"$HWC_TOOL" export "$SCM" -o "$T/scm-chain.pem" >/dev/null
emu_reset
tls_once scm "$T/scm.pem" "$T/scm-chain.pem" "$EMU_SCM_ROOT"
expect_eq "scm: no KMS signature" "$(signs)" 0
tls_once kms "$T/rsa.pem" "$ETC/kms.example.com.crt" "$ETC/test-ca.pem"
expect_eq "kms: one KMS sign for the handshake" "$(signs)" 1

# PEM_read_bio_PrivateKey (what nginx, HAProxy, Apache and curl call).
py_load() {
  python3 -c 'import ssl,sys; ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(sys.argv[1], sys.argv[2])' "$@"
}
run_ok "PEM_read_bio_PrivateKey: scm key file" py_load "$T/scm-chain.pem" "$T/scm.pem"
run_ok "PEM_read_bio_PrivateKey: kms key file" py_load "$ETC/kms.example.com.crt" "$T/rsa.pem"
cat "$ETC/kms.example.com.crt" "$T/rsa.pem" > "$T/combined.pem"
run_ok "PEM_read_bio_PrivateKey: certificate and key in one file" \
  py_load "$T/combined.pem" "$T/combined.pem"

# Ordinary key files still load with the decoder in the chain.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/plain.pem" 2>/dev/null
openssl pkey -in "$T/plain.pem" -aes256 -passout pass:secret -out "$T/enc.pem"
run_ok "plain PEM key" openssl pkey -in "$T/plain.pem" -noout
run_ok "encrypted PEM key" openssl pkey -in "$T/enc.pem" -passin pass:secret -noout
openssl pkey -in "$T/plain.pem" -outform DER -out "$T/plain.der"
run_ok "plain DER key" openssl pkey -inform DER -in "$T/plain.der" -noout

hwc_done
