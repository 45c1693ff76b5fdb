#!/usr/bin/env bash
# codearts:keystore/<file>: JKS, JCEKS, PKCS#12 (modern and legacy) and PEM
# keystores made by keytool and openssl, whatever their names say; the
# password through -passin; wrong passwords and tampered files.
. "$(dirname "$0")/lib.sh"
hwc_setup
FIX=$HWC_SOURCE_DIR/tests/fixtures/keystores
mkdir -p "$EMU_CODEARTS_DIR"
# Names as users give them: the content decides the format, not the name.
cp "$FIX/store.jks" "$EMU_CODEARTS_DIR/android.keystore"
cp "$FIX/store.jceks" "$EMU_CODEARTS_DIR/release.jks"
cp "$FIX/store.p12" "$EMU_CODEARTS_DIR/upload.keystore"
cp "$FIX/legacy.p12" "$EMU_CODEARTS_DIR/legacy.p12"
cp "$FIX/modern.p12" "$EMU_CODEARTS_DIR/modern.p12"
cp "$FIX/ec-bundle.pem" "$EMU_CODEARTS_DIR/signing.pem"
cp "$FIX/tampered.jks" "$EMU_CODEARTS_DIR/tampered.jks"
cp "$FIX/keypass.jks" "$EMU_CODEARTS_DIR/keypass.jks"

check_store() { # file keys certs
  run_ok "$1 loads" openssl storeutl -passin pass:changeit -noout -text "codearts:keystore/$1"
  local k c
  k=$(grep -c "^[0-9]*: Pkey" <<<"$OUT" || true)
  c=$(grep -c "^[0-9]*: Certificate" <<<"$OUT" || true)
  expect_eq "$1: private keys" "$k" "$2"
  expect_eq "$1: certificates" "$c" "$3"
}
check_store android.keystore 2 5   # JKS
check_store release.jks 2 5        # JCEKS, named .jks
check_store upload.keystore 2 5    # PKCS#12 from keytool
check_store legacy.p12 1 2         # RC2/3DES: OpenSSL's legacy provider; leaf + CA
check_store modern.p12 1 2
check_store signing.pem 1 2        # PEM

# The keys are the ones keytool was given.
openssl storeutl -passin pass:changeit -keys "codearts:keystore/android.keystore" \
  > "$HWC_TEST_TMP/keys.pem" 2>/dev/null
found=0
for i in 1 2; do
  awk -v i=$i '/BEGIN PRIVATE KEY/{n++} n==i' "$HWC_TEST_TMP/keys.pem" |
    sed '/END PRIVATE KEY/q' > "$HWC_TEST_TMP/k$i.pem"
  for ref in signing-key.pem ec-signing-key.pem; do
    if cmp -s <(openssl pkey -in "$HWC_TEST_TMP/k$i.pem" -pubout 2>/dev/null) \
              <(openssl pkey -in "$FIX/$ref" -pubout 2>/dev/null); then
      found=$((found + 1))
    fi
  done
done
expect_eq "both JKS keys equal keytool's reference keys" "$found" "2"

run_fail "wrong password (JKS)" "wrong password" \
  openssl storeutl -passin pass:nope -noout "codearts:keystore/android.keystore"
run_fail "wrong password (JCEKS)" "wrong password" \
  openssl storeutl -passin pass:nope -noout "codearts:keystore/release.jks"
run_fail "wrong password (PKCS#12)" "wrong password|mac verify" \
  openssl storeutl -passin pass:nope -noout "codearts:keystore/upload.keystore"
run_fail "tampered JKS" "wrong password or tampered keystore" \
  openssl storeutl -passin pass:changeit -noout "codearts:keystore/tampered.jks"
run_fail "an entry with another password is named, the others load" "ec-signing" \
  openssl storeutl -passin pass:changeit -noout "codearts:keystore/keypass.jks"
expect_in "the others still load" "[0-9]: Pkey"
run_fail "missing file" "HTTP 404" \
  openssl storeutl -passin pass:changeit -noout "codearts:keystore/nope.jks"
# Without domain_id the account is found with GET /v3/auth/domains; where
# IAM refuses that, the error says to set domain_id.
emu_reset
run_ok "no domain_id: the account is discovered" env -u OPENSSL_CONF HWCLOUD_ENDPOINT="$EMU_URL" \
  HWCLOUD_CA_FILE="$EMU_CA" openssl storeutl -provider hwcloud -provider default \
  -passin pass:changeit -noout "codearts:keystore/android.keystore"
expect_eq "no domain_id: one GET /v3/auth/domains" "$(emu_count "GET /v3/auth/domains")" 1
emu_fault '{"match":"GET /v3/auth/domains","action":"status","status":403,"body":"{\"error\":{\"code\":403,\"message\":\"You are not authorized to perform the requested action.\",\"title\":\"Forbidden\"}}"}'
run_fail "no domain_id and IAM refuses to name the account" "HTTP 403.*not authorized" \
  env -u OPENSSL_CONF HWCLOUD_ENDPOINT="$EMU_URL" \
  HWCLOUD_CA_FILE="$EMU_CA" openssl storeutl -provider hwcloud -provider default \
  -passin pass:changeit -noout "codearts:keystore/android.keystore"
expect_in "... and says to set domain_id" "set domain_id \(HWCLOUD_DOMAIN_ID\)"

hwc_done
