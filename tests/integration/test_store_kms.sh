#!/usr/bin/env bash
# kms:key/<id> public keys: every key spec, the documented PKCS#1-in-SPKI
# example, key states.
. "$(dirname "$0")/lib.sh"
hwc_setup

check_pub() {
  local id=$1 want=$2 name=$3
  run_ok "$name: pkey -pubin" openssl pkey -pubin -in "kms:key/$id" -noout -text
  expect_in "$name: $want" "$want"
}
check_pub "$EMU_KMS_RSA2048" "Public-Key: \(2048 bit\)" RSA2048
check_pub "$EMU_KMS_RSA3072" "Public-Key: \(3072 bit\)" RSA3072
check_pub "$EMU_KMS_RSA4096" "Public-Key: \(4096 bit\)" RSA4096
check_pub "$EMU_KMS_EC256" "P-256|prime256v1" EC256
check_pub "$EMU_KMS_EC384" "P-384|secp384r1" EC384
check_pub "$EMU_KMS_DOCEXAMPLE" "Public-Key: \(4096 bit\)" "documented example"

run_fail "disabled key is refused" "key is disabled" \
  openssl pkey -pubin -in "kms:key/$EMU_KMS_DISABLED" -noout
run_fail "pending-deletion key is refused" "pending deletion" \
  openssl pkey -pubin -in "kms:key/$EMU_KMS_PENDING_DELETE" -noout
run_fail "symmetric key is refused" "key spec AES_256 is not an RSA, EC, SECP256K1 or SM2 key pair" \
  openssl pkey -pubin -in "kms:key/$EMU_KMS_AES" -noout
run_fail "unknown key: KMS 404 with its code" "HTTP 404 KMS.0207" \
  openssl pkey -pubin -in "kms:key/00000000-0000-0000-0000-000000000000" -noout

n=$(emu_count "POST /v1.0/$EMU_PROJECT_ID/kms/get-publickey")
[ "$n" -ge 6 ] || fail "expected get-publickey requests in the emulator log, got $n"
pass "requests reached the emulator ($n get-publickey)"

hwc_done
