#!/usr/bin/env bash
# The form of what hwcloud sends, request by request, as the official SDKs
# send it: Content-Type application/json;charset=UTF-8 on every API call
# (body-less POST and DELETE included), Accept: application/json only where
# JSON comes back, neither header on the presigned download; with AK/SK and
# metadata credentials exactly one scope header, found when not configured.
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

# --- scope headers -------------------------------------------------------
# With AK/SK and metadata credentials, exactly one scope header: X-Domain-Id
# for SCM, X-Project-Id for KMS, DCS and CodeArts, none on IAM's discovery
# calls. Neither project_id nor domain_id is configured: both are found.
sed '/^project_id = /d; /^domain_id = /d' "$OPENSSL_CONF" >"$HWC_TEST_TMP/noids.cnf"
export OPENSSL_CONF=$HWC_TEST_TMP/noids.cnf
scope_check='
want = {"scm": "x-domain-id", "v1.0": "x-project-id", "v2": "x-project-id",
        "keystore": "x-project-id"}
n = 0
for e in api:
    h = e["headers"]
    have = [k for k in ("x-project-id", "x-domain-id") if k in h]
    if e["path"].startswith("/v3/auth/") or e["path"] == "/v3/projects":
        if have:
            print("IAM call %s with %s" % (e["path"], have))
        continue
    svc = e["path"].split("/")[2] if e["path"].startswith("/v3/scm") else e["path"].split("/")[1]
    svc = "keystore" if e["path"] == "/v3/keystore" else svc
    n += 1
    if have != [want[svc]]:
        print("%s %s: scope headers %s, want [%s]" % (e["method"], e["path"], have, want[svc]))
    elif want[svc] == "x-domain-id" and h["x-domain-id"] != sys.argv[1]:
        print("%s: X-Domain-Id %s" % (e["path"], h["x-domain-id"]))
    elif want[svc] == "x-project-id" and h["x-project-id"] != sys.argv[2]:
        print("%s: X-Project-Id %s" % (e["path"], h["x-project-id"]))
if n == 0:
    print("no service request in the log")
'
scope_ok() { # DESC: every request of the log has its one scope header
  emu_stats | python3 -c '
import json, sys
log = json.load(sys.stdin)["log"]
api = [e for e in log if e.get("listener") == "https" and not e["path"].startswith("/obs/")]
'"$scope_check" "$EMU_DOMAIN_ID" "$EMU_PROJECT_ID" >"$HWC_TEST_TMP/scope.out" ||
    fail "$1: log check failed"
  [ ! -s "$HWC_TEST_TMP/scope.out" ] || { cat "$HWC_TEST_TMP/scope.out" >&2; fail "$1"; }
  pass "$1"
}
aksk=(env -u HWCLOUD_TOKEN HWCLOUD_ACCESS_KEY="$EMU_AK" HWCLOUD_SECRET_KEY="$EMU_SK")

emu_reset
run_ok "AK/SK, no domain_id: SCM export" "${aksk[@]}" openssl storeutl -noout "scm:cert/$EMU_SCM_RSA"
expect_eq "the account found once with GET /v3/auth/domains" "$(emu_count "GET /v3/auth/domains")" 1
scope_ok "AK/SK at SCM: X-Domain-Id (the discovered account), nothing else"
emu_reset
run_ok "AK/SK, no project_id: KMS key" "${aksk[@]}" openssl storeutl -noout "kms:key/$EMU_KMS_EC256"
expect_eq "the project found once" "$(emu_count "GET /v3/projects")" 1
scope_ok "AK/SK at KMS: X-Project-Id only"
emu_reset
run_ok "AK/SK: DCS" "${aksk[@]}" openssl storeutl -noout "dcs:ssl/$EMU_DCS_PEM"
scope_ok "AK/SK at DCS: X-Project-Id only"
emu_reset
run_ok "AK/SK, neither id: CodeArts (no project in its path)" \
  "${aksk[@]}" openssl storeutl -noout "codearts:keystore/signing.pem"
expect_eq "CodeArts: project and account each found once" \
  "$(emu_count "GET /v3/projects") $(emu_count "GET /v3/auth/domains")" "1 1"
scope_ok "AK/SK at CodeArts: X-Project-Id only"
emu_reset
md=(env -u HWCLOUD_TOKEN HWCLOUD_AUTH=metadata HWCLOUD_METADATA_ENDPOINT="$EMU_HTTP_URL")
run_ok "metadata credentials: SCM" "${md[@]}" openssl storeutl -noout "scm:cert/$EMU_SCM_EC"
run_ok "metadata credentials: CodeArts" "${md[@]}" openssl storeutl -noout "codearts:keystore/signing.pem"
scope_ok "metadata credentials: one scope header per request"

# Password login: the account comes from the token answer, no extra call.
emu_reset
pw=(env -u HWCLOUD_TOKEN HWCLOUD_IAM_USER="$EMU_IAM_USER"
  HWCLOUD_IAM_PASSWORD="$EMU_IAM_PASSWORD" HWCLOUD_IAM_DOMAIN="$EMU_IAM_DOMAIN")
run_ok "password login, no domain_id: CodeArts" "${pw[@]}" openssl storeutl -noout "codearts:keystore/signing.pem"
expect_eq "no GET /v3/auth/domains: the token named the account" "$(emu_count "GET /v3/auth/domains")" 0
emu_stats | python3 -c '
import json, sys
log = json.load(sys.stdin)["log"]
cb = [e for e in log if e["path"] == "/v3/keystore"]
assert cb and all("domain_id=" + sys.argv[1] in e["query"] for e in cb), cb
' "$EMU_DOMAIN_ID" || fail "CodeArts asked without the account from the token"
pass "CodeArts asked with the account the token named"

hwc_done
