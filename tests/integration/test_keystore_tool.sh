#!/usr/bin/env bash
# hwcloud-store keystore create/list/show/delete against the emulator:
# bad aliases and unreadable or non-certificate CA files fail before any
# request; create is not retried once it may have arrived.
. "$(dirname "$0")/lib.sh"
hwc_setup
TOOL=${HWC_TOOL:-$HWC_BUILD_DIR/tools/hwcloud-store}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=HSM CA" \
  "${HWC_CA_EXT[@]}" -keyout "$HWC_TEST_TMP/hsm.key" -out "$HWC_TEST_TMP/hsm-ca.pem" -days 1 2>/dev/null
echo "not a certificate" > "$HWC_TEST_TMP/junk.pem"

emu_reset
run_fail "bad alias refused" "does not match" \
  "$TOOL" keystore create --alias 'bad alias!' --hsm-cluster-id c1 --hsm-ca-cert "$HWC_TEST_TMP/hsm-ca.pem"
run_fail "unreadable CA file refused" "cannot read" \
  "$TOOL" keystore create --alias good --hsm-cluster-id c1 --hsm-ca-cert "$HWC_TEST_TMP/nope.pem"
run_fail "CA file that is not a certificate refused" "not a PEM X.509 certificate" \
  "$TOOL" keystore create --alias good --hsm-cluster-id c1 --hsm-ca-cert "$HWC_TEST_TMP/junk.pem"
expect_eq "no request for refused arguments" "$(emu_total)" "0"
run_fail "usage error exits 2" "create needs" "$TOOL" keystore create --alias x
set +e; "$TOOL" keystore create --alias x >/dev/null 2>&1; rc=$?; set -e
expect_eq "usage exit code" "$rc" "2"

run_ok "create" "$TOOL" keystore create --alias tool-test-ks --hsm-cluster-id c-42 \
  --hsm-ca-cert "$HWC_TEST_TMP/hsm-ca.pem"
id=$(tail -1 <<<"$OUT")
[[ "$id" =~ ^[0-9a-f-]{36}$ ]] || fail "create did not print a keystore id: $OUT"
pass "create printed keystore_id $id"
run_ok "list" "$TOOL" keystore list
expect_in "the new keystore is listed" "^$id  alias=tool-test-ks"
run_ok "list --json" "$TOOL" keystore list --json
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["ok"] and any(k["keystore_alias"]=="tool-test-ks" for k in d["keystores"])' "$OUT" \
  || fail "list --json lacks the keystore"
pass "list --json"
run_ok "show" "$TOOL" keystore show "$id" --json
expect_in "show has the alias" '"keystore_alias": "tool-test-ks"'
run_ok "storeutl lists it too" openssl storeutl kms:keystore/
expect_in "kms:keystore/ names it" "Name: kms:keystore/$id"
run_ok "delete" "$TOOL" keystore delete "$id"
run_fail "show after delete" "HTTP 404" "$TOOL" keystore show "$id"

# State-changing calls are not retried once they may have arrived.
emu_reset
emu_fault '{"match":"/keystores","action":"status","status":503,"count":5}'
run_fail "create under 503 fails" "HTTP 503" "$TOOL" keystore create --alias retry-test \
  --hsm-cluster-id c-43 --hsm-ca-cert "$HWC_TEST_TMP/hsm-ca.pem"
expect_eq "create sent once, not retried" "$(emu_count 'POST /v1.0')" "1"
emu_reset
emu_fault '{"match":"/keystores","action":"status","status":503,"count":1}'
run_ok "list is retried" "$TOOL" keystore list
expect_eq "list retried once" "$(emu_count 'GET /v1.0')" "2"
hwc_done
