#!/usr/bin/env bash
# nginx 1.22 (Debian) serving TLS with keys from the emulator, configured
# as docs/nginx.md says (the blocks are read from it): master_process on,
# 2 workers running as www-data; one server with the key of scm:cert/<id>
# through a PEM-wrapped URI key file and the chain written by
# `hwcloud-store export`, one with kms:key/<id> (remote signing from the
# forked workers: one KMS sign per full handshake).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers_lib.sh"

NGX=""
stop_nginx() {
  [ -n "$NGX" ] && stop_pidfile "$NGX/nginx.pid" QUIT
  return 0
}
trap stop_nginx EXIT # kept by emu_start, run after the emulator stops

command -v nginx >/dev/null || fail "nginx is not installed (scripts/install-deps.sh --test)"
servers_setup
NGX=$HWC_TEST_TMP/nginx
mkdir -p "$NGX"
PORT=$(free_port)

# Key and certificate files, as docs/nginx.md section 2 makes them.
run_ok "uri2pem for the SCM key" \
  "$HWC_TOOL" uri2pem "scm:cert/$EMU_SCM_RSA" -o "$ETC/www.example.com.key.pem"
run_ok "export the SCM chain" \
  "$HWC_TOOL" export "scm:cert/$EMU_SCM_RSA" -o "$ETC/www.example.com.chain.pem"
run_ok "uri2pem for the KMS key" \
  "$HWC_TOOL" uri2pem "kms:key/$EMU_KMS_RSA2048" -o "$ETC/kms.example.com.key.pem"
kms_cert "$EMU_KMS_RSA2048" kms.example.com
pass "certificate for the KMS key made from a CSR the key signed"

# openssl.cnf and server blocks from the docs; a test-only main config.
CONF=$(server_conf nginx.md openssl-nginx)
doc_block nginx.md nginx-site | doc_paths |
  sed "s/listen 443 ssl;/listen 127.0.0.1:$PORT ssl;/" > "$NGX/site.conf"
cat > "$NGX/nginx.conf" <<EOF
daemon on;
master_process on;
worker_processes 2;
user www-data;
pid $NGX/nginx.pid;
error_log $NGX/error.log info;
events { worker_connections 64; }
http {
    log_format pid '\$pid \$ssl_server_name \$status';
    access_log $NGX/access.log pid;
    client_body_temp_path $NGX/body;
    proxy_temp_path $NGX/proxy;
    fastcgi_temp_path $NGX/fastcgi;
    uwsgi_temp_path $NGX/uwsgi;
    scgi_temp_path $NGX/scgi;
    include $NGX/site.conf;
}
EOF
ngx() {
  env -u HWCLOUD_TOKEN OPENSSL_CONF="$1" nginx -p "$NGX/" -c "$NGX/nginx.conf" \
    -e "$NGX/error.log" "${@:2}"
}

# Without uri_pem hwcloud offers no decoder: the key files are files
# libcrypto cannot decode (docs/nginx.md shows the message to look for).
sed '/^uri_pem/d' "$CONF" > "$HWC_TEST_TMP/openssl-nginx-off.cnf"
run_fail "nginx -t without uri_pem cannot read the key files" \
  "PEM_read_bio_PrivateKey\(\) failed.*No supported data to decode" \
  ngx "$HWC_TEST_TMP/openssl-nginx-off.cnf" -t

run_ok "nginx -t with the documented configuration" ngx "$CONF" -t
run_ok "nginx starts" ngx "$CONF"
wait_port "$PORT" || fail "nginx does not listen on $PORT: $(cat "$NGX/error.log")"
master=$(cat "$NGX/nginx.pid")
sleep 0.5
workers=$(pgrep -P "$master" -c nginx || true)
expect_eq "master with 2 worker processes" "$workers" 2

emu_reset
fetch_pages 6 www.example.com "$PORT" "$EMU_SCM_ROOT"
expect_eq "SCM key: no KMS signature" "$(signs)" 0
expect_eq "SCM key: nothing exported while serving" "$(scm_exports)" 0

fetch_pages 8 kms.example.com "$PORT" "$ETC/test-ca.pem"
expect_eq "KMS key: one KMS sign per full handshake" "$(signs)" 8
served=$(grep -c " kms.example.com 200" "$NGX/access.log" || true)
expect_eq "KMS key: the workers served every request" "$served" 8

# Both workers sign: concurrent handshakes until each worker served one.
kms_pids() { grep " kms.example.com 200" "$NGX/access.log" | awk '{print $1}' | sort -u | wc -l; }
for _ in $(seq 1 5); do
  [ "$(kms_pids)" -ge 2 ] && break
  pids=()
  for _ in $(seq 1 6); do
    curl -s -o /dev/null --max-time 20 --cacert "$ETC/test-ca.pem" \
      --resolve "kms.example.com:$PORT:127.0.0.1" "https://kms.example.com:$PORT/" &
    pids+=($!)
  done
  wait "${pids[@]}" || true # (a bare wait would wait for the emulator)
done
expect_eq "KMS key: both workers signed handshakes" "$(kms_pids)" 2
n=$(grep -c " kms.example.com 200" "$NGX/access.log")
expect_eq "KMS key: still one sign per handshake" "$(signs)" "$n"

# Renewal: export, then reload; the key is fetched again at reload.
run_ok "export again (renewal)" \
  "$HWC_TOOL" export "scm:cert/$EMU_SCM_RSA" -o "$ETC/www.example.com.chain.pem"
emu_reset
run_ok "nginx reload" ngx "$CONF" -s reload
for _ in $(seq 1 50); do
  [ "$(scm_exports)" -ge 1 ] && [ "$(pgrep -P "$master" -c nginx || true)" = 2 ] && break
  sleep 0.2
done
# (nginx -s reload parses the configuration too, so it may count as well)
[ "$(scm_exports)" -ge 1 ] || fail "the reload did not fetch the SCM key again"
pass "reload fetched the SCM key again"
sleep 1 # let the old workers finish
fetch_pages 3 www.example.com "$PORT" "$EMU_SCM_ROOT"
before=$(signs)
fetch_pages 3 kms.example.com "$PORT" "$ETC/test-ca.pem"
expect_eq "after reload: one sign per handshake" "$(($(signs) - before))" 3

hwc_done
