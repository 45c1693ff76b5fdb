#!/usr/bin/env bash
# hwcloud-store: help and exit codes (0 ok, 1 failed, 2 usage), uri2pem,
# export (leaf first, atomic, mode 0644, no private key, --json) and check
# (every setting with its source, secrets masked, auth method, endpoints,
# one harmless authenticated call; --json) against the emulator.
. "$(dirname "$0")/lib.sh"
hwc_setup
T=$HWC_TEST_TMP
TOOL=$HWC_TOOL
SCM=scm:cert/$EMU_SCM_RSA

# rc CMD...: runs CMD, stdout in $OUT, stderr in $ERR, exit status in $RC.
rc() {
  set +e
  OUT=$("$@" 2>"$T/stderr")
  RC=$?
  set -e
  ERR=$(cat "$T/stderr")
}

# --- help and usage --------------------------------------------------
rc "$TOOL" --help
expect_eq "--help exits 0" "$RC" 0
for cmd in uri2pem export check help; do
  expect_in "--help lists $cmd" "^  $cmd "
done
for cmd in uri2pem export check; do
  rc "$TOOL" "$cmd" --help
  expect_eq "$cmd --help exits 0" "$RC" 0
  expect_in "$cmd --help shows its usage" "usage: hwcloud-store $cmd"
  rc "$TOOL" help "$cmd"
  expect_eq "help $cmd exits 0" "$RC" 0
done
rc "$TOOL"
expect_eq "no command: exit 2" "$RC" 2
rc "$TOOL" frobnicate
expect_eq "unknown command: exit 2" "$RC" 2
grep -q "unknown command 'frobnicate'" <<<"$ERR" || fail "unknown command: no message on stderr: $ERR"
[ -z "$OUT" ] || fail "unknown command wrote to stdout"
pass "usage errors go to stderr"
rc "$TOOL" export "$SCM"
expect_eq "export without -o: exit 2" "$RC" 2
rc "$TOOL" check --bogus
expect_eq "check with an unknown option: exit 2" "$RC" 2

# --- uri2pem ---------------------------------------------------------
rc "$TOOL" uri2pem "kms:key/$EMU_KMS_RSA2048"
expect_eq "uri2pem to stdout" "$RC" 0
expect_in "uri2pem: the PEM label" "^-----BEGIN HWCLOUD PROVIDER URI-----$"
(umask 077 && "$TOOL" uri2pem "$SCM" -o "$T/key.pem")
expect_eq "uri2pem -o: mode 0644 whatever the umask" "$(stat -c %a "$T/key.pem")" 644
run_ok "uri2pem --der" "$TOOL" uri2pem "$SCM" --der -o "$T/key.der"
run_ok "the DER is the documented SEQUENCE" openssl asn1parse -inform DER -in "$T/key.der"
expect_in "magic and URI" "VISIBLESTRING +:hwcloud-provider-uri-v1"
grep -qE "UTF8STRING +:$SCM" <<<"$OUT" || fail "DER lacks the URI: $OUT"
rc "$TOOL" uri2pem "kms:nothing/1"
expect_eq "uri2pem with an invalid URI: exit 2" "$RC" 2
grep -q "expected one of" <<<"$ERR" || fail "invalid URI: message lacks the grammar: $ERR"
rc "$TOOL" uri2pem "dcs:ssl/$EMU_DCS_PEM"
expect_eq "uri2pem of a URI without a key: exit 2" "$RC" 2
rc "$TOOL" uri2pem "kms:key/"
expect_eq "uri2pem of a listing URI: exit 2" "$RC" 2
expect_eq "uri2pem made no request" "$(emu_total)" 0

# --- export ----------------------------------------------------------
emu_reset
echo "old" > "$T/chain.pem"
chmod 600 "$T/chain.pem"
(umask 077 && "$TOOL" export "$SCM" -o "$T/chain.pem" >"$T/export.out")
pass "export replaced an existing file"
expect_eq "export: mode 0644" "$(stat -c %a "$T/chain.pem")" 644
expect_eq "export: 3 certificates" "$(grep -c 'BEGIN CERTIFICATE' "$T/chain.pem")" 3
grep -q PRIVATE "$T/chain.pem" && fail "export wrote a private key"
pass "export: no private key in the file"
subj=$(openssl x509 -in "$T/chain.pem" -noout -subject)
grep -q "CN *= *www.example.com" <<<"$subj" || fail "export: the first certificate is not the leaf: $subj"
pass "export: leaf first"
run_ok "export: the chain verifies against the SCM root" \
  openssl verify -CAfile "$EMU_SCM_ROOT" -untrusted "$T/chain.pem" "$T/chain.pem"
[ -z "$(find "$T" -maxdepth 1 -name 'chain.pem.*')" ] || fail "export left a temporary file"
pass "export: no temporary file left"
expect_eq "export: one SCM export request" "$(emu_count "POST /export")" 1
grep -q "^$SCM: wrote 3 certificate(s) to $T/chain.pem (leaf /C=DE/O=hwc-emulator/CN=www.example.com)$" \
  "$T/export.out" || fail "export: the summary does not name the leaf: $(cat "$T/export.out")"
pass "export: the summary names the leaf"
rc "$TOOL" export "dcs:ssl/$EMU_DCS_ZIP" -o "$T/redis-ca.pem"
expect_eq "export of a DCS CA: exit 0" "$RC" 0
expect_in "export of a DCS CA: called a CA certificate, not a leaf" \
  "^dcs:ssl/$EMU_DCS_ZIP: wrote 1 certificate\\(s\\) to $T/redis-ca.pem \\(CA certificate /C=DE/O=hwc-emulator/CN=HWC Emulator Redis CA\\)$"

rc "$TOOL" export "$SCM" -o "$T/chain.json.pem" --json
expect_eq "export --json: exit 0" "$RC" 0
python3 - "$OUT" <<'PY' || fail "export --json: unexpected document: $OUT"
import json, sys
d = json.loads(sys.argv[1])
assert d["ok"] is True and len(d["certificates"]) == 3
assert "www.example.com" in d["certificates"][0]["subject"]
assert all(len(c["sha256"]) == 64 for c in d["certificates"])
PY
pass "export --json describes the chain, leaf first"

run_ok "export by certificate name" \
  "$TOOL" export "scm:name/$EMU_SCM_RSA_NAME" -o "$T/byname.pem"
expect_eq "export by name: the same chain" "$(cat "$T/byname.pem")" "$(cat "$T/chain.pem")"

rc "$TOOL" export "scm:cert/0000000000000000" -o "$T/none.pem"
expect_eq "export of an unknown certificate: exit 1" "$RC" 1
grep -q "HTTP 404 SCM.0404" <<<"$ERR" || fail "export 404: message lacks the service error: $ERR"
[ ! -e "$T/none.pem" ] || fail "a failed export created the file"
pass "export failure: the service's error on stderr, no file"
rc "$TOOL" --json export "scm:cert/0000000000000000" -o "$T/none.pem"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["ok"] is False and "SCM.0404" in d["error"]' "$OUT" ||
  fail "export --json failure: $OUT"
pass "export --json failure: ok false with the error"
rc "$TOOL" export "$SCM" -o "$T/no/such/dir/chain.pem"
expect_eq "export into a missing directory: exit 1" "$RC" 1
rc "$TOOL" export "kms:key/$EMU_KMS_RSA2048" -o "$T/x.pem"
expect_eq "export of a kms: URI: exit 2" "$RC" 2
rc env HWCLOUD_TOKEN=bogus "$TOOL" export "$SCM" -o "$T/x.pem"
expect_eq "export with a bad token: exit 1" "$RC" 1

# --- check -----------------------------------------------------------
hwc_write_conf "uri_pem = yes" "regoin = typo"
emu_reset
rc "$TOOL" check
expect_eq "check: exit 0" "$RC" 0
expect_in "check: the configuration file" "configuration file: $OPENSSL_CONF"
expect_in "check: the provider section" "provider section: +hwcloud_sect"
expect_in "check: a setting from openssl.cnf" "^endpoint +$EMU_URL +openssl.cnf$"
expect_in "check: a setting from the environment, masked" "^token +\[\*\*\*\*\] +HWCLOUD_TOKEN$"
expect_in "check: a default" "^timeout +30 +default$"
expect_in "check: uri_pem" "^uri_pem +yes +openssl.cnf$"
expect_in "check: unknown keys are pointed out" "regoin is not a setting"
expect_in "check: the auth method" "auth method: token"
expect_in "check: the endpoints" "^  kms +$EMU_URL$"
expect_in "check: the call and the project" "GET $EMU_URL/v3/projects\?name=$EMU_REGION: ok.*$EMU_PROJECT_ID"
expect_in "check: result" "^result: ok$"
grep -qF "$EMU_TOKEN" <<<"$OUT$ERR" && fail "check printed the token"
pass "check: the token itself is never printed"
expect_eq "check: one IAM request" "$(emu_count "GET /v3/projects")" 1
expect_eq "check: nothing else" "$(emu_total)" 1

rc "$TOOL" check --json
expect_eq "check --json: exit 0" "$RC" 0
python3 - "$OUT" "$EMU_PROJECT_ID" <<'PY' || fail "check --json: unexpected document: $OUT"
import json, sys
d = json.loads(sys.argv[1])
s = {x["key"]: x for x in d["settings"]}
assert d["ok"] is True and d["auth"] == "token"
assert s["token"]["value"] == "[****]" and s["token"]["source"] == "HWCLOUD_TOKEN"
assert s["region"]["source"] == "openssl.cnf"
assert d["call"]["ok"] is True and d["call"]["project_id"] == sys.argv[2]
assert d["unknown_keys"] == ["regoin"]
assert set(d["endpoints"]) == {"iam", "kms", "scm", "dcs", "codearts"}
PY
pass "check --json: settings, sources, auth, endpoints, call"

rc env -u HWCLOUD_TOKEN HWCLOUD_ACCESS_KEY="$EMU_AK" HWCLOUD_SECRET_KEY="$EMU_SK" "$TOOL" check
expect_eq "check with AK/SK: exit 0" "$RC" 0
expect_in "check with AK/SK: the method" "auth method: aksk"
grep -qF "$EMU_SK" <<<"$OUT$ERR" && fail "check printed the secret key"
pass "check with AK/SK: the secret key is never printed"

rc env HWCLOUD_TOKEN=bogus "$TOOL" check
expect_eq "check with a refused token: exit 1" "$RC" 1
expect_in "check with a refused token: result" "^result: FAILED$"
grep -q "401" <<<"$ERR" || fail "refused token: the reason is not on stderr: $ERR"
pass "check with a refused token: the service's answer on stderr"
rc env HWCLOUD_TOKEN=bogus "$TOOL" check --json
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["ok"] is False and d["call"]["ok"] is False and "401" in d["error"]' "$OUT" ||
  fail "check --json failure: $OUT"
pass "check --json failure: ok false with the error"

hwc_write_conf "project_id = 0123456789abcdef0123456789abcdef"
rc "$TOOL" check
expect_eq "check with a project_id of another region: exit 1" "$RC" 1
grep -q "region $EMU_REGION does not contain project_id 0123456789abcdef0123456789abcdef: its project for these credentials is $EMU_PROJECT_ID" <<<"$ERR" ||
  fail "project mismatch not explained: $ERR"
pass "check explains a project_id that does not match the region"

# A region the credentials have no project in, with project_id set: not
# "set project_id" (it is set), but what is wrong.
hwc_write_conf "region = eu-west-0"
sed -i "/^region = $EMU_REGION\$/d" "$OPENSSL_CONF"
rc "$TOOL" check
expect_eq "check with a region that lacks project_id: exit 1" "$RC" 1
grep -q "region eu-west-0 does not contain project_id $EMU_PROJECT_ID: IAM lists no project named eu-west-0" <<<"$ERR" ||
  fail "region without the project not explained: $ERR"
grep -q "set project_id" <<<"$ERR" && fail "check advises to set project_id, which is set: $ERR"
pass "check: a region that does not contain project_id, said so"

# No doubled prefix or status: "hwcloud-store: check: HTTP 401 ..." once.
rc env HWCLOUD_TOKEN=bogus "$TOOL" check
grep -q "hwcloud-store: hwcloud-store" <<<"$ERR" && fail "doubled prefix: $ERR"
grep -qE "HTTP 401 401" <<<"$ERR" && fail "doubled status: $ERR"
grep -q "^hwcloud-store: check: HTTP 401 The request you have made requires authentication" <<<"$ERR" ||
  fail "check's refusal: $ERR"
grep -q "the configured token was refused" <<<"$ERR" || fail "refused token: $ERR"
grep -q "expired" <<<"$ERR" && fail "a refused token is called expired: $ERR"
pass "check with a bogus token: refused (not expired), no doubled prefix or status"

hwc_write_conf "timeout = soon"
rc "$TOOL" check
expect_eq "check with an invalid setting: exit 1" "$RC" 1
grep -q "timeout" <<<"$ERR" || fail "invalid setting not named: $ERR"
pass "check names an invalid setting"

# The provider as OpenSSL loads it with the same file, as programs do.
hwc_write_conf
rc "$TOOL" check
expect_in "check: OpenSSL loads the module" "^loaded by OpenSSL: +yes, Huawei Cloud provider [0-9.]+, active$"
rc "$TOOL" check --json
python3 -c 'import json,sys; p=json.loads(sys.argv[1])["provider"]; assert p["loaded"] and p["active"], p' "$OUT" ||
  fail "check --json: provider not loaded: $OUT"
pass "check --json: the provider OpenSSL loaded is active"

sed -i '/^module = /{n;d}' "$OPENSSL_CONF" # the hwcloud section's activate
rc "$TOOL" check
expect_eq "check: a section without activate = 1 fails" "$RC" 1
expect_in "check: not activated, on stdout" "has no 'activate = 1'"
grep -q "has no 'activate = 1': programs using $OPENSSL_CONF do not load the provider" <<<"$ERR" ||
  fail "check: no activate = 1: not explained on stderr: $ERR"
pass "check: the missing activate = 1 explained on stderr"
expect_in "check: not activated: result" "^result: FAILED$"
rc "$TOOL" check --json
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["activated"] is False and d["ok"] is False' "$OUT" ||
  fail "check --json: activated is not false: $OUT"
pass "check --json: activated false, not ok"
rc "$TOOL" check --by-name
expect_eq "check --by-name: programs that load it by name need no activate" "$RC" 0

# OpenSSL cannot find the module: check fails, as the programs would.
hwc_write_conf
sed -i '/^module = /d' "$OPENSSL_CONF"
rc env OPENSSL_MODULES="$T/nowhere" "$TOOL" check
expect_eq "check: module not found: exit 1" "$RC" 1
grep -q "OpenSSL cannot load the provider that $OPENSSL_CONF activates: .*could not load the shared library.*$T/nowhere/hwcloud.so" <<<"$ERR" ||
  fail "check: module not found: not explained: $ERR"
pass "check: a module OpenSSL cannot find is explained"
expect_in "check: module not found, on stdout" "^loaded by OpenSSL: +NO "
hwc_write_conf
sed -i "s#^module = .*#module = $T/nowhere/hwcloud.so#" "$OPENSSL_CONF"
rc "$TOOL" check
expect_eq "check: a module = path that does not exist: exit 1" "$RC" 1
grep -q "could not load the shared library.*$T/nowhere/hwcloud.so" <<<"$ERR" ||
  fail "check: the module path is not named: $ERR"
pass "check: the module = path OpenSSL tried is named"
hwc_write_conf
rc env -u OPENSSL_MODULES "$TOOL" --config /dev/null check
expect_eq "check without a section, module not found by name: exit 1" "$RC" 1
grep -q "OpenSSL cannot load the provider by its name hwcloud" <<<"$ERR" ||
  fail "check: module not found by name: $ERR"
pass "check: a module not found by name is explained"

# An invalid setting: the module loads, inactive, and says why.
hwc_write_conf "region = EU-DE"
sed -i "/^region = $EMU_REGION\$/d" "$OPENSSL_CONF"
rc "$TOOL" check
expect_eq "check: invalid region: exit 1" "$RC" 1
expect_in "check: the loaded provider is inactive with the reason" \
  "^loaded by OpenSSL: +yes, Huawei Cloud provider \(unusable: setting region \(from openssl.cnf\): 'EU-DE'.*inactive$"
grep -q "setting region (from openssl.cnf): 'EU-DE'" <<<"$ERR" || fail "check: invalid region not on stderr: $ERR"
pass "check: the invalid region on stderr"

rc "$TOOL" --config "$T/missing.cnf" check
expect_eq "check --config with a missing file: exit 1" "$RC" 1

# Settings from the environment only (no provider section).
rc env -u OPENSSL_CONF HWCLOUD_ENDPOINT="$EMU_URL" HWCLOUD_CA_FILE="$EMU_CA" \
  HWCLOUD_REGION="$EMU_REGION" "$TOOL" --config /dev/null check
expect_eq "check from the environment only: exit 0" "$RC" 0
expect_in "check: environment sources named" "^endpoint +$EMU_URL +HWCLOUD_ENDPOINT$"

# export reads the same configuration: a wrong endpoint in the file fails.
hwc_write_conf
sed -i "s#^endpoint = .*#endpoint = https://127.0.0.1:1#" "$OPENSSL_CONF"
rc "$TOOL" export "$SCM" -o "$T/x.pem"
expect_eq "export uses the provider section of OPENSSL_CONF" "$RC" 1

hwc_done
