#!/usr/bin/env bash
# kms:key/<id> as a private key whose signatures are made in KMS:
# pkeyutl and dgst signatures for RSA PKCS#1 v1.5, RSA-PSS, ECDSA P-256 and
# P-384 verify with the public key in a plain OpenSSL (no hwcloud), one
# sign request each; what KMS cannot do (no digest, a wrong-length input,
# SHA-1, other salts...) fails with a clear error before any sign request;
# a signature from KMS that does not verify never comes out, and raw r||s
# ECDSA answers come out as DER; CSRs, self-signed and CA-issued
# certificates and CMS are signed in KMS; pkey/storeutl -text, PEM output
# (the wrapped URI, never key material, readable back with uri_pem), DER
# output refused, -pubin unchanged; a load costs one describe-key and one
# get-publickey.
. "$(dirname "$0")/lib.sh"
hwc_setup
cd "$HWC_TEST_TMP" || exit 1

# OpenSSL without our provider: the independent verifier.
plain() {
  OPENSSL_CONF=/dev/null openssl "$@"
}
signs() {
  emu_count "POST /kms/sign"
}
loads() {
  echo "$(emu_count "POST /kms/describe-key") $(emu_count "POST /kms/get-publickey")"
}
# no_sign_request DESC PATTERN CMD...: fails with PATTERN, and no sign
# request reached the emulator.
no_sign_request() {
  local desc=$1 before
  before=$(signs)
  run_fail "$@"
  expect_eq "$desc: no sign request" "$(signs)" "$before"
}

printf 'the message KMS signs\n' > msg
for md in sha256 sha384 sha512; do
  plain dgst -"$md" -binary msg > "msg.$md"
done

# The public halves, through the store and from the emulator's own files.
for k in rsa2048 rsa3072 rsa4096 ec256 ec384; do
  var=EMU_KMS_${k^^}
  id=${!var}
  run_ok "$k: pkey -pubin -pubout" openssl pkey -pubin -in "kms:key/$id" \
    -pubout -out "$k.pub"
  run_ok "$k: same public key as the emulator's" \
    cmp "$k.pub" "$EMU_STATE_DIR/kms-$k.pub.pem"
done

# pkeyutl_sign NAME KEY MD [sigopts...]: sign the MD digest of msg in KMS,
# verify it with plain openssl; exactly one sign request.
pkeyutl_sign() {
  local name=$1 k=$2 md=$3 before
  shift 3
  local var=EMU_KMS_${k^^}
  before=$(signs)
  run_ok "$name: pkeyutl -sign" openssl pkeyutl -sign \
    -inkey "kms:key/${!var}" -pkeyopt "digest:$md" "$@" \
    -in "msg.$md" -out "$name.sig"
  expect_eq "$name: one sign request" "$(signs)" $((before + 1))
  run_ok "$name: verifies with the public key" plain pkeyutl -verify \
    -pubin -inkey "$k.pub" -pkeyopt "digest:$md" "$@" -in "msg.$md" \
    -sigfile "$name.sig"
  expect_in "$name: verified" "Signature Verified Successfully"
}

# dgst_sign NAME KEY MD [sigopts...]
dgst_sign() {
  local name=$1 k=$2 md=$3 before
  shift 3
  local var=EMU_KMS_${k^^} sigopts=()
  for o in "$@"; do sigopts+=(-sigopt "$o"); done
  before=$(signs)
  run_ok "$name: dgst -sign" openssl dgst "-$md" \
    -sign "kms:key/${!var}" "${sigopts[@]}" -out "$name.dsig" msg
  expect_eq "$name: one sign request" "$(signs)" $((before + 1))
  run_ok "$name: dgst -verify with the public key" plain dgst "-$md" \
    -verify "$k.pub" "${sigopts[@]}" -signature "$name.dsig" msg
  expect_in "$name: verified" "Verified OK"
}

# RSA PKCS#1 v1.5: every size, every digest KMS offers.
pkeyutl_sign rsa2048-pkcs1-sha256 rsa2048 sha256
pkeyutl_sign rsa2048-pkcs1-sha384 rsa2048 sha384
pkeyutl_sign rsa3072-pkcs1-sha512 rsa3072 sha512
pkeyutl_sign rsa4096-pkcs1-sha256 rsa4096 sha256
dgst_sign rsa2048-dgst-sha256 rsa2048 sha256
dgst_sign rsa3072-dgst-sha384 rsa3072 sha384
dgst_sign rsa4096-dgst-sha512 rsa4096 sha512
# PKCS#1 v1.5 is deterministic: pkeyutl over the digest and dgst over the
# message give the same bytes.
run_ok "PKCS#1: pkeyutl and dgst signatures are identical" \
  cmp rsa2048-pkcs1-sha256.sig rsa2048-dgst-sha256.dsig

# RSA-PSS, salt = digest length (what KMS does and TLS 1.3 needs).
pkeyutl_sign rsa2048-pss-sha256 rsa2048 sha256 -pkeyopt rsa_padding_mode:pss \
  -pkeyopt rsa_pss_saltlen:digest
dgst_sign rsa2048-pss-dgst-sha256 rsa2048 sha256 rsa_padding_mode:pss \
  rsa_pss_saltlen:digest
dgst_sign rsa3072-pss-dgst-sha384 rsa3072 sha384 rsa_padding_mode:pss \
  rsa_pss_saltlen:digest
dgst_sign rsa4096-pss-dgst-sha512 rsa4096 sha512 rsa_padding_mode:pss \
  rsa_pss_saltlen:digest
run_ok "PSS: the salt is as long as the digest (saltlen 32 verifies)" \
  plain dgst -sha256 -verify rsa2048.pub -sigopt rsa_padding_mode:pss \
  -sigopt rsa_pss_saltlen:32 -signature rsa2048-pss-dgst-sha256.dsig msg

# ECDSA: each curve with its digest.
pkeyutl_sign ec256-sha256 ec256 sha256
pkeyutl_sign ec384-sha384 ec384 sha384
dgst_sign ec256-dgst-sha256 ec256 sha256
dgst_sign ec384-dgst-sha384 ec384 sha384
run_ok "ECDSA: the signature is DER" plain asn1parse -inform DER \
  -in ec384-dgst-sha384.dsig
expect_in "ECDSA: DER SEQUENCE of two INTEGERs" "prim: INTEGER"

# What KMS cannot do fails here, clearly, with no sign request.
R=kms:key/$EMU_KMS_RSA2048
no_sign_request "pkeyutl -sign without a digest" \
  "set the digest \(e.g. -pkeyopt digest:sha256\)" \
  openssl pkeyutl -sign -inkey "$R" -in msg.sha256 -out x.sig
no_sign_request "pkeyutl -sign with a message, not a digest" \
  "input is [0-9]+ bytes, a SHA256 digest is 32 bytes" \
  openssl pkeyutl -sign -inkey "$R" -pkeyopt digest:sha256 -in msg \
  -out x.sig
no_sign_request "pkeyutl -sign with a SHA-384 digest declared SHA-256" \
  "input is 48 bytes, a SHA256 digest is 32 bytes" \
  openssl pkeyutl -sign -inkey "$R" -pkeyopt digest:sha256 -in msg.sha384 \
  -out x.sig
no_sign_request "EC: pkeyutl -sign without a digest" "set the digest" \
  openssl pkeyutl -sign -inkey "kms:key/$EMU_KMS_EC256" -in msg.sha256 \
  -out x.sig
no_sign_request "SHA-1 is refused" "KMS signs SHA-256, SHA-384 or SHA-512" \
  openssl dgst -sha1 -sign "$R" -out x.sig msg
no_sign_request "P-384 with SHA-256 is refused" \
  "384-bit EC key using SHA384 only" \
  openssl dgst -sha256 -sign "kms:key/$EMU_KMS_EC384" -out x.sig msg
no_sign_request "PSS with another salt length is refused" \
  "PSS salt as long as the digest" \
  openssl dgst -sha256 -sign "$R" -sigopt rsa_padding_mode:pss \
  -sigopt rsa_pss_saltlen:max -out x.sig msg
no_sign_request "raw RSA padding is refused" "PKCS#1 v1.5 or PSS only" \
  openssl pkeyutl -sign -inkey "$R" -pkeyopt rsa_padding_mode:none \
  -in msg.sha256 -out x.sig
no_sign_request "an ENCRYPT_DECRYPT key cannot sign" \
  "ENCRYPT_DECRYPT key: KMS cannot sign" \
  openssl dgst -sha256 -sign "kms:key/$EMU_KMS_RSA2048_ENC" -out x.sig msg

# Every signature KMS returns is checked with the public key before it
# is handed out: a wrong one fails loudly and never reaches a file.
# bad_sig NAME KEY BYTES: the next sign answer is BYTES random bytes.
bad_sig() {
  local name=$1 var=EMU_KMS_${2^^} n=$3 spec
  spec=$(python3 -c 'import base64, json, os, sys
body = {"key_id": sys.argv[1],
        "signature": base64.b64encode(os.urandom(int(sys.argv[2]))).decode()}
print(json.dumps({"match": "kms/sign", "action": "status", "status": 200,
                  "body": json.dumps(body)}))' "${!var}" "$n")
  emu_fault "$spec"
  rm -f bad.sig
  run_fail "$name: a signature that does not verify is refused" \
    "signature KMS returned for kms:key/${!var} does not verify" \
    openssl dgst -sha256 -sign "kms:key/${!var}" -out bad.sig msg
  if [ -s bad.sig ]; then
    fail "$name: the bad signature was written out"
  fi
  pass "$name: nothing written"
}
bad_sig "RSA (PKCS#1)" rsa2048 256
bad_sig "ECDSA (raw r||s)" ec256 64
# ECDSA answers in raw r||s (the real service's encoding is not
# documented) come out as DER: a real signature of the same digest,
# re-encoded as r||s, is injected as the next sign answer.
raw_ecdsa() {
  local name=$1 var=EMU_KMS_${2^^} md=$3 spec
  run_ok "$name: a DER signature from KMS" openssl pkeyutl -sign \
    -inkey "kms:key/${!var}" -pkeyopt "digest:$md" -in "msg.$md" \
    -out "$name.der"
  spec=$(python3 -c 'import base64, json, sys
der = open(sys.argv[1], "rb").read()
size = int(sys.argv[3])
def integer(b, i):
    assert b[i] == 2
    n = b[i + 1]
    return int.from_bytes(b[i + 2:i + 2 + n], "big"), i + 2 + n
assert der[0] == 0x30 and der[1] < 0x80
r, i = integer(der, 2)
s, _ = integer(der, i)
raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")
body = {"key_id": sys.argv[2], "signature": base64.b64encode(raw).decode()}
print(json.dumps({"match": "kms/sign", "action": "status", "status": 200,
                  "body": json.dumps(body)}))' "$name.der" "${!var}" "$4")
  emu_fault "$spec"
  run_ok "$name: KMS answers r||s" openssl pkeyutl -sign \
    -inkey "kms:key/${!var}" -pkeyopt "digest:$md" -in "msg.$md" \
    -out "$name.fromraw"
  run_ok "$name: the r||s answer comes out as the same DER" \
    cmp "$name.der" "$name.fromraw"
  run_ok "$name: and verifies" plain pkeyutl -verify -pubin -inkey "$2.pub" \
    -pkeyopt "digest:$md" -in "msg.$md" -sigfile "$name.fromraw"
}
raw_ecdsa "P-256 r||s" ec256 sha256 32
raw_ecdsa "P-384 r||s" ec384 sha384 48
emu_fault '{"match":"kms/sign","action":"status","status":400,"body":"{\"error\":{\"error_code\":\"KMS.0329\",\"error_msg\":\"The digest length does not match.\"}}"}'
run_fail "a KMS error answer is reported with its code" "KMS.0329" \
  openssl dgst -sha256 -sign "$R" -out x.sig msg

# CSRs and self-signed certificates signed in KMS.
for k in rsa2048 ec256 ec384; do
  var=EMU_KMS_${k^^}
  run_ok "$k: req -new" openssl req -new -key "kms:key/${!var}" \
    -subj "/CN=$k.example" -out "$k.csr"
  run_ok "$k: req -verify (plain openssl)" plain req -verify -noout \
    -in "$k.csr"
  expect_in "$k: CSR self-signature" "verify OK|self-signature ok"
  run_ok "$k: CSR carries the KMS public key" \
    bash -c "OPENSSL_CONF=/dev/null openssl req -in $k.csr -noout -pubkey | cmp - $k.pub"
  run_ok "$k: req -x509" openssl req -x509 -new -key "kms:key/${!var}" \
    -subj "/CN=$k.example" -days 2 -out "$k.crt"
  run_ok "$k: self-signed certificate verifies (plain openssl)" \
    plain verify -CAfile "$k.crt" "$k.crt"
done
run_ok "RSA-PSS CSR" openssl req -new -key "$R" -subj /CN=pss.example \
  -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -out pss.csr
run_ok "RSA-PSS CSR verifies" plain req -verify -noout -text -in pss.csr
expect_in "RSA-PSS CSR: rsassaPss" "rsassaPss"

# One-shot signing of a message (pkeyutl -rawin: EVP_DigestSign).
pkeyutl_rawin() {
  local name=$1 var=EMU_KMS_${2^^} md=$3 before
  before=$(signs)
  run_ok "$name: pkeyutl -sign -rawin -digest $md" openssl pkeyutl -sign \
    -rawin -digest "$md" -inkey "kms:key/${!var}" -in msg -out "$name.sig"
  expect_eq "$name: one sign request" "$(signs)" $((before + 1))
  run_ok "$name: verifies" plain pkeyutl -verify -rawin -digest "$md" \
    -pubin -inkey "$2.pub" -in msg -sigfile "$name.sig"
}
pkeyutl_rawin rawin-rsa rsa2048 sha512
pkeyutl_rawin rawin-ec384 ec384 sha384

# A private CA and a CMS signer in KMS: certificates signed with
# -CAkey kms:key/<id> and CMS SignedData verify in plain OpenSSL.
run_ok "leaf key and CSR (file)" plain req -new -newkey ec \
  -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -subj /CN=leaf \
  -out leaf.csr
for k in rsa2048 ec256 ec384; do
  var=EMU_KMS_${k^^}
  run_ok "$k: CA certificate" openssl req -x509 -new -key "kms:key/${!var}" \
    -subj "/CN=kms-ca-$k" -days 2 \
    -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,digitalSignature -out "ca-$k.crt"
  run_ok "$k: x509 -req -CAkey kms:" openssl x509 -req -in leaf.csr \
    -CA "ca-$k.crt" -CAkey "kms:key/${!var}" -set_serial 1 -days 2 \
    -out "leaf-$k.crt"
  run_ok "$k: the leaf verifies (plain openssl)" plain verify \
    -CAfile "ca-$k.crt" "leaf-$k.crt"
  run_ok "$k: cms -sign" openssl cms -sign -nodetach -binary -in msg \
    -signer "ca-$k.crt" -inkey "kms:key/${!var}" -outform DER \
    -out "msg-$k.cms"
  run_ok "$k: cms -verify (plain openssl)" plain cms -verify -binary \
    -inform DER -in "msg-$k.cms" -CAfile "ca-$k.crt" -purpose any \
    -out "msg-$k.out"
  run_ok "$k: CMS content" cmp msg "msg-$k.out"
done
run_ok "RSA-PSS: x509 -req -CAkey kms:" openssl x509 -req -in leaf.csr \
  -CA ca-rsa2048.crt -CAkey "$R" -set_serial 2 -days 2 \
  -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest \
  -out leaf-pss.crt
run_ok "RSA-PSS: the leaf verifies" plain verify -CAfile ca-rsa2048.crt \
  leaf-pss.crt
run_ok "RSA-PSS: cms -sign" openssl cms -sign -nodetach -binary -in msg \
  -signer ca-rsa2048.crt -inkey "$R" -keyopt rsa_padding_mode:pss \
  -outform DER -out msg-pss.cms
run_ok "RSA-PSS: cms -verify" plain cms -verify -binary -inform DER \
  -in msg-pss.cms -CAfile ca-rsa2048.crt -purpose any -out /dev/null

# pkey -text: the public part and where the private part is.
run_ok "pkey -text (RSA)" openssl pkey -in "$R" -text -noout
expect_in "pkey -text: bits" "Public-Key: \(2048 bit\)"
expect_in "pkey -text: modulus" "Modulus:"
expect_in "pkey -text: held in KMS" "held in Huawei Cloud KMS"
run_ok "pkey -text (EC)" openssl pkey -in "kms:key/$EMU_KMS_EC256" -text -noout
expect_in "pkey -text: curve" "P-256|prime256v1"
expect_in "pkey -text: EC held in KMS" "held in Huawei Cloud KMS"

run_ok "storeutl -text" openssl storeutl -text "kms:key/$EMU_KMS_EC384"
expect_in "storeutl -text: a private key" "^0: Pkey"
expect_in "storeutl -text: the public part" "NIST CURVE: P-384"
expect_in "storeutl -text: held in KMS" "held in Huawei Cloud KMS"

# PEM output: the wrapped URI, no key material.
run_ok "pkey -out key.pem" openssl pkey -in "$R" -out key.pem
run_ok "key.pem is a PEM-wrapped URI" grep -q -- \
  "-----BEGIN HWCLOUD PROVIDER URI-----" key.pem
if grep -q "PRIVATE KEY" key.pem; then
  fail "key.pem holds a private key block"
fi
pass "key.pem holds no PRIVATE KEY block"
run_ok "key.pem body" plain asn1parse -in <(sed 's/HWCLOUD PROVIDER URI/X/' key.pem)
expect_in "key.pem: version tag" "VISIBLESTRING +:hwcloud-provider-uri-v1"
expect_in "key.pem: the URI" "UTF8STRING +:$R\$"
run_ok "pkey -out (EC)" openssl pkey -in "kms:key/$EMU_KMS_EC256" -out ec.pem
run_ok "EC key.pem is a PEM-wrapped URI" grep -q -- \
  "-----BEGIN HWCLOUD PROVIDER URI-----" ec.pem
# The PEM-wrapped URI reads back (uri_pem = yes) as the same KMS key.
hwc_write_conf "uri_pem = yes"
run_ok "key.pem reads back (uri_pem = yes)" openssl dgst -sha256 \
  -sign ec.pem -out pem.sig msg
run_ok "the signature from key.pem verifies" plain dgst -sha256 \
  -verify ec256.pub -signature pem.sig msg
hwc_write_conf
run_fail "pkey -outform DER is refused" "a KMS key has no DER form" \
  openssl pkey -in "$R" -outform DER -out key.der
run_ok "pkey -pubin still gives the public key" openssl pkey -pubin -in "$R"
expect_in "pkey -pubin: PUBLIC KEY block" "BEGIN PUBLIC KEY"
if grep -q "HWCLOUD PROVIDER URI" <<<"$OUT"; then
  fail "pkey -pubin wrote the URI"
fi
pass "pkey -pubin writes no URI block"

# Cost: loading costs one describe-key and one get-publickey, a signature
# one sign; nothing else.
emu_reset
run_ok "cost: one dgst -sign" openssl dgst -sha256 -sign "$R" -out x.sig msg
expect_eq "cost: describe-key, get-publickey" "$(loads)" "1 1"
expect_eq "cost: one sign" "$(signs)" 1
expect_eq "cost: nothing else" "$(emu_total)" 3

hwc_done
