#!/usr/bin/env bash
# A provider section with an invalid setting still loads: `openssl list
# -providers` shows hwcloud inactive with the reason; every use of a URI
# (openssl's store, a PEM-wrapped key file, nginx) fails with the message
# that names the setting and its source, as the last error line; programs
# that name no URI of ours work as without hwcloud.
. "$(dirname "$0")/lib.sh"
hwc_setup
T=$HWC_TEST_TMP
# hwc_write_conf always writes $T/openssl.cnf: keep each variant's copy.
keep_conf() {
  cp "$T/openssl.cnf" "$T/$1.cnf"
  export OPENSSL_CONF=$T/$1.cnf
}
keep_conf good
GOOD=$OPENSSL_CONF
"$HWC_TOOL" uri2pem "kms:key/$EMU_KMS_RSA2048" -o "$T/kms.key.pem" >/dev/null
"$HWC_TOOL" uri2pem "scm:cert/$EMU_SCM_RSA" -o "$T/scm.key.pem" >/dev/null
MSG="setting region \\(from openssl.cnf\\): 'EU-DE': expected lower-case letters"

# The last line of the output must be hwcloud's message: whatever OpenSSL
# printed before it is the noise docs/troubleshooting.md explains.
last_line_is() {
  local last
  last=$(grep -v '^$' <<<"$OUT" | tail -n 1)
  grep -qE -- "$2" <<<"$last" || {
    echo "$OUT" >&2
    fail "$1: the last line is not /$2/: $last"
  }
  pass "$1"
}

hwc_write_conf "region = EU-DE"
sed -i "/^region = $EMU_REGION\$/d" "$T/openssl.cnf"
keep_conf bad
BAD=$OPENSSL_CONF

run_ok "openssl list -providers with an invalid region" openssl list -providers
expect_in "hwcloud is listed" "^  hwcloud$"
expect_in "its status is inactive" "status: inactive"
expect_in "its name gives the reason" "name: Huawei Cloud provider \\(unusable: $MSG"

for uri in "kms:key/$EMU_KMS_RSA2048" "scm:cert/$EMU_SCM_RSA" "dcs:ssl/$EMU_DCS_ZIP" \
  "codearts:keystore/x.p12" "kms:key/" "kms:alias/my-tls-key"; do
  run_fail "storeutl $uri: the setting and its source" \
    "hwcloud:.*invalid configuration:.*$uri: $MSG" \
    openssl storeutl -noout "$uri"
  last_line_is "storeutl $uri: hwcloud's line is the last" "$MSG"
done
expect_eq "nothing was sent to the cloud" "$(emu_total)" 0

run_fail "pkey -pubin on a KMS key" "$MSG" openssl pkey -pubin -noout -in "kms:key/$EMU_KMS_RSA2048"

# From the environment, the source is the variable.
sed '/^region = /d' "$GOOD" > "$T/noregion.cnf"
run_fail "an invalid HWCLOUD_REGION is named as such" \
  "setting region \\(from HWCLOUD_REGION\\): 'EU_DE'" \
  env OPENSSL_CONF="$T/noregion.cnf" HWCLOUD_REGION=EU_DE \
  openssl storeutl -noout "scm:cert/$EMU_SCM_RSA"

# A key file: with uri_pem = yes the decoder is there and says why.
hwc_write_conf "region = EU-DE" "uri_pem = yes"
sed -i "/^region = $EMU_REGION\$/d" "$T/openssl.cnf"
keep_conf badpem
BADPEM=$OPENSSL_CONF
run_fail "a wrapped KMS key file names the setting" "$MSG" \
  openssl pkey -noout -in "$T/kms.key.pem"
last_line_is "pkey: hwcloud's line is the last" "$MSG"
run_fail "a wrapped SCM key file names the setting" "$MSG" \
  openssl pkey -noout -in "$T/scm.key.pem"
# An invalid uri_pem still enables the decoder: its key files explain.
hwc_write_conf "uri_pem = perhaps"
keep_conf perhaps
run_fail "uri_pem = perhaps: the key file names that setting" \
  "setting uri_pem \\(from openssl.cnf\\): 'perhaps': expected yes or no" \
  openssl pkey -noout -in "$T/kms.key.pem"

# Nothing else changes: the decoders only with uri_pem, no keymgmt before
# a KMS key, and local keys and certificates are the default provider's.
export OPENSSL_CONF=$BAD
run_ok "list -decoders" openssl list -decoders
grep -q "@ hwcloud" <<<"$OUT" && fail "hwcloud offers decoders with uri_pem off"
pass "no decoder of hwcloud with uri_pem off"
run_ok "list -key-managers" openssl list -key-managers
grep -q "@ hwcloud" <<<"$OUT" && fail "hwcloud offers key managers before any KMS key"
pass "no key manager of hwcloud"
run_ok "genpkey EC" openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
  -out "$T/local.key"
run_ok "req -x509 with a local key" openssl req -x509 -key "$T/local.key" \
  -subj /CN=local -days 1 -out "$T/local.crt"
run_ok "storeutl of a local file" openssl storeutl -noout "$T/local.crt"
expect_in "the local certificate is found" "Total found: 1"
export OPENSSL_CONF=$BADPEM
run_ok "pkey of a local key with uri_pem on" openssl pkey -noout -in "$T/local.key"

# nginx: its error log shows the message (nginx -t loads the keys).
if command -v nginx >/dev/null; then
  . "$(dirname "$0")/servers_lib.sh"
  ETC=$T
  mkdir -p "$T/nginx"
  "$HWC_TOOL" --config "$GOOD" export "scm:cert/$EMU_SCM_RSA" -o "$T/chain.pem" >/dev/null
  cat > "$T/nginx/nginx.conf" <<EOF
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 8; }
http {
    client_body_temp_path $T/nginx/body;
    server {
        listen 127.0.0.1:$(free_port) ssl;
        ssl_certificate     $T/chain.pem;
        ssl_certificate_key $T/scm.key.pem;
    }
}
EOF
  run_fail "nginx -t: the error log names the setting" "$MSG" \
    env OPENSSL_CONF="$BADPEM" nginx -p "$T/nginx/" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" -t
  grep -qE "$MSG" "$T/nginx/error.log" || fail "nginx's error log lacks the message"
  pass "nginx's error log has the message"
else
  fail "nginx is not installed (scripts/install-deps.sh --test)"
fi

# The same configuration, valid again: everything works.
export OPENSSL_CONF=$GOOD
run_ok "a valid configuration loads the key" openssl storeutl -noout "kms:key/$EMU_KMS_RSA2048"
hwc_done
