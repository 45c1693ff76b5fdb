#!/usr/bin/env bash
# The form of what hwcloud sends, request by request, as the official SDKs
# send it: Content-Type application/json;charset=UTF-8 on every API call
# (body-less POST and DELETE included), Accept: application/json only where
# JSON comes back, neither header on the presigned download.
. "$(dirname "$0")/lib.sh"
hwc_setup
TOOL=${HWC_TOOL:-$HWC_BUILD_DIR/tools/hwcloud-store}
mkdir -p "$EMU_CODEARTS_DIR"
cp "$HWC_SOURCE_DIR/tests/fixtures/keystores/ec-bundle.pem" \
  "$EMU_CODEARTS_DIR/signing.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj "/CN=HSM CA" -keyout "$HWC_TEST_TMP/hsm.key" \
  -out "$HWC_TEST_TMP/hsm-ca.pem" -days 1 2>/dev/null

# log_check PYTHON: runs PYTHON with `log` (the emulator's request log)
# and `api` (its service requests: https, not /obs/); it prints problems.
log_check() {
  local problems
  problems=$(emu_stats | python3 -c '
import json, sys
log = json.load(sys.stdin)["log"]
api = [e for e in log if e.get("listener") == "https" and not e["path"].startswith("/obs/")]
'"$1")
  [ -z "$problems" ] || { echo "$problems" >&2; return 1; }
}

emu_reset
run_ok "KMS key" openssl storeutl -noout "kms:key/$EMU_KMS_RSA2048"
run_ok "SCM export (body-less POST)" openssl storeutl -noout "scm:cert/$EMU_SCM_RSA"
run_ok "DCS download (body-less POST, presigned GET)" \
  openssl storeutl -noout "dcs:ssl/$EMU_DCS_ZIP"
run_ok "CodeArts download (a file, not JSON)" \
  openssl storeutl -noout "codearts:keystore/signing.pem"
run_ok "keystore create" "$TOOL" keystore create --alias fidelity-ks \
  --hsm-cluster-id c-fid --hsm-ca-cert "$HWC_TEST_TMP/hsm-ca.pem"
ks=$(tail -1 <<<"$OUT")
run_ok "keystore delete (body-less DELETE)" "$TOOL" keystore delete "$ks"

log_check '
for e in api:
    ct = e["headers"].get("content-type")
    if ct != "application/json;charset=UTF-8":
        print("%s %s: Content-Type %r" % (e["method"], e["path"], ct))
' || fail "a request without Content-Type: application/json;charset=UTF-8"
pass "every API call: Content-Type application/json;charset=UTF-8"
log_check '
seen = set()
for e in api:
    seen.add(e["method"])
    acc = e["headers"].get("accept")
    want_json = e["path"] != "/v3/keystore"
    if want_json != (acc == "application/json"):
        print("%s %s: Accept %r" % (e["method"], e["path"], acc))
if not {"GET", "POST", "DELETE"} <= seen:
    print("methods seen: %s" % sorted(seen))
' || fail "Accept: application/json where no JSON comes back, or missing"
pass "Accept: application/json on JSON calls only (not the CodeArts file)"
log_check '
obs = [e for e in log if e["path"].startswith("/obs/")]
if not obs:
    print("no presigned download in the log")
for e in obs:
    h = e["headers"]
    if "content-type" in h or h.get("accept") == "application/json":
        print("presigned GET with %r / %r" % (h.get("content-type"), h.get("accept")))
' || fail "the presigned GET carries Content-Type or Accept: application/json"
pass "the presigned GET: no Content-Type, no JSON Accept"

hwc_done
