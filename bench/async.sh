#!/usr/bin/env bash
# bench/async.sh: TLS handshakes per second from 64 clients at once
# (tests/integration/helpers/tls_load: full handshakes, no resumption)
# against HAProxy with ssl-mode-async and nbthread 1, each kms: key (RSA
# 2048, EC P-256) beside a local key file of the same type served by the
# same HAProxy, at 0 ms and at DELAY_MS of added KMS latency; HAProxy
# without ssl-mode-async at DELAY_MS for what the mode buys; nginx (no
# async mode) with 1 worker, then with the workers it needs to reach the
# async HAProxy's rate. Run by bench/run.sh, with its emulator running
# (EMU_* exported) and an openssl.cnf with uri_pem = yes:
#
#   bash bench/async.sh BUILD CONF WORKDIR SECONDS DELAY_MS
#
# Prints one JSON line per scenario ("conc.*"); timings are never asserted.
set -uo pipefail
BUILD=$1 CONF=$2 W=$3 SECONDS_EACH=$4 DELAY_MS=$5
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
. "$ROOT/tests/integration/emu_lib.sh"
LOAD=$BUILD/tests/integration/helpers/tls_load
TOOL=$BUILD/tools/hwcloud-store
CLIENTS=64
mkdir -p "$W"
chmod 711 "$W"

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
note() {
  python3 -c 'import json,sys; print(json.dumps({"scenario":sys.argv[1],"not_measured":sys.argv[2]}))' "$1" "$2"
  log "not measured: $1: $2"
}
free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}
wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
stat_json() { emu_stats | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = d["requests"]
print(json.dumps({"signs": sum(v for k, v in r.items() if "/kms/sign" in k),
                  "new_connections": d["service_connections"],
                  "in_flight_peak": d["in_flight_peak"]}))'; }
delay() {
  [ "$1" -gt 0 ] && emu_fault "{\"match\":\"/kms/sign\",\"action\":\"delay\",\"delay_ms\":$1,\"count\":-1}"
  return 0
}
PLAIN=$W/plain.cnf # the client loads no provider
printf 'openssl_conf = i\n[i]\nproviders = p\n[p]\ndefault = d\n[d]\nactivate = 1\n' > "$PLAIN"

# A CA; for each type a kms: key (PEM-wrapped URI, certificate from a CSR
# it signed) and a local key file, each with a certificate.
material() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$W/ca.key" -out "$W/ca.pem" -subj "/CN=bench CA" -days 2 \
    -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null || return 1
  local t id key
  for t in rsa ec; do
    id=$EMU_KMS_RSA2048
    [ "$t" = ec ] && id=$EMU_KMS_EC256
    OPENSSL_CONF=$CONF "$TOOL" uri2pem "kms:key/$id" -o "$W/kms-$t.pem.key" \
      >/dev/null 2>&1 || return 1
    if [ "$t" = rsa ]; then
      openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
        -out "$W/file-$t.pem.key" 2>/dev/null || return 1
    else
      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -out "$W/file-$t.pem.key" 2>/dev/null || return 1
    fi
    for key in kms file; do
      printf 'subjectAltName=DNS:%s-%s.example.com\n' "$key" "$t" > "$W/ext"
      OPENSSL_CONF=$CONF openssl req -new -key "$W/$key-$t.pem.key" \
        -subj "/CN=$key-$t.example.com" 2>/dev/null |
        openssl x509 -req -CA "$W/ca.pem" -CAkey "$W/ca.key" -days 2 \
          -extfile "$W/ext" -out "$W/$key-$t.pem" 2>/dev/null || return 1
    done
  done
  chmod 644 "$W"/*.pem "$W"/*.pem.key
}

# CPU seconds a process (all its threads) has used so far; nothing
# without one.
TCK=$(getconf CLK_TCK)
cpu_of() {
  [ -n "$1" ] || return 0
  [ -r "/proc/$1/stat" ] || return 0
  awk -v t="$TCK" '{ sub(/^.*\) /, ""); printf "%.3f\n", ($12 + $13) / t }' "/proc/$1/stat"
}

# load SCENARIO SERVERNAME PORT DELAY [extra JSON]: a warm-up, then
# SECONDS_EACH seconds of handshakes; the emulator's counters cover the
# measured part only. Against the async HAProxy (WARM_POOL=1) the warm-up
# adds WARM_MS of KMS latency, so that every client waits on KMS at once
# and the engine's pool of connections is complete: a new connection after
# it is one the pool did not reuse. (A blocking server would still be
# signing the warm-up's queued handshakes while the measured part runs.)
# Besides the rates, the CPU seconds the server (HAProxy), the emulator
# and the clients used while measured: they share this machine's cores.
WARM_MS=300 WARM_POOL=0
load() {
  local scen=$1 name=$2 port=$3 d=$4 extra=${5:-"{}"} out warm w
  emu_reset
  w=$d
  [ "$WARM_POOL" = 1 ] && [ "$WARM_MS" -gt "$d" ] && w=$WARM_MS
  delay "$w"
  OPENSSL_CONF=$PLAIN "$LOAD" --connect "127.0.0.1:$port" --servername "$name" \
    --cafile "$W/ca.pem" --clients "$CLIENTS" --seconds 1 >/dev/null
  warm=$(stat_json)
  emu_reset
  delay "$d"
  local s0 e0 s1 e1
  s0=$(cpu_of "$HAP_PID") e0=$(cpu_of "${HWC_BENCH_EMU_PID:-}")
  out=$(OPENSSL_CONF=$PLAIN "$LOAD" --connect "127.0.0.1:$port" \
    --servername "$name" --cafile "$W/ca.pem" --clients "$CLIENTS" \
    --seconds "$SECONDS_EACH") || { note "$scen" "tls_load failed"; return; }
  s1=$(cpu_of "$HAP_PID") e1=$(cpu_of "${HWC_BENCH_EMU_PID:-}")
  python3 -c '
import json, sys
r = json.loads(sys.argv[2]); r.update(json.loads(sys.argv[3]))
r.update(json.loads(sys.argv[4]))
w = json.loads(sys.argv[6])
r.update(scenario=sys.argv[1], delay_ms=int(sys.argv[5]),
         warm_delay_ms=int(sys.argv[7]), pool_connections=w["new_connections"],
         warm_in_flight_peak=w["in_flight_peak"])
for key, t0, t1 in (("server_cpu_s", 8, 9), ("emulator_cpu_s", 10, 11)):
    if sys.argv[t0] and sys.argv[t1]:  # empty: no such process
        r[key] = round(float(sys.argv[t1]) - float(sys.argv[t0]), 3)
print(json.dumps(r))' "$scen" "$out" "$(stat_json)" "$extra" "$d" "$warm" "$w" \
    "$s0" "$s1" "$e0" "$e1"
  log "$scen: $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["per_second"])' "$out")/s"
}

HAP_PID=""
stop_hap() {
  [ -n "$HAP_PID" ] && kill "$HAP_PID" 2>/dev/null && wait "$HAP_PID" 2>/dev/null
  HAP_PID=""
}
# haproxy PORT ASYNC(0/1): one HAProxy thread serving the four certificates.
haproxy_start() {
  local port=$1 mode=""
  [ "$2" = 1 ] && mode=$'\tssl-mode-async'
  cat > "$W/haproxy.cfg" <<EOF
global
	nbthread 1
$mode
	maxconn 4000
	tune.ssl.cachesize 0
	ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets
defaults
	mode http
	timeout connect 5s
	timeout client 30s
	timeout server 30s
frontend https
	bind 127.0.0.1:$port ssl crt $W/kms-rsa.pem crt $W/file-rsa.pem crt $W/kms-ec.pem crt $W/file-ec.pem
	http-request return status 200 content-type text/plain string "hello"
EOF
  OPENSSL_CONF=$CONF haproxy -db -f "$W/haproxy.cfg" >"$W/haproxy.log" 2>&1 &
  HAP_PID=$!
  wait_port "$port"
}

run_haproxy() {
  local port d t
  command -v haproxy >/dev/null || { note conc.haproxy "haproxy is not installed"; return; }
  port=$(free_port)
  log "HAProxy, ssl-mode-async, nbthread 1, $CLIENTS clients, ${SECONDS_EACH}s each"
  haproxy_start "$port" 1 || { note conc.haproxy "haproxy did not start: $(tail -c 300 "$W/haproxy.log")"; stop_hap; return; }
  WARM_POOL=1
  for d in 0 "$DELAY_MS"; do
    for t in rsa ec; do
      load "conc.haproxy.kms.$t@$d" "kms-$t.example.com" "$port" "$d"
      load "conc.haproxy.file.$t@$d" "file-$t.example.com" "$port" "$d"
    done
  done
  stop_hap
  WARM_POOL=0
  port=$(free_port)
  log "HAProxy without ssl-mode-async, $DELAY_MS ms"
  haproxy_start "$port" 0 || { note conc.haproxy_sync "haproxy did not start"; stop_hap; return; }
  load "conc.haproxy_sync.kms.rsa@$DELAY_MS" kms-rsa.example.com "$port" "$DELAY_MS"
  stop_hap
}

# nginx with N workers (no async mode: a signature blocks its worker).
NGX_PID=""
nginx_run() { # WORKERS DELAY
  local n=$1 d=$2 port ngx=$W/nginx
  port=$(free_port)
  mkdir -p "$ngx/logs"
  cat > "$ngx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $n;
user www-data;
pid $ngx/nginx.pid;
error_log $ngx/logs/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    ssl_session_cache off;
    ssl_session_tickets off;
    client_body_temp_path $ngx/body;
    proxy_temp_path $ngx/proxy;
    fastcgi_temp_path $ngx/fastcgi;
    uwsgi_temp_path $ngx/uwsgi;
    scgi_temp_path $ngx/scgi;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate     $W/kms-rsa.pem;
        ssl_certificate_key $W/kms-rsa.pem.key;
        return 200 "ok\n";
    }
}
EOF
  OPENSSL_CONF=$CONF nginx -p "$ngx/" -c "$ngx/nginx.conf" -e "$ngx/logs/error.log" \
    >"$ngx/out.log" 2>&1 &
  NGX_PID=$!
  if ! wait_port "$port"; then
    note "conc.nginx.kms.rsa@$d.w$n" "nginx did not start: $(tail -c 300 "$ngx/logs/error.log")"
  else
    load "conc.nginx.kms.rsa@$d" kms-rsa.example.com "$port" "$d" "{\"workers\":$n}"
  fi
  kill -QUIT "$NGX_PID" 2>/dev/null
  wait "$NGX_PID" 2>/dev/null
}

run_nginx() {
  command -v nginx >/dev/null || { note conc.nginx "nginx is not installed"; return; }
  local target=$1 one need
  log "nginx, 1 worker, $DELAY_MS ms"
  one=$(nginx_run 1 "$DELAY_MS" | tee -a "$W/nginx.jsonl")
  echo "$one"
  need=$(python3 -c '
import json, math, sys
one = json.loads(sys.argv[1]); target = float(sys.argv[2])
per = one.get("per_second") or 0
print(min(64, max(1, math.ceil(target / per))) if per > 0 else 0)' "${one:-{\}}" "$target" 2>/dev/null)
  if [ -n "$need" ] && [ "$need" -gt 1 ]; then
    log "nginx, $need workers, $DELAY_MS ms (the async HAProxy's rate: $target/s)"
    nginx_run "$need" "$DELAY_MS"
  fi
}

material || { note conc "could not make the certificates"; exit 0; }
RES=$W/conc.jsonl
run_haproxy | tee "$RES"
TARGET=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["scenario"] == "conc.haproxy.kms.rsa@%s" % sys.argv[2] and "per_second" in r:
        print(r["per_second"])' "$RES" "$DELAY_MS")
[ -n "$TARGET" ] && run_nginx "$TARGET"
exit 0
