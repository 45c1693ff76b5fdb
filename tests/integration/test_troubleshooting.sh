#!/usr/bin/env bash
# docs/troubleshooting.md cannot drift from the code: this provokes every
# message its table lists, through the programs users run (openssl,
# hwcloud-store, nginx, HAProxy, Apache, curl) against the emulator, and
# then requires that
#   - every message of the table's first column (its `code` spans; "...",
#     with the blanks around it, stands for any text) appears in what
#     those programs printed;
#   - every reason the provider raises (err.c, wherever hwc_raise names it)
#     has a row;
#   - the hwcloud line is the last error line of each failed openssl
#     command, as the page says.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers_lib.sh"
hwc_setup
T=$HWC_TEST_TMP
ETC=$T
CORPUS=$T/corpus
DOC=$HWC_SOURCE_DIR/docs/troubleshooting.md
: >"$CORPUS"
SRV=""
stop_servers() {
  [ -n "$SRV" ] && kill "$SRV" 2>/dev/null
  stop_pidfile "$T/apache/apache2.pid" TERM
  return 0
}
trap stop_servers EXIT

# provoke NAME CMD...: runs CMD (which is to fail), keeps what it printed.
# What it wrote to stderr alone is in $ERR.
provoke() {
  local name=$1
  shift
  if OUT=$("$@" 2>"$T/stderr"); then
    cat "$T/stderr" >&2
    fail "$name: succeeded, but should have failed"
  fi
  ERR=$(cat "$T/stderr")
  OUT+=$'\n'$ERR
  printf '## %s\n%s\n' "$name" "$OUT" >>"$CORPUS"
  pass "$name: provoked"
}

# The last error line on stderr is hwcloud's.
hwcloud_last() {
  local last
  last=$(grep -E '^[0-9A-F]+:error:' <<<"$ERR" | tail -n 1 || true)
  grep -q ':hwcloud:' <<<"$last" || {
    echo "$OUT" >&2
    fail "$1: the last error line is not hwcloud's: $last"
  }
  pass "$1: hwcloud's line is the last"
}

# provoke_ssl NAME CMD...: an openssl command; hwcloud's line comes last.
provoke_ssl() {
  provoke "$@"
  hwcloud_last "$1"
}

SCM=scm:cert/$EMU_SCM_RSA
KMS=kms:key/$EMU_KMS_RSA2048
GOOD=$T/good.cnf
cp "$OPENSSL_CONF" "$GOOD"
conf() { # conf LINES...: the good configuration plus LINES, in $OPENSSL_CONF
  hwc_write_conf "$@"
}

# --- what the URI or the configuration says --------------------------------
provoke_ssl "invalid URI" openssl storeutl -noout kms:key/NOT-A-UUID
provoke_ssl "invalid URI query" openssl storeutl -noout "$SCM?color=blue"
conf "region = EU-DE"
sed -i "/^region = $EMU_REGION\$/d" "$OPENSSL_CONF"
provoke_ssl "invalid setting" openssl storeutl -noout "$SCM"
run_ok "list -providers with an invalid setting" openssl list -providers
printf '## list -providers\n%s\n' "$OUT" >>"$CORPUS"
conf "timeout = 0"
provoke_ssl "timeout 0" openssl storeutl -noout "$SCM"
conf "ca_file = $T/none.pem"
provoke_ssl "ca_file missing" openssl storeutl -noout "$SCM"
conf "dcs_download_hosts = myhuaweicloud.com"
provoke_ssl "DCS link elsewhere" openssl storeutl -noout "dcs:ssl/$EMU_DCS_ZIP"
conf
KEY=$T/kms.key.pem
"$HWC_TOOL" uri2pem "$KMS" -o "$KEY" >/dev/null
"$HWC_TOOL" uri2pem "$SCM" -o "$T/scm.key.pem" >/dev/null
conf "uri_pem = yes" "uri_pem_allow = scm:cert/*"
provoke_ssl "uri_pem_allow" openssl pkey -noout -in "$KEY"
"$HWC_TOOL" uri2pem "$SCM?region=eu-nl" -o "$T/override.key.pem" >/dev/null
conf "uri_pem = yes"
provoke_ssl "uri_pem_overrides" openssl pkey -noout -in "$T/override.key.pem"

# --- credentials -------------------------------------------------------------
conf
provoke_ssl "no credentials" env -u HWCLOUD_TOKEN openssl storeutl -noout "$SCM"
provoke_ssl "token refused" env HWCLOUD_TOKEN=not-a-token openssl storeutl -noout "$SCM"
emu_expire_tokens
provoke_ssl "token expired" openssl storeutl -noout "$SCM"
emu_admin POST /_emu/revive-tokens >/dev/null
provoke_ssl "password login" env -u HWCLOUD_TOKEN HWCLOUD_AUTH=password \
  HWCLOUD_IAM_USER="$EMU_IAM_USER" HWCLOUD_IAM_DOMAIN="$EMU_IAM_DOMAIN" \
  HWCLOUD_IAM_PASSWORD=wrong openssl storeutl -noout "$SCM"
provoke_ssl "AK/SK refused" env -u HWCLOUD_TOKEN HWCLOUD_ACCESS_KEY="$EMU_AK" \
  HWCLOUD_SECRET_KEY=0000000000000000000000000000000000000000 openssl storeutl -noout "$SCM"
echo "$EMU_TOKEN" >"$T/token" && chmod 644 "$T/token"
provoke_ssl "token_file readable by others" env -u HWCLOUD_TOKEN HWCLOUD_TOKEN_FILE="$T/token" \
  openssl storeutl -noout "$SCM"
chmod 620 "$T/token"
provoke_ssl "token_file writable by its group" env -u HWCLOUD_TOKEN HWCLOUD_TOKEN_FILE="$T/token" \
  openssl storeutl -noout "$SCM"
chmod 600 "$T/token" && chown 65534 "$T/token"
provoke_ssl "token_file of another user" env -u HWCLOUD_TOKEN HWCLOUD_TOKEN_FILE="$T/token" \
  openssl storeutl -noout "$SCM"
chown 0 "$T/token"
provoke_ssl "another project with a static token" openssl pkey -pubin -noout -in \
  "$KMS?project_id=0123456789abcdef0123456789abcdef"
conf "project_id = 0123456789abcdef0123456789abcdef"
provoke_ssl "KMS: the URI's project is not the token's" openssl pkey -pubin -noout -in "$KMS"

# --- the network ---------------------------------------------------------------
conf "endpoint = https://127.0.0.1:1" "retries = 0"
sed -i "0,/^endpoint = $(sed 's#[/.]#\\&#g' <<<"$EMU_URL")\$/{//d}" "$OPENSSL_CONF"
provoke_ssl "connection refused" openssl storeutl -noout "$SCM"
conf "timeout = 1" "retries = 1"
emu_fault '{"match":"/export","action":"delay","delay_ms":3000,"count":2}'
provoke_ssl "timed out, retried" openssl storeutl -noout "$SCM"
emu_reset
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=other \
  "${HWC_CA_EXT[@]}" -keyout "$T/other.key" -out "$T/other.pem" -days 1 2>/dev/null
conf "ca_file = $T/other.pem"
sed -i "0,/^ca_file = $(sed 's#[/.]#\\&#g' <<<"$EMU_CA")\$/{//d}" "$OPENSSL_CONF"
provoke_ssl "untrusted API certificate" openssl storeutl -noout "$SCM"
conf "retries = 0"
emu_fault '{"match":"/export","action":"status","status":503,"count":1}'
provoke_ssl "HTTP 503" openssl storeutl -noout "$SCM"
conf
emu_fault '{"match":"/export","action":"status","status":503,"count":10}'
provoke_ssl "HTTP 503, retried" openssl storeutl -noout "$SCM"
emu_reset

# --- what the services answer --------------------------------------------------
provoke_ssl "no such certificate" openssl storeutl -noout scm:cert/scs0000000000000
provoke_ssl "no such key" openssl pkey -pubin -noout -in kms:key/00000000-0000-4000-a000-000000000000
provoke_ssl "no such alias" openssl pkey -pubin -noout -in kms:alias/nope
provoke_ssl "no such name" openssl storeutl -noout scm:name/nope
provoke_ssl "no such DCS instance" openssl storeutl -noout dcs:ssl/00000000-0000-4000-a000-000000000000
# list-keys answering two keys with one alias (the alias API has none).
emu_fault "$(python3 -c 'import json
k = lambda i: {"key_id": i, "key_alias": "dup", "key_spec": "RSA_2048",
               "key_usage": "SIGN_VERIFY", "key_state": "2"}
body = {"key_details": [k("11111111-1111-4111-a111-111111111111"),
                        k("22222222-2222-4222-a222-222222222222")], "truncated": "false"}
print(json.dumps({"match": "/kms/list-keys", "action": "status", "status": 200, "count": -1,
                  "body": json.dumps(body)}))')"
provoke_ssl "two keys, one alias" openssl pkey -pubin -noout -in kms:alias/dup
emu_reset
provoke_ssl "disabled key" openssl pkey -pubin -noout -in "kms:key/$EMU_KMS_DISABLED"
provoke_ssl "key pending deletion" openssl pkey -pubin -noout -in "kms:key/$EMU_KMS_PENDING_DELETE"
emu_fault '{"match":"/export","action":"malformed"}'
provoke_ssl "malformed answer" openssl storeutl -noout "$SCM"
emu_fault '{"match":"/export","action":"oversize","size":104857600}'
provoke_ssl "oversized answer" openssl storeutl -noout "$SCM"
emu_reset
provoke_ssl "key and certificates do not match" openssl storeutl -noout "scm:cert/$EMU_SCM_MISMATCH"
emu_fault "{\"match\":\"/export\",\"action\":\"status\",\"status\":200,\"body\":\"{\\\"certificate\\\":\\\"-----BEGIN CERTIFICATE-----\\\\nAAAA!!\\\\n-----END CERTIFICATE-----\\\\n\\\",\\\"private_key\\\":\\\"x\\\"}\"}"
provoke_ssl "undecodable certificate" openssl storeutl -noout "$SCM"
emu_reset
mkdir -p "$EMU_CODEARTS_DIR"
cp "$HWC_SOURCE_DIR/tests/fixtures/keystores/store.p12" "$EMU_CODEARTS_DIR/app.p12"
provoke_ssl "wrong keystore password" openssl storeutl -noout -passin pass:wrong codearts:keystore/app.p12
printf 'signed\n' >"$T/msg"
emu_fault "{\"match\":\"/kms/sign\",\"action\":\"status\",\"status\":200,\"body\":\"{\\\"key_id\\\":\\\"$EMU_KMS_EC256\\\",\\\"signature\\\":\\\"MAYCAQECAQE=\\\"}\"}"
provoke_ssl "a signature that does not verify" openssl dgst -sha256 -sign "kms:key/$EMU_KMS_EC256" \
  -out "$T/sig" "$T/msg"
emu_reset
openssl pkey -pubin -in "kms:key/$EMU_KMS_RSA2048_ENC" -out "$T/enc.pub" 2>/dev/null
openssl pkeyutl -encrypt -pubin -inkey "$T/enc.pub" -in "$T/msg" -out "$T/ct" 2>/dev/null
provoke_ssl "PKCS#1 v1.5 decryption" openssl pkeyutl -decrypt -inkey "kms:key/$EMU_KMS_RSA2048_ENC" \
  -in "$T/ct" -out "$T/pt"
run_ok "err_corners" "$HWC_BUILD_DIR/tests/integration/helpers/err_corners" \
  "$HWC_SOURCE_DIR/tests/fixtures/keystores/legacy.p12" changeit
printf '## err_corners\n%s\n' "$OUT" >>"$CORPUS"

# --- SCM's list cap and Open Telekom Cloud: emulators of their own -----------
emu_stop
emu_start --extra-certs 200
conf
export HWCLOUD_TOKEN=$EMU_TOKEN
provoke_ssl "SCM's list cap" openssl storeutl scm:cert/
emu_stop
emu_start --cloud otc
conf "cloud = otc"
export HWCLOUD_TOKEN=$EMU_TOKEN
openssl pkey -pubin -in "kms:key/$EMU_KMS_RSA2048_ENC" -out "$T/enc.pub" 2>/dev/null
openssl pkeyutl -encrypt -pubin -inkey "$T/enc.pub" -pkeyopt rsa_padding_mode:oaep \
  -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 -in "$T/msg" -out "$T/ct" 2>/dev/null
provoke_ssl "OTC decryption" openssl pkeyutl -decrypt -inkey "kms:key/$EMU_KMS_RSA2048_ENC" \
  -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 \
  -in "$T/ct" -out "$T/pt"
provoke_ssl "OTC has no SCM" openssl storeutl -noout "scm:cert/$EMU_SCM_RSA"
emu_stop
emu_start
conf
export HWCLOUD_TOKEN=$EMU_TOKEN
SCM=scm:cert/$EMU_SCM_RSA
KMS=kms:key/$EMU_KMS_RSA2048

# --- hwcloud-store ---------------------------------------------------------------
provoke "check: a refused token" env HWCLOUD_TOKEN=not-a-token "$HWC_TOOL" check
conf "project_id = 0123456789abcdef0123456789abcdef"
provoke "check: project_id of another region" "$HWC_TOOL" check
conf "region = eu-west-0"
sed -i "/^region = $EMU_REGION\$/d" "$OPENSSL_CONF"
provoke "check: a region without that project" "$HWC_TOOL" check
conf
sed -i '/^module = /{n;d}' "$OPENSSL_CONF"
provoke "check: no activate" "$HWC_TOOL" check
conf
sed -i '/^module = /d' "$OPENSSL_CONF"
provoke "check: module not found" env OPENSSL_MODULES="$T/nowhere" "$HWC_TOOL" check
provoke "unregistered scheme" env OPENSSL_MODULES="$T/nowhere" openssl storeutl -noout "$SCM"
conf
provoke "export: an unknown certificate" "$HWC_TOOL" export scm:cert/scs0000000000000 -o "$T/x.pem"
provoke "uri2pem: a URI that is not one" "$HWC_TOOL" uri2pem kms:nothing/1
SUID=$T/priv
mkdir -p "$SUID" && chmod 755 "$SUID"
cp "$HWC_TOOL" "$SUID/hwcloud-store"
chgrp 65534 "$SUID/hwcloud-store" && chmod 2755 "$SUID/hwcloud-store"
{ cat "$OPENSSL_CONF"; echo "token = $EMU_TOKEN"; } >"$SUID/token.cnf"
provoke "SSLKEYLOGFILE in a setgid program" env SSLKEYLOGFILE="$SUID/keys.log" \
  "$SUID/hwcloud-store" --config "$SUID/token.cnf" check

# --- a key file without uri_pem, as each program says it -----------------------
conf
printf '## a key file\n%s\n' "$(cat "$KEY")" >>"$CORPUS"
provoke "openssl: a key file, uri_pem off" openssl pkey -noout -in "$KEY"
PORT=$(free_port)
"$HWC_TOOL" export "$SCM" -o "$T/chain.pem" >/dev/null
mkdir -p "$T/nginx"
cat >"$T/nginx/nginx.conf" <<EOF
pid $T/nginx/nginx.pid;
events {}
http {
    client_body_temp_path $T/nginx;
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_certificate     $T/chain.pem;
        ssl_certificate_key $T/scm.key.pem;
    }
}
EOF
provoke "nginx: a key file, uri_pem off" nginx -p "$T/nginx/" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" -t
cp "$T/chain.pem" "$T/www.pem"
cp "$T/scm.key.pem" "$T/www.pem.key"
printf 'defaults\n\tmode http\n\ttimeout client 5s\n\ttimeout server 5s\n\ttimeout connect 5s\nfrontend f\n\tbind 127.0.0.1:%s ssl crt %s\n' \
  "$PORT" "$T/www.pem" >"$T/haproxy.cfg"
provoke "HAProxy: a key file, uri_pem off" haproxy -c -f "$T/haproxy.cfg"
mkdir -p "$T/apache"
M=/usr/lib/apache2/modules
cat >"$T/apache/apache2.conf" <<EOF
ServerRoot $T/apache
DefaultRuntimeDir $T/apache
PidFile $T/apache/apache2.pid
ErrorLog $T/apache/error.log
Mutex file:$T/apache default
LoadModule mpm_event_module $M/mod_mpm_event.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule socache_shmcb_module $M/mod_socache_shmcb.so
LoadModule ssl_module $M/mod_ssl.so
ServerName localhost
Listen 127.0.0.1:$PORT https
<VirtualHost 127.0.0.1:$PORT>
    SSLEngine on
    SSLCertificateFile    $T/chain.pem
    SSLCertificateKeyFile $T/scm.key.pem
</VirtualHost>
EOF
apache2 -f "$T/apache/apache2.conf" -k start >/dev/null 2>&1 || true
for _ in $(seq 1 50); do
  grep -q AH02564 "$T/apache/error.log" 2>/dev/null && break
  sleep 0.1
done
stop_pidfile "$T/apache/apache2.pid" TERM
printf '## Apache: a key file, uri_pem off\n%s\n' "$(cat "$T/apache/error.log")" >>"$CORPUS"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=s \
  -keyout "$T/s.key" -out "$T/s.crt" -days 1 2>/dev/null
env -u OPENSSL_CONF openssl s_server -accept "127.0.0.1:$PORT" -cert "$T/s.crt" -key "$T/s.key" \
  -www >"$T/s_server.log" 2>&1 &
SRV=$!
wait_port "$PORT" || fail "s_server does not listen"
provoke "curl: a key file, uri_pem off" curl -sS --cert "$T/chain.pem" --key "$KEY" -k "https://127.0.0.1:$PORT/"

# --- the page itself -------------------------------------------------------------
# Every `message` of the table's first column, "..." as any text.
rows=$(sed -n '/^| message/,/^$/p' "$DOC" | grep '^| `' | sed 's/^| \(.*\) | .* | .* |$/\1/')
[ -n "$rows" ] || fail "no table rows in docs/troubleshooting.md"
n=0
while IFS= read -r frag; do
  [ -n "$frag" ] || continue
  re=$(python3 -c 'import re,sys; print(".*".join(re.escape(p.strip(" ")) for p in sys.argv[1].split("...")))' "$frag")
  grep -qE -- "$re" "$CORPUS" || fail "docs/troubleshooting.md: no test printed \`$frag\`"
  n=$((n + 1))
done < <(grep -oE '`[^`]+`' <<<"$rows" | sed 's/^`//; s/`$//')
pass "docs/troubleshooting.md: all $n messages of its table were printed"

# Every reason the code raises has a row (its text, as the error line shows it).
while read -r name; do
  text=$(sed -n "s/^ *{$name, \"\\(.*\\)\"},/\\1/p" "$HWC_SOURCE_DIR/provider/core/err.c")
  [ -n "$text" ] || fail "no text for $name in err.c"
  grep -qF -- "\`$text" <<<"$rows" || fail "docs/troubleshooting.md has no row for \"$text\" ($name)"
done < <(cat "$HWC_SOURCE_DIR"/provider/*/*.c "$HWC_SOURCE_DIR"/tools/*.c |
  grep -v '^ *{HWC_R_' | grep -oE 'HWC_R_[A-Z_]+' | grep -vx HWC_R_REASON_MAX | sort -u)
pass "docs/troubleshooting.md: a row for every reason the code raises"
hwc_done
