#!/usr/bin/env bash
# bench/h2.sh: many KMS requests in flight from one libcurl multi handle
# (what the provider's engine does inside ASYNC jobs), over a pool of
# kept-alive HTTP/1.1 connections or as HTTP/2 streams of one connection.
# The emulator speaks HTTP/1.1 only, so both go through the same nginx
# in front of it (HTTP/2 offered by ALPN, HTTP/1.1 kept-alive to the
# emulator): only the client side differs. Client:
# tests/integration/helpers/emu_burst, 64 requests in flight, EC P-256
# sign requests, at 0 ms and DELAY_MS of added latency, rounds alternated.
# Run by bench/run.sh with its emulator running (EMU_* exported):
#
#   bash bench/h2.sh BUILD WORKDIR REQUESTS DELAY_MS ROUNDS
#
# Prints one JSON line per run ("h2.http1@D", "h2.http2@D").
set -uo pipefail
BUILD=$1 W=$2 N=$3 DELAY_MS=$4 ROUNDS=$5
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
. "$ROOT/tests/integration/emu_lib.sh"
BURST=$BUILD/tests/integration/helpers/emu_burst
mkdir -p "$W/logs"

note() {
  python3 -c 'import json,sys; print(json.dumps({"scenario":sys.argv[1],"not_measured":sys.argv[2]}))' "$1" "$2"
}
command -v nginx >/dev/null || { note h2 "nginx is not installed"; exit 0; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$W/front.key" -out "$W/front.pem" -subj /CN=127.0.0.1 -days 2 \
  -addext subjectAltName=IP:127.0.0.1 2>/dev/null || { note h2 "openssl req failed"; exit 0; }
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cat > "$W/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $W/nginx.pid;
error_log $W/logs/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $W/body;
    proxy_temp_path $W/proxy;
    fastcgi_temp_path $W/fastcgi;
    uwsgi_temp_path $W/uwsgi;
    scgi_temp_path $W/scgi;
    upstream emu { server 127.0.0.1:$EMU_PORT; keepalive 128; }
    server {
        listen 127.0.0.1:$PORT ssl http2;
        ssl_certificate $W/front.pem;
        ssl_certificate_key $W/front.key;
        http2_max_concurrent_streams 256;
        keepalive_requests 1000000;
        location / {
            proxy_pass https://emu;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_ssl_session_reuse on;
        }
    }
}
EOF
OPENSSL_CONF=/dev/null nginx -p "$W/" -c "$W/nginx.conf" -e "$W/logs/error.log" \
  >"$W/logs/out.log" 2>&1 &
NGX=$!
trap 'kill $NGX 2>/dev/null; wait $NGX 2>/dev/null' EXIT
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.1
done
MSG=$(head -c 32 /dev/urandom | base64)
BODY="{\"key_id\":\"$EMU_KMS_EC256\",\"message\":\"$MSG\",\"signing_algorithm\":\"ECDSA_SHA_256\",\"message_type\":\"DIGEST\"}"
P=/v1.0/$EMU_PROJECT_ID/kms/sign
burst() { # MODE DELAY
  local flag=() out
  [ "$1" = http2 ] && flag=(--http2)
  emu_reset
  [ "$2" -gt 0 ] && emu_fault "{\"match\":\"/kms/sign\",\"action\":\"delay\",\"delay_ms\":$2,\"count\":-1}"
  out=$(EMU_URL=https://127.0.0.1:$PORT EMU_CA=$W/front.pem "$BURST" \
    --concurrency 64 --requests "$N" --path "$P" --body "$BODY" "${flag[@]}") ||
    { note "h2.$1@$2" "emu_burst failed: $out"; return; }
  python3 -c '
import json, sys
r = json.loads(sys.argv[1]); r.update(scenario=sys.argv[2], delay_ms=int(sys.argv[3]))
print(json.dumps(r))' "$out" "h2.$1@$2" "$2"
}
for d in 0 "$DELAY_MS"; do
  for _ in $(seq 1 "$ROUNDS"); do
    burst http1 "$d"
    burst http2 "$d"
  done
done
exit 0
