#!/usr/bin/env bash
# A kms:key/<id> loaded once, used the way nginx and httpd use it:
# the helper kms_sign_fork loads the key in a parent, signs, forks 4
# children that sign, signs again in the parent, then signs from 8 threads
# at once; every signature is verified with the public key file of the
# emulator. The emulator's counters show the cost: one describe-key and
# one get-publickey for the whole process tree, one sign per signature,
# and one HTTPS connection per process or thread that signs (children
# never reuse the parent's connection, the parent keeps its own), and one
# IAM login for the whole tree with password authentication.
. "$(dirname "$0")/lib.sh"
hwc_setup
cd "$HWC_TEST_TMP" || exit 1

HELPER=$HWC_BUILD_DIR/tests/integration/helpers/kms_sign_fork
[ -x "$HELPER" ] || fail "helper not built: $HELPER"

stat_of() {
  emu_stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# fork_threads NAME KEY CHILDREN THREADS PER_THREAD [IAM_LOGINS]
fork_threads() {
  local name=$1 k=$2 children=$3 threads=$4 per=$5 iam=${6:-0} var total
  var=EMU_KMS_${k^^}
  emu_reset
  run_ok "$name: $children children and $threads threads sign" \
    timeout 120 "$HELPER" "kms:key/${!var}" "$EMU_STATE_DIR/kms-$k.pub.pem" \
    "$children" "$threads" "$per"
  echo "$OUT"
  expect_in "$name: every signature verified" \
    "parent: 2/2, children: $children/$children, threads: $((threads * per))/$((threads * per))"
  total=$(sed -n 's/^signatures: //p' <<<"$OUT")
  expect_eq "$name: signature count" "$total" \
    $((2 + children * 2 + threads * per))
  expect_eq "$name: one sign request per signature" \
    "$(emu_count "POST /kms/sign")" "$total"
  expect_eq "$name: one describe-key for the process tree" \
    "$(emu_count "POST /kms/describe-key")" 1
  expect_eq "$name: one get-publickey for the process tree" \
    "$(emu_count "POST /kms/get-publickey")" 1
  expect_eq "$name: IAM logins for the process tree" \
    "$(emu_count "POST /v3/auth/tokens")" "$iam"
  expect_eq "$name: nothing else" "$(emu_total)" $((total + 2 + iam))
  # The parent: one connection (load, sign, sign after the children);
  # one per child and one per thread.
  expect_eq "$name: one HTTPS connection per signing process or thread" \
    "$(stat_of service_connections)" $((1 + children + threads))
}

fork_threads rsa2048 rsa2048 4 8 5
fork_threads ec256 ec256 4 8 5
fork_threads ec384 ec384 4 8 3
fork_threads rsa4096 rsa4096 2 8 2

# Tokens are inherited: with an IAM password login, the parent logs in
# once and its children and threads use that token.
unset HWCLOUD_TOKEN
hwc_write_conf "auth = password" "iam_user = $EMU_IAM_USER" \
  "iam_password = $EMU_IAM_PASSWORD" "iam_domain = $EMU_IAM_DOMAIN"
fork_threads "password auth" rsa2048 4 8 3 1
# AK/SK: every request is signed on its own; nothing to inherit.
hwc_write_conf "access_key = $EMU_AK" "secret_key = $EMU_SK"
fork_threads "AK/SK auth" ec256 4 8 3

hwc_done
