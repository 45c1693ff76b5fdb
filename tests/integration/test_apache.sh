#!/usr/bin/env bash
# Apache httpd 2.4 (Debian) with mod_ssl and the event MPM serving TLS
# with keys from the emulator, configured as docs/apache.md says (the
# blocks are read from it): scm:cert/<id> and kms:key/<id> through
# PEM-wrapped URI key files, chains written by `hwcloud-store export`,
# children running as www-data signing through KMS.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers_lib.sh"

A=""
stop_apache() {
  [ -n "$A" ] && stop_pidfile "$A/apache2.pid" TERM
  return 0
}
trap stop_apache EXIT

command -v apache2 >/dev/null || fail "apache2 is not installed (scripts/install-deps.sh --test)"
servers_setup
A=$HWC_TEST_TMP/apache
mkdir -p "$A/run"
PORT=$(free_port)
MODS=/usr/lib/apache2/modules

run_ok "uri2pem for the SCM key" \
  "$HWC_TOOL" uri2pem "scm:cert/$EMU_SCM_RSA" -o "$ETC/www.example.com.key.pem"
run_ok "export the SCM chain" \
  "$HWC_TOOL" export "scm:cert/$EMU_SCM_RSA" -o "$ETC/www.example.com.chain.pem"
run_ok "uri2pem for the KMS key" \
  "$HWC_TOOL" uri2pem "kms:key/$EMU_KMS_RSA3072" -o "$ETC/kms.example.com.key.pem"
kms_cert "$EMU_KMS_RSA3072" kms.example.com

CONF=$(server_conf apache.md openssl-apache)
doc_block apache.md apache-site | doc_paths |
  sed "s/<VirtualHost \*:443>/<VirtualHost 127.0.0.1:$PORT>/" > "$A/site.conf"
cat > "$A/apache2.conf" <<EOF
DefaultRuntimeDir $A/run
PidFile $A/apache2.pid
ErrorLog $A/error.log
LogLevel info
Mutex file:$A/run default
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule dir_module $MODS/mod_dir.so
LoadModule socache_shmcb_module $MODS/mod_socache_shmcb.so
LoadModule ssl_module $MODS/mod_ssl.so
User www-data
Group www-data
ServerName localhost
StartServers 2
ServerLimit 2
Listen 127.0.0.1:$PORT https
LogFormat "%P %{SSL_TLS_SNI}x %>s" pidsni
CustomLog $A/access.log pidsni
DirectoryIndex index.html
<Directory $HWC_TEST_TMP/www>
    Require all granted
</Directory>
Include $A/site.conf
EOF
apache() {
  env -u HWCLOUD_TOKEN OPENSSL_CONF="$1" apache2 -f "$A/apache2.conf" "${@:2}"
}

run_ok "configtest" apache "$CONF" -t

# Without uri_pem hwcloud offers no decoder: Apache does not start, and
# its log says it could not read the key (docs/apache.md).
sed '/^uri_pem/d' "$CONF" > "$HWC_TEST_TMP/openssl-apache-off.cnf"
apache "$HWC_TEST_TMP/openssl-apache-off.cnf" -k start >/dev/null 2>&1 || true
for _ in $(seq 1 50); do
  grep -q "AH02564" "$A/error.log" 2>/dev/null && break
  sleep 0.1
done
stop_apache
OUT=$(cat "$A/error.log")
expect_in "uri_pem off: the error log says the key could not be used" \
  "AH02564: Failed to configure encrypted \\(\\?\\) private key"
: > "$A/error.log"

run_ok "apache starts" apache "$CONF" -k start
wait_port "$PORT" || fail "apache does not listen on $PORT: $(cat "$A/error.log")"
sleep 0.5
master=$(cat "$A/apache2.pid")
children=$(pgrep -P "$master" -c apache2 || true)
[ "$children" -ge 2 ] || fail "expected 2 child processes, got $children"
pass "parent with $children child processes (www-data)"

emu_reset
fetch_pages 6 www.example.com "$PORT" "$EMU_SCM_ROOT"
expect_eq "SCM key: no KMS signature" "$(signs)" 0
fetch_pages 8 kms.example.com "$PORT" "$ETC/test-ca.pem"
expect_eq "KMS key: one KMS sign per full handshake" "$(signs)" 8
served=$(grep -c " kms.example.com 200" "$A/access.log" || true)
expect_eq "KMS key: the children served every request" "$served" 8
echo "# child pids that served: $(awk '{print $1}' "$A/access.log" | sort -u | tr '\n' ' ')"

# Renewal: export, then a graceful restart fetches the key again.
run_ok "export again (renewal)" \
  "$HWC_TOOL" export "scm:cert/$EMU_SCM_RSA" -o "$ETC/www.example.com.chain.pem"
emu_reset
run_ok "graceful restart" apache "$CONF" -k graceful
for _ in $(seq 1 50); do
  [ "$(scm_exports)" -ge 1 ] && break
  sleep 0.2
done
[ "$(scm_exports)" -ge 1 ] || fail "the restart did not fetch the SCM key again"
pass "graceful restart fetched the SCM key again"
sleep 1
wait_port "$PORT" || fail "apache is gone after the restart"
fetch_pages 3 www.example.com "$PORT" "$EMU_SCM_ROOT"
before=$(signs)
fetch_pages 3 kms.example.com "$PORT" "$ETC/test-ca.pem"
expect_eq "after the restart: one sign per handshake" "$(($(signs) - before))" 3

hwc_done
