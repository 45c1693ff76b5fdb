#!/usr/bin/env bash
# Answers as the real services may legally give them, read as the SDKs read
# them: JSON null as absent; decrypt-data without plain_text_base64; a
# metadata service that answers 503 to the session-token PUT; aliases of
# the alias API; SECP256K1 and SM2 keys; PSS signatures with another salt
# length; SCM's list within its offset cap (and past it); and Open Telekom
# Cloud, whose KMS has no key_spec in list-keys and documents no asymmetric
# decryption.
. "$(dirname "$0")/lib.sh"
hwc_setup
cd "$HWC_TEST_TMP" || exit 1
plain() { OPENSSL_CONF=/dev/null openssl "$@"; }
OAEP=(-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256
  -pkeyopt rsa_mgf1_md:sha256)

# --- JSON null is absent ---------------------------------------------------
emu_reset
emu_fault '{"match":"","action":"nulls","count":-1}'
run_ok "nulls: describe-key and the key" openssl pkey -pubin -noout -in "kms:key/$EMU_KMS_EC256"
run_ok "nulls: list-keys" openssl storeutl kms:key/
expect_in "nulls: every key listed" "kms:key/$EMU_KMS_RSA2048"
run_ok "nulls: SCM list" openssl storeutl scm:cert/
expect_in "nulls: certificates listed" "scm:cert/$EMU_SCM_RSA"
run_ok "nulls: keystore list" openssl storeutl kms:keystore/
expect_in "nulls: the keystore" "kms:keystore/$EMU_KMS_KEYSTORE"
run_ok "nulls: SCM export" openssl storeutl -noout "scm:cert/$EMU_SCM_EC"
run_ok "nulls: an alias through the alias API" openssl pkey -pubin -noout \
  -in "kms:alias/$EMU_KMS_API_ALIAS"
expect_eq "nulls: every answer had its nulls" \
  "$(emu_stats | python3 -c 'import json,sys; print(sum(1 for e in json.load(sys.stdin)["log"] if e["status"] != 200))')" 0
emu_reset

# --- decrypt-data without plain_text_base64 --------------------------------
plain pkey -pubin -in "$EMU_STATE_DIR/kms-rsa2048_enc.pub.pem" -out enc.pub
emu_fault '{"match":"kms/decrypt-data","action":"drop_fields","fields":["plain_text_base64"]}'
printf 'ascii plaintext, as plain_text carries it\n' >pt
plain pkeyutl -encrypt -pubin -inkey enc.pub "${OAEP[@]}" -in pt -out ct
run_ok "decrypt-data answered with plain_text only" openssl pkeyutl -decrypt \
  -inkey "kms:key/$EMU_KMS_RSA2048_ENC" "${OAEP[@]}" -in ct -out out
run_ok "the plaintext from plain_text" cmp pt out
expect_eq "one decrypt request" "$(emu_count "POST /kms/decrypt-data")" 1

# --- metadata: 503 on the session-token PUT means "none needed" ------------
emu_reset
emu_fault '{"match":"PUT /meta-data/latest/api/token","action":"no_session_token","count":-1}'
run_ok "metadata service without session tokens (PUT answers 503)" \
  env -u HWCLOUD_TOKEN HWCLOUD_AUTH=metadata HWCLOUD_METADATA_ENDPOINT="$EMU_HTTP_URL" \
  openssl pkey -pubin -noout -in "kms:key/$EMU_KMS_RSA2048"
emu_stats | python3 -c '
import json, sys
log = json.load(sys.stdin)["log"]
put = [e for e in log if e["method"] == "PUT"]
key = [e for e in log if e["path"] == "/openstack/latest/securitykey"]
assert [e["status"] for e in put] == [503], put
assert key and all(e["status"] == 200 and "x-metadata-token" not in e["headers"] for e in key), key
' || fail "503 on the PUT: the security key was not asked without a token"
pass "503 on the PUT: the security key is asked once, without a session token"
emu_reset

# --- KMS aliases of the alias API -------------------------------------------
run_ok "kms:alias/ of the alias API" openssl pkey -pubin -noout -text \
  -in "kms:alias/$EMU_KMS_API_ALIAS"
expect_in "the aliased key (EC P-384)" "NIST CURVE: P-384"
expect_eq "resolved by GET /kms/aliases, no list-keys" \
  "$(emu_count "GET /kms/aliases") $(emu_count "POST /kms/list-keys")" "1 0"
emu_reset
run_ok "kms:alias/ of key_alias (not in the alias API)" openssl pkey -pubin \
  -noout -in "kms:alias/$EMU_KMS_ALIAS"
expect_eq "alias API first, then list-keys" \
  "$(emu_count "GET /kms/aliases") $(( $(emu_count "POST /kms/list-keys") > 0 ))" "1 1"
run_fail "an alias nobody has" "no asymmetric key has the alias nope-nope" \
  openssl pkey -pubin -noout -in kms:alias/nope-nope

# --- key specs KMS also creates: SECP256K1 and SM2 -------------------------
printf 'signed in KMS\n' >msg
run_ok "SM2: the public key loads" openssl pkey -pubin -noout -text -in "kms:key/$EMU_KMS_SM2"
expect_in "SM2: an SM2 key" "ASN1 OID: SM2"
emu_reset
run_ok "SM2: SM3 signature in KMS (SM2DSA_SM3)" openssl dgst -sm3 \
  -sign "kms:key/$EMU_KMS_SM2" -out sm2.sig msg
expect_eq "SM2: one sign request" "$(emu_count "POST /kms/sign")" 1
run_ok "SM2: OpenSSL verifies it with the default distinguishing id" plain dgst -sm3 \
  -verify "$EMU_STATE_DIR/kms-sm2.pub.pem" -sigopt distid:1234567812345678 \
  -signature sm2.sig msg
run_fail "SM2 with SHA-256: refused before any request" "SM2 keys using SM3 only" \
  openssl dgst -sha256 -sign "kms:key/$EMU_KMS_SM2" -out x.sig msg
expect_eq "SM2 with SHA-256: no sign request" "$(emu_count "POST /kms/sign")" 1
run_ok "SECP256K1: ECDSA signature in KMS" openssl dgst -sha256 \
  -sign "kms:key/$EMU_KMS_SECP256K1" -out k1.sig msg
run_ok "SECP256K1: verifies with the public key" plain dgst -sha256 \
  -verify "$EMU_STATE_DIR/kms-secp256k1.pub.pem" -signature k1.sig msg
run_fail "a symmetric key: an error naming the spec" \
  "key spec AES_256 is not an RSA, EC, SECP256K1 or SM2 key pair" \
  openssl pkey -pubin -noout -in "kms:key/$EMU_KMS_AES"
run_ok "kms:key/ lists SM2 and SECP256K1 keys" openssl storeutl kms:key/
expect_in "the SM2 key listed" "kms:key/$EMU_KMS_SM2"
expect_in "the SECP256K1 key listed" "kms:key/$EMU_KMS_SECP256K1"

# --- a KMS whose PSS salt is not the digest's length ------------------------
emu_stop
emu_start --pss-salt max
hwc_write_conf
export HWCLOUD_TOKEN=$EMU_TOKEN
run_ok "PSS with another salt convention: the signature is taken" openssl dgst \
  -sha256 -sign "kms:key/$EMU_KMS_RSA2048" -sigopt rsa_padding_mode:pss \
  -out pss.sig msg
run_ok "it verifies with an automatic salt length" plain dgst -sha256 \
  -verify "$EMU_STATE_DIR/kms-rsa2048.pub.pem" -sigopt rsa_padding_mode:pss \
  -sigopt rsa_pss_saltlen:auto -signature pss.sig msg
run_fail "its salt is not the digest's length" "Verification failure" \
  plain dgst -sha256 -verify "$EMU_STATE_DIR/kms-rsa2048.pub.pem" \
  -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest \
  -signature pss.sig msg

# --- SCM: 200 certificates, the list stops at offset 100 --------------------
emu_stop
emu_start --extra-certs 200
hwc_write_conf
export HWCLOUD_TOKEN=$EMU_TOKEN
run_fail "scm:cert/ with 212 certificates: listed up to the cap, then an error" \
  "listed 150 of 2[0-9][0-9] certificates; SCM's ListCertificates pages no further" \
  openssl storeutl scm:cert/
expect_eq "the first 150 names were listed" "$(grep -c 'Name: scm:cert/' <<<"$OUT")" 150
emu_stats | python3 -c '
import json, sys
log = [e for e in json.load(sys.stdin)["log"] if e["path"] == "/v3/scm/certificates"]
offs = sorted(int(dict(p.split("=") for p in e["query"].split("&"))["offset"]) for e in log)
assert offs == [0, 50, 100], offs
assert all(e["status"] == 200 for e in log)
' || fail "SCM was asked past offset 100"
pass "SCM asked at offsets 0, 50, 100 only, limit 50"
emu_reset
run_ok "scm:name/ of certificate 180 (past the cap): found with content=" \
  openssl storeutl -noout scm:name/emu-extra-cert-180
expect_eq "one list request, narrowed by content" \
  "$(emu_stats | python3 -c 'import json,sys; l=[e["query"] for e in json.load(sys.stdin)["log"] if e["path"]=="/v3/scm/certificates"]; print(len(l), all("content=emu-extra-cert-180" in q for q in l))')" "1 True"
emu_reset
run_ok "-alias on scm:cert/ uses content= too" openssl storeutl -alias emu-extra-cert-199 scm:cert/
expect_in "the certificate past the cap" "Name: scm:cert/"
expect_eq "-alias: one list request" "$(emu_count "GET /v3/scm/certificates")" 1

# --- Open Telekom Cloud -----------------------------------------------------
emu_stop
emu_start --cloud otc
hwc_write_conf "cloud = otc"
export HWCLOUD_TOKEN=$EMU_TOKEN
run_ok "OTC: kms:key/ lists without key_spec" openssl storeutl kms:key/
expect_in "OTC: the asymmetric keys" "kms:key/$EMU_KMS_RSA2048"
run_ok "OTC: kms:alias/ from key_alias, no alias API" openssl pkey -pubin -noout \
  -in "kms:alias/$EMU_KMS_ALIAS"
expect_eq "OTC: no GET /kms/aliases" "$(emu_count "GET /kms/aliases")" 0
plain pkey -pubin -in "$EMU_STATE_DIR/kms-rsa2048_enc.pub.pem" -out enc.pub
plain pkeyutl -encrypt -pubin -inkey enc.pub "${OAEP[@]}" -in pt -out ct
run_fail "OTC: asymmetric decrypt gets an error that says why" \
  "Open Telekom Cloud documents no asymmetric decryption in KMS" \
  openssl pkeyutl -decrypt -inkey "kms:key/$EMU_KMS_RSA2048_ENC" "${OAEP[@]}" -in ct -out out
expect_in "OTC: the service's refusal is shown too" "KMS.0325"

hwc_done
