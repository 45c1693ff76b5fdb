#!/usr/bin/env bash
# Parameters an application gives OSSL_STORE_open_ex (expect, subject)
# take effect for hwcloud URIs: with OpenSSL 3.2 and later through the
# loader's open_ex, with 3.0 through set_ctx_params after the open. One
# that cannot be applied is a clear error before any request: 3.2+ fails
# the open, 3.0 the first load (refusing it at the open crashes the
# application on 3.0, whose libcrypto then uses the closed loader). The
# debug log shows which entry point libcrypto used, and it must be open_ex
# wherever the headers hwcloud was built with offer it.
. "$(dirname "$0")/lib.sh"
hwc_setup
HELPER=$HWC_BUILD_DIR/tests/integration/helpers/store_params
[ -x "$HELPER" ] || fail "helper not built: $HELPER"
SCM=scm:cert/$EMU_SCM_RSA
KMS=kms:key/$EMU_KMS_EC256

run_ok "expect CERT given at the open" "$HELPER" "$SCM" expect-certs
expect_in "three certificates" "total 3"
if grep -q PKEY <<<"$OUT"; then fail "a key came back although certificates were expected"; fi
pass "no key returned"

run_ok "expect PKEY given at the open" "$HELPER" "$SCM" expect-pkey
expect_eq "the key alone" "$(grep -vc '^open_ex' <<<"$OUT")" 2
expect_in "it is a private key" "^PKEY$"

run_ok "expect PKEY on a KMS key" "$HELPER" "$KMS" expect-pkey
expect_in "one private key" "total 1"

emu_reset
run_fail "a subject that is no DER name is refused, without a crash" \
  "invalid subject criterion" "$HELPER" "$SCM" bad-subject
expect_eq "and nothing was requested" "$(emu_total)" 0

# Which entry point libcrypto took.
OUT=$(HWCLOUD_DEBUG=1 "$HELPER" "$SCM" expect-certs 2>&1) || fail "debug run: $OUT"
if grep -q "^open_ex: offered" <<<"$OUT"; then
  expect_in "built for OpenSSL 3.2+: libcrypto opened through open_ex" \
    "hwc_store_open_ex: open_ex $SCM"
else
  expect_in "built for OpenSSL 3.0/3.1: libcrypto opened through open" \
    "hwc_store_open: open $SCM"
fi
hwc_done
