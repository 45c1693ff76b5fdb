#!/usr/bin/env bash
# Every credential method against the emulator: token, password, agency,
# aksk, metadata and auto; kms:, scm: and dcs: objects with each; one
# login for many objects, threads and forked children; one re-login after
# the emulator expires tokens; a wrong secret key reported clearly;
# project-id discovery; and a debug log free of secrets.
. "$(dirname "$0")/lib.sh"
hwc_setup
unset HWCLOUD_TOKEN

HELPER=$HWC_BUILD_DIR/tests/check_auth
[ -x "$HELPER" ] || fail "helper $HELPER not built"
KMS="kms:key/$EMU_KMS_RSA2048"
SCM="scm:cert/$EMU_SCM_RSA"
DCS="dcs:ssl/${EMU_DCS_PEM:?emulator did not export EMU_DCS_PEM}"
EXPIRE="!env -u OPENSSL_CONF curl -sS --fail --cacert $EMU_CA -X POST $EMU_URL/_emu/expire-tokens"

PASSWORD_CONF=("iam_user = $EMU_IAM_USER" "iam_password = $EMU_IAM_PASSWORD"
  "iam_domain = $EMU_IAM_DOMAIN")

# auth_seen PATH-SUBSTRING: "auth:status" of each logged request, unique.
auth_seen() {
  emu_stats | python3 -c '
import json, sys
sub = sys.argv[1]
seen = sorted({"%s:%s" % (e.get("auth"), e.get("status"))
               for e in json.load(sys.stdin)["log"] if sub in e.get("path", "")})
print(" ".join(seen))
' "$1"
}

# header_seen PATH-SUBSTRING HEADER: "yes" if every such request had it.
header_seen() {
  emu_stats | python3 -c '
import json, sys
sub, name = sys.argv[1], sys.argv[2].lower()
es = [e for e in json.load(sys.stdin)["log"] if sub in e.get("path", "")]
ok = es and all(name in {k.lower() for k in e.get("headers", {})} for e in es)
print("yes" if ok else "no")
' "$1" "$2"
}

# loads_all METHOD: kms, scm and dcs objects load in one process.
loads_all() {
  emu_reset
  run_ok "$1: kms, scm and dcs objects load in one process" \
    "$HELPER" load "$KMS" "$SCM" "$DCS"
  expect_in "$1: kms key loaded" "$EMU_KMS_RSA2048: 1 objects"
  expect_in "$1: scm bundle loaded" "$EMU_SCM_RSA: 4 objects"
  expect_in "$1: dcs ca loaded" "$EMU_DCS_PEM: [1-9] objects"
  run_ok "$1: openssl pkey reads the kms public key" \
    openssl pkey -pubin -in "$KMS" -noout
  run_ok "$1: openssl storeutl reads the scm bundle" \
    openssl storeutl -noout "$SCM"
}

# --- token (static) ---------------------------------------------------------
export HWCLOUD_TOKEN=$EMU_TOKEN
loads_all token
expect_eq "token: emulator verified a token for kms" "$(auth_seen kms/describe-key)" "token:200"
expect_eq "token: no IAM request" "$(emu_count 'POST /v3/auth/tokens')" "0"
emu_expire_tokens
run_fail "token: an expired static token says so" \
  "hwcloud:.*:token expired:.*: the configured token has expired" \
  openssl storeutl -noout "$SCM"
emu_admin POST /_emu/revive-tokens >/dev/null
unset HWCLOUD_TOKEN

# --- password ---------------------------------------------------------------
hwc_write_conf "auth = password" "${PASSWORD_CONF[@]}"
loads_all password
emu_reset
run_ok "password: three objects in one process" "$HELPER" load "$KMS" "$SCM" "$DCS"
expect_eq "password: exactly one IAM login for three objects" \
  "$(emu_count 'POST /v3/auth/tokens')" "1"
expect_eq "password: emulator verified the token for kms" "$(auth_seen kms/describe-key)" "token:200"
expect_eq "password: emulator verified the token for scm" "$(auth_seen /export)" "token:200"
expect_eq "password: emulator verified the token for dcs" "$(auth_seen ssl-certs/download)" "token:200"

emu_reset
run_ok "password: two certificates in one process" \
  "$HELPER" load "$SCM" "scm:cert/$EMU_SCM_EC"
expect_eq "password: one login for two loads" "$(emu_count 'POST /v3/auth/tokens')" "1"

emu_reset
run_ok "password: load, emulator expires tokens, load again" \
  "$HELPER" load "$KMS" "$EXPIRE" "$KMS" "$SCM"
expect_eq "password: exactly one re-login after expiry" \
  "$(emu_count 'POST /v3/auth/tokens')" "2"
expect_in "password: the load after expiry succeeded" "$EMU_SCM_RSA: 4 objects"
expect_eq "password: the expired token was refused once" \
  "$(emu_stats | python3 -c 'import json,sys; print(sum(1 for e in json.load(sys.stdin)["log"] if e["status"]==401))')" "1"

emu_reset
# the login takes 300 ms: every thread arrives while it is in flight
emu_fault '{"match":"auth/tokens","action":"delay","delay_ms":300}'
run_ok "password: 16 threads load 5 objects at once" \
  "$HELPER" threads 16 "$KMS" "kms:key/$EMU_KMS_EC256" "$SCM" "scm:cert/$EMU_SCM_EC" "$DCS"
expect_eq "password: concurrent callers waited for one login" \
  "$(emu_count 'POST /v3/auth/tokens')" "1"

emu_reset
run_ok "password: parent loads, forked children load" "$HELPER" fork "$KMS" "$SCM" "$DCS"
expect_eq "password: children inherit the parent's token" \
  "$(emu_count 'POST /v3/auth/tokens')" "1"

hwc_write_conf "auth = password" "iam_user = $EMU_IAM_USER" \
  "iam_password = wrong-password" "iam_domain = $EMU_IAM_DOMAIN"
run_fail "password: a wrong password is reported" \
  "HTTP 401.*(username or password|password is wrong)" openssl storeutl -noout "$SCM"
if grep -q wrong-password <<<"$OUT"; then fail "the password was printed"; fi
pass "password: the wrong password is not echoed"
emu_reset
emu_fault '{"match":"auth/tokens","action":"delay","delay_ms":300}'
if "$HELPER" threads 8 "$KMS" >/dev/null 2>&1; then fail "wrong password loaded"; fi
expect_eq "password: 8 threads with a wrong password try one login (no lockout)" \
  "$(emu_count 'POST /v3/auth/tokens')" "1"

printf '%s\n' "$EMU_IAM_PASSWORD" >"$HWC_TEST_TMP/pw"
chmod 600 "$HWC_TEST_TMP/pw"
hwc_write_conf "iam_user = $EMU_IAM_USER" "iam_password_file = $HWC_TEST_TMP/pw" \
  "iam_domain = $EMU_IAM_DOMAIN"
run_ok "password (auto, iam_password_file) loads" openssl storeutl -noout "$SCM"
chmod 644 "$HWC_TEST_TMP/pw"
run_fail "a password file readable by others is refused" "readable by others" \
  openssl storeutl -noout "$SCM"
chmod 600 "$HWC_TEST_TMP/pw"

# --- agency -----------------------------------------------------------------
hwc_write_conf "${PASSWORD_CONF[@]}" "agency_name = $EMU_AGENCY_NAME" \
  "agency_domain = $EMU_AGENCY_DOMAIN"
loads_all agency
emu_reset
run_ok "agency: three objects in one process" "$HELPER" load "$KMS" "$SCM" "$DCS"
expect_eq "agency: one password login plus one assume_role" \
  "$(emu_count 'POST /v3/auth/tokens')" "2"
expect_eq "agency: emulator verified the agency token" "$(auth_seen kms/describe-key)" "token:200"
hwc_write_conf "${PASSWORD_CONF[@]}" "agency_name = no-such-agency" \
  "agency_domain = $EMU_AGENCY_DOMAIN"
run_fail "agency: an unknown agency is reported" "HTTP 403" openssl storeutl -noout "$SCM"

# --- aksk -------------------------------------------------------------------
printf '%s\n' "$EMU_SK" >"$HWC_TEST_TMP/sk"
chmod 600 "$HWC_TEST_TMP/sk"
hwc_write_conf "access_key = $EMU_AK" "secret_key_file = $HWC_TEST_TMP/sk"
loads_all aksk
expect_eq "aksk: emulator verified the signature for kms" "$(auth_seen kms/describe-key)" "aksk:200"
expect_eq "aksk: emulator verified the signature for scm" "$(auth_seen /export)" "aksk:200"
expect_eq "aksk: emulator verified the signature for dcs" "$(auth_seen ssl-certs/download)" "aksk:200"
expect_eq "aksk: X-Project-Id sent to kms" "$(header_seen kms/describe-key X-Project-Id)" "yes"
expect_eq "aksk: X-Domain-Id sent to scm" "$(header_seen /export X-Domain-Id)" "yes"
expect_eq "aksk: no IAM request" "$(emu_count 'POST /v3/auth/tokens')" "0"

hwc_write_conf "access_key = $EMU_AK" "secret_key = 0123456789abcdef0123456789abcdef01234567"
run_fail "aksk: a wrong secret key is rejected and reported clearly" \
  "refused the AK/SK signature of access key $EMU_AK" openssl storeutl -noout "$SCM"
expect_in "aksk: the emulator's reason is shown" "APIG.0301.*signature"
if grep -q 0123456789abcdef0123456789abcdef01234567 <<<"$OUT"; then
  fail "the secret key was printed"
fi
pass "aksk: the wrong secret key is not echoed"

hwc_write_conf
run_ok "aksk from HUAWEICLOUD_SDK_AK/SK" env HUAWEICLOUD_SDK_AK="$EMU_AK" \
  HUAWEICLOUD_SDK_SK="$EMU_SK" openssl storeutl -noout "$SCM"

# --- metadata ---------------------------------------------------------------
hwc_write_conf "metadata_endpoint = $EMU_HTTP_URL"
loads_all metadata
emu_reset
run_ok "metadata: three objects in one process" "$HELPER" load "$KMS" "$SCM" "$DCS"
expect_eq "metadata: one session token" "$(emu_count 'PUT /meta-data/latest/api/token')" "1"
expect_eq "metadata: one securitykey fetch" "$(emu_count 'GET /openstack/latest/securitykey')" "1"
expect_eq "metadata: emulator verified the temporary signature" \
  "$(auth_seen kms/describe-key)" "aksk:200"
expect_eq "metadata: X-Security-Token sent" "$(header_seen kms/describe-key X-Security-Token)" "yes"
emu_reset
emu_fault '{"match":"meta-data/latest/api/token","action":"status","status":404}'
run_fail "metadata: a 404 session token means none; the service's 401 is reported" \
  "securitykey answered HTTP 401" openssl storeutl -noout "$SCM"
expect_eq "metadata: securitykey was asked without a session token" \
  "$(header_seen securitykey X-Metadata-Token)" "no"

hwc_write_conf
emu_reset
run_fail "auto with nothing configured lists what it looked for" \
  "no credentials configured.*token_file.*secret_key_file.*agency_name.*iam_password_file.*metadata_endpoint" \
  openssl storeutl -noout "$SCM"
expect_eq "auto never probes the metadata service" "$(emu_count 'GET /openstack')" "0"

# --- project-id discovery ---------------------------------------------------
hwc_write_conf "access_key = $EMU_AK" "secret_key_file = $HWC_TEST_TMP/sk" "project_id ="
emu_reset
run_ok "aksk without project_id: discovered from the region" \
  "$HELPER" load "$KMS" "kms:key/$EMU_KMS_EC256" "$DCS"
expect_eq "aksk: one GET /v3/projects for three objects" "$(emu_count 'GET /v3/projects')" "1"
hwc_write_conf "${PASSWORD_CONF[@]}" "project_id ="
emu_reset
run_ok "password without project_id: the region-scoped login names it" \
  "$HELPER" load "$KMS" "$SCM" "$DCS"
expect_eq "password: one login, no project listing" \
  "$(emu_count 'POST /v3/auth/tokens') $(emu_count 'GET /v3/projects')" "1 0"

hwc_write_conf "project_id ="
emu_admin POST /_emu/revive-tokens >/dev/null
emu_reset
run_ok "token without project_id: discovered with GET /v3/projects" \
  env HWCLOUD_TOKEN="$EMU_TOKEN" "$HELPER" load "$KMS" "$DCS"
expect_eq "token: one project listing" "$(emu_count 'GET /v3/projects')" "1"

# --- debug log without secrets ----------------------------------------------
check_debug() {
  local name=$1
  shift
  run_ok "$name: HWCLOUD_DEBUG run" env HWCLOUD_DEBUG=1 "$HELPER" load "$KMS" "$SCM"
  expect_in "$name: requests are logged" "POST https://[^ ]*/kms/describe-key -> 200"
  for s in "$@"; do
    if grep -qF -- "$s" <<<"$OUT"; then fail "$name: debug output contains a secret"; fi
  done
  # emulator tokens start MIIEhwc, security tokens gQpzdC1lbXU; a signature
  # is 64 hex digits after Signature=; secret keys are 40 hex digits
  if grep -qE 'MIIEhwc|gQpzdC1lbXU|SDK-HMAC-SHA256|Signature=[0-9a-f]{64}|[0-9a-f]{40}' <<<"$OUT"; then
    fail "$name: debug output contains a token or signature"
  fi
  pass "$name: no token, password, secret key or signature in the log"
}
hwc_write_conf "${PASSWORD_CONF[@]}"
check_debug password "$EMU_IAM_PASSWORD"
hwc_write_conf "access_key = $EMU_AK" "secret_key = $EMU_SK"
check_debug aksk "$EMU_SK"
hwc_write_conf "metadata_endpoint = $EMU_HTTP_URL"
check_debug metadata "$EMU_SK"
hwc_write_conf
emu_admin POST /_emu/revive-tokens >/dev/null
export HWCLOUD_TOKEN=$EMU_TOKEN
check_debug token "$EMU_TOKEN"
unset HWCLOUD_TOKEN

# group-readable secret files are accepted, with a warning in the log
chmod 640 "$HWC_TEST_TMP/sk"
hwc_write_conf "access_key = $EMU_AK" "secret_key_file = $HWC_TEST_TMP/sk"
run_ok "a group-readable secret file is accepted" \
  env HWCLOUD_DEBUG=1 openssl storeutl -noout "$SCM"
expect_in "with a debug warning" "warning: secret_key_file: .* readable by its group"

# --- refresh before expires_at (tokens valid for 4 s) -----------------------
emu_stop
emu_start --token-lifetime 4
KMS="kms:key/$EMU_KMS_RSA2048"
KMS2="kms:key/$EMU_KMS_EC256" # another object: loaded objects are cached
hwc_write_conf "iam_user = $EMU_IAM_USER" "iam_password = $EMU_IAM_PASSWORD" \
  "iam_domain = $EMU_IAM_DOMAIN"
run_ok "password: load, wait past half the lifetime, load" \
  "$HELPER" load "$KMS" "!sleep 2.5" "$KMS2"
expect_eq "password: the token was renewed before it expired" \
  "$(emu_count 'POST /v3/auth/tokens')" "2"
expect_eq "password: and never refused" \
  "$(emu_stats | python3 -c 'import json,sys; print(sum(1 for e in json.load(sys.stdin)["log"] if e["status"]==401))')" "0"
hwc_write_conf "metadata_endpoint = $EMU_HTTP_URL"
emu_reset
run_ok "metadata: load, wait past half the lifetime, load" \
  "$HELPER" load "$KMS" "!sleep 2.5" "$KMS2"
expect_eq "metadata: credentials renewed, session token kept" \
  "$(emu_count 'GET /openstack/latest/securitykey') $(emu_count 'PUT /meta-data')" "2 1"

hwc_done
