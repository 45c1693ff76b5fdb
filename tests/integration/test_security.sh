#!/usr/bin/env bash
# The promises of docs/security.md that an adversary tests, each against
# the emulator with the fault that breaks it: privileged processes ignore
# the environment, secret files others could write are refused, timeouts
# have a floor, failure notes of hostile archives stay bounded, keystore
# key derivations are capped before they run.
. "$(dirname "$0")/lib.sh"
hwc_setup
T=$HWC_TEST_TMP
H=$HWC_SOURCE_DIR/tests/integration/helpers

# --- a setgid program (AT_SECURE) ignores the HWCLOUD_* environment ------
# The caller of a setuid/setcap program picks its environment: it must
# not choose where the password goes or which CA vouches for it.
[ "$(id -u)" = 0 ] || fail "this test must run as root (it makes a setgid program)"
PRIV=$T/priv
mkdir -p "$PRIV" && chmod 755 "$PRIV"
cp "$HWC_TOOL" "$PRIV/hwcloud-store"
chgrp 65534 "$PRIV/hwcloud-store" && chmod 2755 "$PRIV/hwcloud-store"
cp "$OPENSSL_CONF" "$PRIV/openssl.cnf"
priv_check() {
  env HWCLOUD_IAM_ENDPOINT=https://iam.attacker.example \
    HWCLOUD_CA_FILE=/nonexistent/attacker-ca.pem HWCLOUD_DEBUG=1 \
    "$@" check 2>&1 || true
}
OUT=$(priv_check "$PRIV/hwcloud-store" --config "$PRIV/openssl.cnf")
expect_in "setgid: iam_endpoint is not taken from the environment" \
  "^iam_endpoint +- +unset"
expect_in "setgid: ca_file stays the configured one" "^ca_file +$EMU_CA +openssl.cnf"
if grep -q "^hwcloud\[" <<<"$OUT"; then
  echo "$OUT" >&2
  fail "setgid: HWCLOUD_DEBUG turned the debug log on"
fi
pass "setgid: HWCLOUD_DEBUG is ignored"
OUT=$(priv_check "$HWC_TOOL" --config "$PRIV/openssl.cnf")
expect_in "unprivileged: the same environment is taken" \
  "^iam_endpoint +https://iam.attacker.example +HWCLOUD_IAM_ENDPOINT"

# --- secret files that others could replace ---------------------------
echo "$EMU_TOKEN" > "$T/token"
token_load() {
  env -u HWCLOUD_TOKEN HWCLOUD_TOKEN_FILE="$T/token" \
    openssl storeutl -noout -certs "scm:cert/$EMU_SCM_RSA"
}
chmod 600 "$T/token"
run_ok "token_file 0600: accepted" token_load
chmod 620 "$T/token"
run_fail "token_file writable by its group: refused" \
  "token_file: $T/token is writable by its group or others" token_load
chmod 602 "$T/token"
run_fail "token_file writable by others: refused" "writable by its group or others" token_load
chmod 600 "$T/token" && chown 65534 "$T/token"
run_fail "token_file owned by another user: refused" "is owned by another user" token_load
chown 0 "$T/token"

# --- timeouts: 0 would mean "no limit" to libcurl ---------------------
for setting in timeout connect_timeout; do
  hwc_write_conf "$setting = 0"
  run_fail "$setting = 0 is refused" \
    "setting $setting \\(from openssl.cnf\\): '0': expected a whole number of seconds from 1" \
    "$HWC_TOOL" check
  # A provider whose configuration is invalid loads, and refuses every URI.
  run_fail "$setting = 0: openssl cannot use the provider, and says why" \
    "setting $setting \\(from openssl.cnf\\): '0'" \
    openssl storeutl -noout -certs "scm:cert/$EMU_SCM_RSA"
done
hwc_write_conf

# --- a DCS archive with 10000 broken members --------------------------
# Each failure note used to copy all the notes before it (minutes of CPU
# for a 180 KB download); now the notes are bounded.
python3 - "$T/broken.tgz" "$EMU_DCS_CA" <<'PY'
import io, sys, tarfile
bad = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
with tarfile.open(sys.argv[1], "w:gz") as t:
    for i in range(9999):
        ti = tarfile.TarInfo("certs/broken-%05d.crt" % i)
        ti.size = len(bad)
        t.addfile(ti, io.BytesIO(bad))
    t.add(sys.argv[2], arcname="certs/ca.crt")
PY
emu_reset
emu_fault "{\"match\":\"GET /obs/\",\"action\":\"status\",\"status\":200,\"body_file\":\"$T/broken.tgz\",\"content_type\":\"application/octet-stream\"}"
run_fail "10000 broken members: the good one loads, the notes are bounded" \
  "entries not loaded: certs/broken-00000.crt: PEM block 1 \\(CERTIFICATE\\): not a valid X.509 certificate; .*; and 99[0-9]{2} more" \
  openssl storeutl -certs "dcs:ssl/$EMU_DCS_TGZ"
expect_in "10000 broken members: the CA was handed over" "BEGIN CERTIFICATE"
len=$(grep -o "entries not loaded: .*" <<<"$OUT" | head -1 | wc -c)
[ "$len" -le 1100 ] || fail "the failure message is $len bytes long"
pass "the failure message is $len bytes long"

# --- keystores whose key derivation would cost minutes ----------------
# Refused from their parameters, before any derivation (2^31-1 PBKDF2
# iterations took nine minutes per load, with no password needed).
FIX=$HWC_SOURCE_DIR/tests/fixtures/keystores
mkdir -p "$EMU_CODEARTS_DIR"
for f in cost-pbkdf2.pem cost-scrypt.pem cost-mac.p12 cost-keybag.p12 cost-600k.pem; do
  cp "$FIX/$f" "$EMU_CODEARTS_DIR/$f"
done
cdx() { timeout 60 openssl storeutl -passin pass:changeit -noout "codearts:keystore/$1"; }
run_fail "PBKDF2 2^31-1 (PEM, no password needed): refused" \
  "its key derivation asks for 2147483647 iterations, more than the cap of 1000000" \
  cdx cost-pbkdf2.pem
run_fail "scrypt N*r*p over the cap: refused" "more than the cap of 4194304" cdx cost-scrypt.pem
run_fail "PKCS#12 MAC 2^31-1: refused" "PKCS#12 MAC: its key derivation asks for 2147483647" \
  cdx cost-mac.p12
run_fail "PKCS#12 key bag 2^31-1: refused" "PKCS#12 shrouded key bag: its key derivation" \
  cdx cost-keybag.p12
run_ok "600000 PBKDF2 iterations (what demanding tools write): loads" cdx cost-600k.pem

# --- nested resolution: what a service returned never resolves more ---
# An SCM answer whose private_key is the DER of a PEM-wrapped URI: decoded
# where hwcloud's decoders do not run, it is just not a key. Before, it
# sent authenticated requests for whatever it named, and a key naming its
# own certificate recursed until SIGSEGV.
hwc_write_conf "uri_pem = yes" "cache_ttl = 0"
emu_curl -X POST "$EMU_URL/v3/scm/certificates/$EMU_SCM_RSA/export" > "$T/export.json"
scm_answer_names() { # URI: queue an export answer whose private_key wraps it
  python3 - "$1" "$T/export.json" "$EMU_SCM_RSA" > "$T/fault.json" <<'PY'
import json, sys
uri, export, cert = sys.argv[1].encode(), sys.argv[2], sys.argv[3]
m = b"hwcloud-provider-uri-v1"
body = bytes([0x1a, len(m)]) + m + bytes([0x0c, len(uri)]) + uri
der = bytes([0x30, len(body)]) + body
a = json.load(open(export))
a["private_key"] = der.decode("latin-1")
print(json.dumps({"match": "POST /v3/scm/certificates/%s/export" % cert,
                  "action": "status", "status": 200, "count": -1,
                  "body": json.dumps(a)}))
PY
  emu_reset
  emu_fault "$(cat "$T/fault.json")"
}
scm_load() { HWCLOUD_DEBUG=1 timeout 60 openssl storeutl -noout -keys "scm:cert/$EMU_SCM_RSA"; }
scm_answer_names "kms:key/$EMU_KMS_RSA2048"
run_fail "an SCM key that is a wrapped URI is not a key" \
  "private_key: .*neither PEM nor a DER private key" scm_load
if grep -q "decoding the PEM-wrapped URI\|another URI was being fetched" <<<"$OUT"; then
  echo "$OUT" >&2
  fail "the wrapped-URI decoder ran on a service answer"
fi
pass "the wrapped-URI decoder never saw the service answer"
expect_eq "no request for the URI the answer named" "$(emu_count kms/)" 0
scm_answer_names "scm:cert/$EMU_SCM_RSA"
run_fail "a key naming its own certificate: one clear error" \
  "private_key: .*neither PEM nor a DER private key" scm_load
expect_eq "a key naming its own certificate: one export" \
  "$(emu_count "POST /v3/scm/certificates/$EMU_SCM_RSA/export")" 1
emu_reset

# Whatever runs while a fetch is under way (here the application's
# password callback) cannot start another: neither a wrapped-URI key file
# nor a store of ours.
NESTED=$HWC_BUILD_DIR/tests/integration/helpers/nested_fetch
cp "$FIX/modern.p12" "$EMU_CODEARTS_DIR/modern.p12"
"$HWC_TOOL" uri2pem "kms:key/$EMU_KMS_RSA2048" -o "$T/wrapped.pem"
for how in "file $T/wrapped.pem" "uri kms:key/$EMU_KMS_RSA2048"; do
  # shellcheck disable=SC2086
  run_ok "nested (${how%% *}): the outer load finishes" \
    "$NESTED" codearts:keystore/modern.p12 changeit $how
  expect_in "nested (${how%% *}): refused, saying why" \
    "nested: refused.*kms:key/$EMU_KMS_RSA2048: refused: met while another URI was being fetched"
  expect_in "nested (${how%% *}): the keystore loaded" "outer: 3 objects"
done
expect_eq "nested: no KMS request" "$(emu_count kms/)" 0
hwc_write_conf

# --- what a writer of key files can reach -----------------------------
wrap() { # URI FILE: a PEM-wrapped URI made independently of the tool
  python3 - "$1" > "$2" <<'PY'
import base64, sys, textwrap
def tlv(tag, v):
    n = len(v)
    ln = bytes([n]) if n < 128 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag]) + ln + v
u, m = sys.argv[1].encode(), b"hwcloud-provider-uri-v1"
der = tlv(0x30, tlv(0x1a, m) + tlv(0x0c, u))
print("-----BEGIN HWCLOUD PROVIDER URI-----")
print("\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64)))
print("-----END HWCLOUD PROVIDER URI-----")
PY
}
KMS=kms:key/$EMU_KMS_RSA2048
SCOPE="?region=$EMU_REGION&project_id=$EMU_PROJECT_ID"
wrap "$KMS$SCOPE" "$T/scoped.pem"
wrap "$KMS" "$T/kms.pem"
wrap "scm:cert/$EMU_SCM_RSA" "$T/scm.pem"
hwc_write_conf "uri_pem = yes"
emu_reset
run_fail "a key file may not pick the project or region" \
  "\\?region= and \\?project_id= are refused in key files" \
  openssl pkey -in "$T/scoped.pem" -noout
expect_eq "... and nothing was asked of the cloud" "$(emu_total)" 0
hwc_write_conf "uri_pem = yes" "uri_pem_overrides = yes"
run_ok "uri_pem_overrides = yes lets it" openssl pkey -in "$T/scoped.pem" -noout
hwc_write_conf "uri_pem = yes" "uri_pem_allow = scm:cert/*"
emu_reset
run_fail "uri_pem_allow: a KMS key outside the list is refused" \
  "$KMS matches no pattern of uri_pem_allow \\(scm:cert/\\*\\)" \
  openssl pkey -in "$T/kms.pem" -noout
expect_eq "... before any request" "$(emu_total)" 0
run_ok "uri_pem_allow: an SCM certificate in it loads" openssl pkey -in "$T/scm.pem" -noout
hwc_write_conf "uri_pem = yes" "uri_pem_allow = https://*"
run_fail "uri_pem_allow: a pattern that can match nothing is a configuration error" \
  "setting uri_pem_allow \\(from openssl.cnf\\): 'https://\\*'" "$HWC_TOOL" check
hwc_write_conf

# --- control characters never reach a message or log line raw ----------
# (printf %q of the output would hide them: look for the bytes themselves)
no_raw_controls() { # DESC: $OUT holds no ESC, and PATTERN lines are one line
  if LC_ALL=C grep -q $'\x1b' <<<"$OUT"; then
    echo "$OUT" | od -c | head -40 >&2
    fail "$1: a raw ESC reached the output"
  fi
  pass "$1: no raw control character"
}
# A wrapped URI's text (the URI parser's message names it).
wrap $'kms:key/\x1b[2J\nhwcloud: forged line' "$T/ctl.pem"
hwc_write_conf "uri_pem = yes"
run_fail "wrapped URI with control characters: escaped" \
  'invalid URI.*kms:key/\\x1[bB]\[2J\\(n|x0a)hwcloud: forged line' \
  openssl pkey -in "$T/ctl.pem" -noout
no_raw_controls "wrapped URI text"
# Archive member names.
python3 - "$T/ctl.tgz" "$EMU_DCS_CA" <<'PY'
import io, sys, tarfile
bad = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
with tarfile.open(sys.argv[1], "w:gz") as t:
    ti = tarfile.TarInfo("evil\x1b[2J\nhwcloud: forged.crt")
    ti.size = len(bad)
    t.addfile(ti, io.BytesIO(bad))
    t.add(sys.argv[2], arcname="ca.crt")
PY
emu_reset
emu_fault "{\"match\":\"GET /obs/\",\"action\":\"status\",\"status\":200,\"body_file\":\"$T/ctl.tgz\",\"content_type\":\"application/octet-stream\"}"
run_fail "archive member name with control characters: escaped" \
  'entries not loaded: evil\\x1B\[2J\\nhwcloud: forged.crt: PEM block 1' \
  openssl storeutl -noout -certs "dcs:ssl/$EMU_DCS_TGZ"
no_raw_controls "archive member name"
# A keystore alias (keytool takes control characters in one; it keeps
# aliases in lower case). The key password differs: the entry fails, by
# name.
keytool -genkeypair -keystore "$EMU_CODEARTS_DIR/ctl.jks" -storetype JKS \
  -storepass changeit -keypass otherpass -keyalg EC -dname CN=x -validity 2 \
  -alias "$(printf 'evil\033[2J\nhwcloud: forged')" >/dev/null 2>&1 ||
  fail "keytool could not make the JKS"
run_fail "keystore alias with control characters: escaped" \
  'evil\\x1B\[2j\\nhwcloud: forged: wrong key password' \
  openssl storeutl -passin pass:changeit -noout "codearts:keystore/ctl.jks"
no_raw_controls "keystore alias"
# A service's X-Request-Id, in the error message and the debug log.
emu_reset
emu_fault '{"match":"/export","action":"status","status":500,"body":"{\"error_code\":\"SCM.0500\",\"error_msg\":\"boom\"}","headers":{"X-Request-Id":"req-\u001b[31m-red"},"count":-1}'
run_fail "X-Request-Id with control characters: escaped" \
  'request id req-\\x1B\[31m-red' \
  env HWCLOUD_DEBUG=1 openssl storeutl -noout -certs "scm:cert/$EMU_SCM_RSA"
expect_in "... in the debug log too" 'request id req-\\x1B\[31m-red, auth'
no_raw_controls "X-Request-Id"
emu_reset

# --- DCS links: OBS hosts only, no redirect, nothing read but the file -
obs_requests() { emu_count "GET /obs/"; }
hwc_write_conf "dcs_download_hosts = myhuaweicloud.com, otc.t-systems.com"
emu_reset
run_fail "a link to a host that is not OBS is refused (the emulator's 127.0.0.1)" \
  "refusing the download link to 127.0.0.1: not one of dcs_download_hosts \\(myhuaweicloud.com, otc.t-systems.com\\)" \
  openssl storeutl -noout -certs "dcs:ssl/$EMU_DCS_PEM"
expect_eq "... before any request to it" "$(obs_requests)" 0
if grep -q "Signature=" <<<"$OUT"; then fail "the presigned signature was printed"; fi
pass "... and the link's signature is not printed"
hwc_write_conf
# An answer pointing elsewhere: localhost is the same listener, but not a
# listed host.
emu_reset
emu_fault "{\"match\":\"/ssl-certs/download\",\"action\":\"status\",\"status\":200,\"body\":\"{\\\"file_name\\\":\\\"x.zip\\\",\\\"link\\\":\\\"https://localhost:$EMU_PORT/obs/b/d/x.zip?AWSAccessKeyId=a&Expires=1&Signature=s\\\"}\"}"
run_fail "an answer linking to another host is refused" \
  "refusing the download link to localhost" \
  openssl storeutl -noout -certs "dcs:ssl/$EMU_DCS_PEM"
expect_eq "... no request to it" "$(obs_requests)" 0
# The download host's error body is not read (it could say anything).
emu_reset
emu_fault '{"match":"GET /obs/","action":"status","status":403,"body":"{\"error_code\":\"OBS.FORGED\",\"error_msg\":\"call +1-555-0100 to restore access\"}"}'
run_fail "a download host's error: its status only" "HTTP 403 \\(request id" \
  openssl storeutl -noout -certs "dcs:ssl/$EMU_DCS_PEM"
if grep -q "OBS.FORGED\|restore access" <<<"$OUT"; then
  echo "$OUT" >&2
  fail "the download host's error body reached the message"
fi
pass "... its body never reaches the message"
run_fail "a redirect from the download host is not followed" "HTTP 302" \
  openssl storeutl -noout -certs "dcs:ssl/$EMU_DCS_REDIRECT"
emu_reset

# --- proxies: never for the metadata service; only the proxy setting ---
# A recording proxy, reached through every variable libcurl would honour.
python3 "$H/rec_proxy.py" "$T/proxy.log" "$T/proxy.port" &
PROXY_PID=$!
trap 'kill "$PROXY_PID" 2>/dev/null || true; emu_stop' EXIT
for _ in $(seq 1 100); do [ -s "$T/proxy.port" ] && break; sleep 0.1; done
[ -s "$T/proxy.port" ] || fail "the recording proxy did not start"
PROXY=http://127.0.0.1:$(cat "$T/proxy.port")
proxy_env=(env -u no_proxy -u NO_PROXY http_proxy="$PROXY" HTTP_PROXY="$PROXY"
  https_proxy="$PROXY" HTTPS_PROXY="$PROXY" all_proxy="$PROXY" ALL_PROXY="$PROXY")
md=(env -u HWCLOUD_TOKEN HWCLOUD_AUTH=metadata HWCLOUD_METADATA_ENDPOINT="$EMU_HTTP_URL")
: > "$T/proxy.log"
run_ok "metadata credentials with http_proxy & co. in the environment" \
  "${proxy_env[@]}" "${md[@]}" openssl storeutl -noout -certs "scm:cert/$EMU_SCM_RSA"
if [ -s "$T/proxy.log" ]; then
  cat "$T/proxy.log" >&2
  fail "the environment's proxy was used"
fi
pass "... the environment's proxy saw nothing (metadata tokens, AK/SK, API calls)"
hwc_write_conf "proxy = $PROXY"
run_ok "proxy = URL: metadata credentials" \
  "${md[@]}" openssl storeutl -noout -certs "scm:cert/$EMU_SCM_RSA"
expect_eq "... the API calls went through the proxy (CONNECT tunnels)" \
  "$(grep -c "^CONNECT 127.0.0.1:$EMU_PORT " "$T/proxy.log")" \
  "$(grep -c "^CONNECT" "$T/proxy.log")"
grep -q "^CONNECT 127.0.0.1:$EMU_PORT " "$T/proxy.log" || fail "no CONNECT through the proxy"
if grep -q "$EMU_HTTP_PORT\|meta-data\|securitykey" "$T/proxy.log"; then
  cat "$T/proxy.log" >&2
  fail "a metadata request went through the proxy"
fi
pass "... the metadata service was asked directly"
: > "$T/proxy.log"
run_ok "proxy = URL: a DCS download too" openssl storeutl -noout -certs "dcs:ssl/$EMU_DCS_PEM"
expect_eq "... every request tunnelled" "$(grep -vc "^CONNECT 127.0.0.1:$EMU_PORT " "$T/proxy.log")" 0
hwc_write_conf "proxy = http://user:secret@127.0.0.1:3128"
run_fail "a proxy URL with credentials is refused" \
  "setting proxy \\(from openssl.cnf\\)" "$HWC_TOOL" check
hwc_write_conf

# --- TLS session keys are never logged, and a privileged process will not
# let libcurl create the SSLKEYLOGFILE its caller names ------------------
rm -f "$T/keys.log"
run_ok "SSLKEYLOGFILE set: the load works" \
  env SSLKEYLOGFILE="$T/keys.log" openssl storeutl -noout -keys "scm:cert/$EMU_SCM_RSA"
if [ -s "$T/keys.log" ]; then
  head -3 "$T/keys.log" >&2
  fail "TLS session keys of API connections were logged"
fi
pass "... no session key of ours in it (an exported private key crossed that connection)"
rm -f "$PRIV/keys.log"
# (the environment's token is ignored there: the configuration names one)
{ cat "$PRIV/openssl.cnf"; echo "token = $EMU_TOKEN"; } > "$PRIV/token.cnf"
OUT=$(env SSLKEYLOGFILE="$PRIV/keys.log" "$PRIV/hwcloud-store" --config "$PRIV/token.cnf" check 2>&1 || true)
expect_in "setgid with SSLKEYLOGFILE: no request, and why" \
  "SSLKEYLOGFILE is set in a setuid or setcap process"
[ ! -e "$PRIV/keys.log" ] || fail "setgid: libcurl created SSLKEYLOGFILE"
pass "setgid: the file was not created"

hwc_done
