#!/usr/bin/env bash
# Fork safety under threads: 4 threads sign with a KMS key (IAM password
# login) while the process forks 10,000 times (1,000 under the sanitizers,
# which are ten times slower); each child loads a certificate from the
# cache it inherited, and every tenth also signs on a connection of its
# own and verifies (helpers/fork_stress.c says why the children stay out of
# libcrypto's own fork hazards). No child may crash, hang or fail.
. "$(dirname "$0")/lib.sh"
emu_start
hwc_write_conf "auth = password" "iam_user = $EMU_IAM_USER" \
  "iam_password = $EMU_IAM_PASSWORD" "iam_domain = $EMU_IAM_DOMAIN" \
  "cache_ttl = 600" "timeout = 20"
HELPER=$HWC_BUILD_DIR/tests/integration/helpers/fork_stress
[ -x "$HELPER" ] || fail "helper not built: $HELPER"
FORKS=${HWC_FORK_STRESS_FORKS:-10000}
[ -z "${HWC_ASAN_PRELOAD:-}${HWC_TSAN_PRELOAD:-}" ] || FORKS=${HWC_FORK_STRESS_FORKS:-1000}

start=$(date +%s)
set +e
timeout 900 "$HELPER" "kms:key/$EMU_KMS_EC256" "scm:cert/$EMU_SCM_RSA" \
  "$FORKS" 4 4 >"$HWC_TEST_TMP/out" 2>"$HWC_TEST_TMP/err"
rc=$?
set -e
OUT=$(cat "$HWC_TEST_TMP/out")
echo "$OUT"
[ "$rc" -ne 124 ] || fail "the fork stress did not finish (a hang)"
[ "$rc" -eq 0 ] || { tail -100 "$HWC_TEST_TMP/err" >&2; fail "fork stress failed ($rc)"; }
expect_in "$FORKS forks under 4 busy threads: no child crashed, hung or failed" \
  "fork_stress: $FORKS forks, 0 bad children, 0 failed thread operations"
pass "took $(( $(date +%s) - start )) s"
hwc_done
