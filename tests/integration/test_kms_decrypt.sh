#!/usr/bin/env bash
# Asymmetric decryption with a kms:key/<id> ENCRYPT_DECRYPT key:
# RSAES-OAEP SHA-256 ciphertexts made locally with the public key decrypt
# through KMS `decrypt-data` to what was encrypted; every other padding or
# OAEP digest, a SIGN_VERIFY key and a ciphertext of the wrong length are
# refused before any decrypt request. Encryption is local (no request).
. "$(dirname "$0")/lib.sh"
hwc_setup
cd "$HWC_TEST_TMP" || exit 1

plain() {
  OPENSSL_CONF=/dev/null openssl "$@"
}
decrypts() {
  emu_count "POST /kms/decrypt-data"
}
# no_decrypt_request DESC PATTERN CMD...: fails with PATTERN, no request.
no_decrypt_request() {
  local desc=$1 before
  before=$(decrypts)
  run_fail "$@"
  expect_eq "$desc: no decrypt request" "$(decrypts)" "$before"
}

D=kms:key/$EMU_KMS_RSA2048_ENC
OAEP=(-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256)
OAEP_MGF1=("${OAEP[@]}" -pkeyopt rsa_mgf1_md:sha256)

run_ok "public key of the ENCRYPT_DECRYPT key" openssl pkey -pubin -in "$D" \
  -pubout -out enc.pub
run_ok "same public key as the emulator's" \
  cmp enc.pub "$EMU_STATE_DIR/kms-rsa2048_enc.pub.pem"

# decrypt_ok NAME BYTES [pkeyopts...]: BYTES random bytes, OAEP-SHA256
# encrypted by plain openssl, decrypt in KMS with the given options.
decrypt_ok() {
  local name=$1 n=$2 before
  shift 2
  head -c "$n" /dev/urandom >"$name.pt"
  run_ok "$name: local OAEP-SHA256 encryption" plain pkeyutl -encrypt -pubin \
    -inkey enc.pub "${OAEP_MGF1[@]}" -in "$name.pt" -out "$name.ct"
  before=$(decrypts)
  run_ok "$name: pkeyutl -decrypt with the KMS key" openssl pkeyutl -decrypt \
    -inkey "$D" "$@" -in "$name.ct" -out "$name.out"
  run_ok "$name: what was encrypted" cmp "$name.pt" "$name.out"
  expect_eq "$name: one decrypt request" "$(decrypts)" $((before + 1))
}
decrypt_ok oaep-mgf1 32 "${OAEP_MGF1[@]}"
decrypt_ok oaep 100 "${OAEP[@]}"
decrypt_ok oaep-max 190 "${OAEP_MGF1[@]}"
decrypt_ok oaep-1byte 1 "${OAEP[@]}"

# Encryption with the KMS key itself is a public operation, done locally:
# loading the key is the only traffic.
ops() {
  echo $(($(emu_total) - $(emu_count "POST /kms/describe-key") - \
    $(emu_count "POST /kms/get-publickey")))
}
printf 'secret for KMS\n' >msg
before=$(ops)
run_ok "encrypt with the kms: key" openssl pkeyutl -encrypt -inkey "$D" \
  "${OAEP[@]}" -in msg -out msg.ct
expect_eq "encryption is local (no KMS operation)" "$(ops)" "$before"
run_ok "decrypt it in KMS" openssl pkeyutl -decrypt -inkey "$D" "${OAEP[@]}" \
  -in msg.ct -out msg.out
run_ok "round trip" cmp msg msg.out

# What KMS cannot do is refused before any request.
no_decrypt_request "PKCS#1 v1.5 is refused" \
  "KMS cannot do PKCS#1 v1.5 decryption" \
  openssl pkeyutl -decrypt -inkey "$D" -in oaep.ct -out x
no_decrypt_request "OAEP with SHA-1 is refused" \
  "RSAES-OAEP with SHA-256, MGF1 SHA-256" \
  openssl pkeyutl -decrypt -inkey "$D" -pkeyopt rsa_padding_mode:oaep \
  -in oaep.ct -out x
no_decrypt_request "OAEP SHA-256 with MGF1 SHA-1 is refused" \
  "RSAES-OAEP with SHA-256, MGF1 SHA-256" \
  openssl pkeyutl -decrypt -inkey "$D" "${OAEP[@]}" \
  -pkeyopt rsa_mgf1_md:sha1 -in oaep.ct -out x
no_decrypt_request "OAEP with a label is refused" "no label" \
  openssl pkeyutl -decrypt -inkey "$D" "${OAEP[@]}" \
  -pkeyopt rsa_oaep_label:0011 -in oaep.ct -out x
no_decrypt_request "raw RSA is refused" "RSAES-OAEP only" \
  openssl pkeyutl -decrypt -inkey "$D" -pkeyopt rsa_padding_mode:none \
  -in oaep.ct -out x
head -c 100 oaep.ct >short.ct
no_decrypt_request "a ciphertext of the wrong length is refused" \
  "ciphertext is 100 bytes" \
  openssl pkeyutl -decrypt -inkey "$D" "${OAEP[@]}" -in short.ct -out x
no_decrypt_request "a SIGN_VERIFY key cannot decrypt" \
  "SIGN_VERIFY key: KMS cannot decrypt" \
  openssl pkeyutl -decrypt -inkey "kms:key/$EMU_KMS_RSA2048" "${OAEP[@]}" \
  -in oaep.ct -out x
no_decrypt_request "an EC key cannot decrypt" "not supported for this keytype" \
  openssl pkeyutl -decrypt -inkey "kms:key/$EMU_KMS_EC256" -in oaep.ct -out x

# A ciphertext KMS cannot decrypt: its error comes back, nothing written.
cp oaep.ct bad.ct
printf '\x01' | dd of=bad.ct bs=1 seek=10 conv=notrunc status=none
rm -f bad.out
run_fail "a corrupted ciphertext: the KMS error is reported" "KMS\.[0-9]+|HTTP 4" \
  openssl pkeyutl -decrypt -inkey "$D" "${OAEP[@]}" -in bad.ct -out bad.out
if [ -s bad.out ]; then
  fail "a failed decryption wrote output"
fi
pass "a failed decryption writes nothing"

hwc_done
