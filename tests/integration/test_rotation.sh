#!/usr/bin/env bash
# Certificate rotation end to end, as docs/nginx.md section 4 sets it up
# (its sync.conf block is read from there): nginx serves an scm:
# certificate whose files `hwcloud-store sync` wrote; the emulator renews
# the certificate (same id, new key and serial); `sync` writes the new
# chain and runs `nginx -s reload` as its hook; a client loop running
# throughout sees every request succeed and then the new serial. A second
# sync changes nothing and runs no hook; a sync while the API fails
# leaves files, server and hook alone and exits 1; once the API is back,
# sync catches up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers_lib.sh"

NGX=""
LOOP_PID=""
stop_all() {
  [ -n "$LOOP_PID" ] && kill "$LOOP_PID" 2>/dev/null
  [ -n "$NGX" ] && stop_pidfile "$NGX/nginx.pid" QUIT
  return 0
}
trap stop_all EXIT # kept by emu_start, run after the emulator stops

command -v nginx >/dev/null || fail "nginx is not installed (scripts/install-deps.sh --test)"
servers_setup
T=$HWC_TEST_TMP
NGX=$T/nginx
mkdir -p "$NGX"
PORT=$(free_port)
CONF=$(server_conf nginx.md openssl-nginx)

# rc CMD...: runs CMD, stdout in $OUT, stderr in $ERR, exit status in $RC.
rc() {
  set +e
  OUT=$("$@" 2>"$T/stderr")
  RC=$?
  set -e
  ERR=$(cat "$T/stderr")
}

# The hook: nginx -s reload when nginx runs (as try-reload-or-restart).
cat >"$T/reload.sh" <<EOF
#!/bin/sh
echo "hook \$HWCLOUD_SYNC_ENTRIES" >> "$T/hooks.log"
[ -s "$NGX/nginx.pid" ] || exit 0
exec env -u HWCLOUD_TOKEN OPENSSL_CONF="$CONF" nginx -p "$NGX/" -c "$NGX/nginx.conf" -e "$NGX/error.log" -s reload
EOF
chmod 755 "$T/reload.sh"
doc_block nginx.md sync-conf | doc_paths |
  sed -e "s#^openssl_conf = .*#openssl_conf = $CONF#" \
    -e "s#^deploy_hook = .*#deploy_hook = $T/reload.sh#" \
    -e "s#scm:cert/scs1690083443906#scm:cert/$EMU_SCM_RSA#" >"$T/sync.conf"
grep -q "$EMU_SCM_RSA" "$T/sync.conf" || fail "docs/nginx.md sync-conf names no certificate"
sync_run() { rc env -u HWCLOUD_TOKEN "$HWC_TOOL" sync --sync-config "$T/sync.conf" "$@"; }
hooks() { [ -f "$T/hooks.log" ] && wc -l <"$T/hooks.log" || echo 0; }
files() { cat "$ETC"/www.example.com.* | sha256sum; }

cat >"$NGX/site.conf" <<EOF
server {
    listen 127.0.0.1:$PORT ssl;
    server_name www.example.com;
    ssl_certificate     $ETC/www.example.com.chain.pem;
    ssl_certificate_key $ETC/www.example.com.key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;
    root $T/www;
}
EOF
cat >"$NGX/nginx.conf" <<EOF
daemon on;
master_process on;
worker_processes 2;
user www-data;
pid $NGX/nginx.pid;
error_log $NGX/error.log info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $NGX/body;
    proxy_temp_path $NGX/proxy;
    fastcgi_temp_path $NGX/fastcgi;
    uwsgi_temp_path $NGX/uwsgi;
    scgi_temp_path $NGX/scgi;
    include $NGX/site.conf;
}
EOF

# served_serial: the serial of the certificate nginx presents now.
served_serial() {
  env -u OPENSSL_CONF openssl s_client -connect "127.0.0.1:$PORT" \
    -servername www.example.com </dev/null 2>/dev/null |
    env -u OPENSSL_CONF openssl x509 -noout -serial | sed 's/^serial=//'
}
file_serial() {
  env -u OPENSSL_CONF openssl x509 -in "$ETC/www.example.com.chain.pem" -noout -serial | sed 's/^serial=//'
}

# --- the first sync writes the files nginx starts with ------------------
sync_run
expect_eq "first sync: exit 3" "$RC" 3
expect_in "first sync: the chain and the key file" "^www.example.com: updated fullchain, key \("
run_ok "nginx starts with the files sync wrote" \
  env -u HWCLOUD_TOKEN OPENSSL_CONF="$CONF" nginx -p "$NGX/" -c "$NGX/nginx.conf" -e "$NGX/error.log"
wait_port "$PORT" || fail "nginx does not listen on $PORT: $(cat "$NGX/error.log")"
S1=$(file_serial)
expect_eq "nginx serves the certificate sync wrote" "$(served_serial)" "$S1"
fetch_pages 2 www.example.com "$PORT" "$EMU_SCM_ROOT"
hooks0=$(hooks)

# --- a client loop runs through the renewal and the reload ---------------
# One full handshake per request, bounded in count and time; it stops when
# $T/stop appears.
(
  for i in $(seq 1 3000); do
    [ -e "$T/stop" ] && break
    if env -u OPENSSL_CONF curl -s -o /dev/null --fail --max-time 10 --cacert "$EMU_SCM_ROOT" \
      --resolve "www.example.com:$PORT:127.0.0.1" "https://www.example.com:$PORT/"; then
      echo ok
    else
      echo "FAIL $i $?"
    fi
  done >>"$T/loop.log"
) &
LOOP_PID=$!
for _ in $(seq 1 100); do
  [ "$(grep -c ok "$T/loop.log" 2>/dev/null || true)" -ge 5 ] && break
  sleep 0.1
done

# --- renewal: same id, new key and serial --------------------------------
old_pub=$(env -u OPENSSL_CONF openssl x509 -in "$ETC/www.example.com.chain.pem" -noout -pubkey)
OUT=$(emu_admin POST /_emu/scm/renew "{\"id\":\"$EMU_SCM_RSA\"}")
S2=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["serial"])' "$OUT")
[ -n "$S2" ] && [ "$S2" != "$S1" ] || fail "the emulator did not renew: $OUT"
pass "the emulator renewed scm:cert/$EMU_SCM_RSA (serial $S1 -> $S2)"
echo "mark sync" >>"$T/loop.log"
emu_reset
sync_run
expect_eq "sync after the renewal: exit 3" "$RC" 3
expect_in "sync: the chain was updated, the key file was not" "^www.example.com: updated fullchain \(scm:cert/$EMU_SCM_RSA, serial $S2,"
expect_in "sync: the hook ran" "\(www.example.com\): ok$"
expect_eq "the hook ran once" "$(($(hooks) - hooks0))" 1
expect_eq "the file holds the new serial" "$(file_serial)" "$S2"
new_pub=$(env -u OPENSSL_CONF openssl x509 -in "$ETC/www.example.com.chain.pem" -noout -pubkey)
[ "$new_pub" != "$old_pub" ] || fail "the renewed certificate has the old key"
pass "the renewed certificate has a new key"

seen=""
for _ in $(seq 1 100); do
  seen=$(served_serial)
  [ "$seen" = "$S2" ] && break
  sleep 0.2
done
expect_eq "after the reload a client sees the new serial" "$seen" "$S2"
[ "$(scm_exports)" -ge 2 ] || fail "the reload did not fetch the new key from SCM"
pass "the reload fetched the key of the renewed certificate"
echo "mark seen" >>"$T/loop.log"
for _ in $(seq 1 50); do
  [ "$(sed -n '/mark seen/,$p' "$T/loop.log" | grep -c ok || true)" -ge 5 ] && break
  sleep 0.1
done
touch "$T/stop"
wait "$LOOP_PID" || true
LOOP_PID=""
before=$(sed -n '1,/mark sync/p' "$T/loop.log" | grep -c '^ok' || true)
during=$(sed -n '/mark sync/,/mark seen/p' "$T/loop.log" | grep -c '^ok' || true)
after=$(sed -n '/mark seen/,$p' "$T/loop.log" | grep -c '^ok' || true)
failed=$(grep -c '^FAIL' "$T/loop.log" || true)
echo "client loop: $before before the sync, $during during sync and reload, $after after, $failed failed"
[ "$before" -ge 5 ] && [ "$during" -ge 1 ] && [ "$after" -ge 5 ] ||
  fail "the client loop did not run throughout ($before/$during/$after)"
expect_eq "every request during the rotation succeeded" "$failed" 0

# --- nothing to do --------------------------------------------------------
h=$(hooks)
sum=$(files)
sync_run
expect_eq "second sync: exit 0" "$RC" 0
expect_in "second sync: unchanged" "^www.example.com: unchanged \(scm:cert/$EMU_SCM_RSA, serial $S2,"
expect_eq "second sync: no hook" "$(hooks)" "$h"
expect_eq "second sync: no file changed" "$(files)" "$sum"

# --- the API fails during a renewal ---------------------------------------
OUT=$(emu_admin POST /_emu/scm/renew "{\"id\":\"$EMU_SCM_RSA\"}")
S3=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["serial"])' "$OUT")
emu_fault '{"match":"/export","action":"status","status":503,"count":-1}'
sync_run
expect_eq "sync while the API fails: exit 1" "$RC" 1
expect_in "... says which entry failed and why" "^www.example.com: FAILED: scm:cert/$EMU_SCM_RSA: HTTP 503 .*\(its files were left as they were\)$"
grep -q "HTTP 503" <<<"$ERR" || fail "no message on stderr: $ERR"
expect_eq "... leaves the files as they were" "$(files)" "$sum"
expect_eq "... runs no hook" "$(hooks)" "$h"
expect_eq "... and nginx still serves the previous certificate" "$(served_serial)" "$S2"
[ -z "$(find "$ETC" -name '.*hwc-*')" ] || fail "temporary files left"
pass "... and leaves no temporary file"

emu_reset
sync_run
expect_eq "once the API is back, sync catches up: exit 3" "$RC" 3
for _ in $(seq 1 100); do
  seen=$(served_serial)
  [ "$seen" = "$S3" ] && break
  sleep 0.2
done
expect_eq "... and nginx serves the latest serial" "$seen" "$S3"

hwc_done
