#!/usr/bin/env bash
# Listing URIs, aliases and searches: kms:key/ across pages (no symmetric
# key), kms:keystore/[<id>], scm:cert/, -alias and -subject searches,
# kms:alias/ and scm:name/, and one request per page (emulator counters).
. "$(dirname "$0")/lib.sh"
emu_start --extra-keys 400
hwc_write_conf
export HWCLOUD_TOKEN=$EMU_TOKEN
KMS="/v1.0/$EMU_PROJECT_ID/kms"

# What the emulator holds, asked directly (the truth to compare with).
all_keys=$(emu_curl -X POST "$EMU_URL$KMS/list-keys" \
  -d '{"limit":"2000","key_spec":"ALL"}')
asym='("RSA_", "EC_", "SM2", "SECP256K1")'
n_asym=$(python3 -c 'import json,sys; d=json.load(sys.stdin)["key_details"]; print(sum(1 for k in d if k["key_spec"].startswith('"$asym"')))' <<<"$all_keys")
n_sym=$(python3 -c 'import json,sys; d=json.load(sys.stdin)["key_details"]; print(sum(1 for k in d if not k["key_spec"].startswith('"$asym"')))' <<<"$all_keys")
[ "$n_asym" -gt 200 ] || fail "fixture too small: $n_asym asymmetric keys"
[ "$n_sym" -ge 1 ] || fail "fixture lacks symmetric keys"
pass "emulator holds $n_asym asymmetric and $n_sym symmetric keys"

emu_reset
run_ok "kms:key/ lists" openssl storeutl kms:key/
expect_in "every asymmetric key" "Total found: $n_asym\$"
pages=$(emu_count "$KMS/list-keys")
[ "$pages" -ge 3 ] || fail "expected at least 3 pages, got $pages"
expect_eq "one request per page of 100" "$pages" "$(( (n_asym + n_sym + 99) / 100 ))"
expect_eq "no request per item" "$(emu_count describe-key)" "0"
if grep -q "$EMU_KMS_AES" <<<"$OUT"; then fail "a symmetric key was listed"; fi
pass "no symmetric key listed"
expect_in "descriptions" "alias=my-tls-key spec=RSA_2048 usage=SIGN_VERIFY state=enabled"

run_ok "-alias names the right key" openssl storeutl -alias my-tls-key kms:key/
expect_in "alias -> key" "Name: kms:key/$EMU_KMS_RSA2048"
expect_in "exactly one" "Total found: 1"

# -r follows each name with the same -alias: the key itself has the alias.
run_ok "-r -alias loads the key" openssl storeutl -r -alias my-tls-key kms:key/
expect_in "-r -alias: the key's name" "Name: kms:key/$EMU_KMS_RSA2048"
expect_in "-r -alias: the key itself" "^  0: Pkey"
expect_in "-r -alias: found in the followed name" "^  Total found: 1"
# storeutl's whole output when nothing matched: "Total found: 0" from
# OpenSSL 3.0, nothing at all from 3.5 (which opens its output only for the
# first object). Anything else (an object, an error line) fails.
expect_nothing_found() {
  [ "$OUT" = "Total found: 0" ] || [ -z "$OUT" ] ||
    fail "$1: expected no object and no error line, got: $OUT"
  pass "$1"
}
run_ok "-alias on one key that has it" openssl storeutl -alias my-tls-key "kms:key/$EMU_KMS_RSA2048"
expect_in "the key" "Total found: 1"
run_ok "-alias on one key that lacks it" openssl storeutl -alias emu-ec256 "kms:key/$EMU_KMS_RSA2048"
expect_nothing_found "nothing"
[ "$(grep -c error <<<"$OUT")" = 0 ] || fail "-alias mismatch raised errors: $OUT"
pass "-alias mismatch: no error"
run_ok "-r -alias on scm:cert/" openssl storeutl -r -certs -alias www-example-com scm:cert/
expect_in "-r -alias scm: the certificate's name" "Name: scm:cert/$EMU_SCM_RSA"
expect_in "-r -alias scm: its chain" "^  Total found: 3"

run_ok "kms:keystore/ lists keystores" openssl storeutl kms:keystore/
expect_in "the fixture keystore" "Name: kms:keystore/$EMU_KMS_KEYSTORE"
run_ok "kms:keystore/<id> lists its keys" openssl storeutl "kms:keystore/$EMU_KMS_KEYSTORE"
expect_in "exactly that keystore's keys" "Total found: $EMU_KMS_KEYSTORE_KEYS\$"

n_certs=$(emu_curl "$EMU_URL/v3/scm/certificates?limit=50&offset=0" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_count"])')
emu_reset
run_ok "scm:cert/ lists" openssl storeutl scm:cert/
expect_in "every certificate" "Total found: $n_certs\$"
expect_in "certificate description" "name=.* domain=.* expires=.* status="
expect_eq "one request per page of 50" "$(emu_count 'GET /v3/scm/certificates')" "$(( (n_certs + 49) / 50 ))"
expect_eq "no export while listing" "$(emu_count /export)" "0"

SUBJ="/C=DE/O=hwc-emulator/CN=www.example.com"
emu_reset
run_ok "subject search on scm:cert/" openssl storeutl -r -certs -subject "$SUBJ" scm:cert/
expect_in "finds the certificate" "Subject: C ?= ?DE, O ?= ?hwc-emulator, CN ?= ?www.example.com|Certificate"
if grep -qE "Intermediate|Root CA|ec.example.com" <<<"$OUT"; then
  fail "subject search returned other certificates"
fi
pass "no certificate with another subject"
n_exp=$(emu_count /export)
[ "$n_exp" -lt "$n_certs" ] || fail "subject search exported every certificate ($n_exp)"
pass "only candidates exported ($n_exp of $n_certs)"

# A subject search that matches nothing prints nothing but the count.
for uri in "scm:cert/$EMU_SCM_RSA" "kms:key/$EMU_KMS_RSA2048" "dcs:ssl/$EMU_DCS_ZIP" scm:cert/; do
  run_ok "subject search without a match on $uri" openssl storeutl -subject /CN=nomatch "$uri"
  expect_nothing_found "$uri: no match, and no error line"
done

emu_fault '{"match":"/export","action":"status","status":500,"count":1}'
run_ok "a candidate that fails does not hide the others" \
  openssl storeutl -subject "$SUBJ" scm:cert/
expect_in "still found" "Name: scm:cert/"
emu_reset

run_ok "kms:alias/ behaves like kms:key/" openssl pkey -pubin -noout -text -in kms:alias/my-tls-key
expect_in "the aliased key" "Public-Key: \(2048 bit\)"
printf 'signed through an alias\n' > "$HWC_TEST_TMP/msg"
run_ok "kms:alias/ signs in KMS" openssl dgst -sha256 -sign kms:alias/my-tls-key \
  -out "$HWC_TEST_TMP/sig" "$HWC_TEST_TMP/msg"
openssl pkey -pubin -in "kms:key/$EMU_KMS_RSA2048" -pubout -out "$HWC_TEST_TMP/pub.pem" 2>/dev/null
run_ok "the signature verifies with the aliased key" openssl dgst -sha256 \
  -verify "$HWC_TEST_TMP/pub.pem" -signature "$HWC_TEST_TMP/sig" "$HWC_TEST_TMP/msg"
run_fail "unknown alias" "no asymmetric key has the alias nope" \
  openssl pkey -pubin -noout -in kms:alias/nope
run_ok "scm:name/ behaves like scm:cert/" openssl x509 -noout -subject -in scm:name/www-example-com
expect_in "the named certificate" "CN ?= ?www.example.com"
run_fail "unknown name" "no certificate is named nope" openssl x509 -noout -in scm:name/nope

hwc_done
