#!/usr/bin/env bash
# bench/run.sh: the hwcloud benchmark. Run it after `bash scripts/build.sh`
# (it uses ./build, or $BUILD_DIR). It starts the bundled cloud emulator,
# measures loads, signatures, TLS handshakes, nginx start-up and memory,
# prints a table and writes it to docs/performance.md (--out to change).
# Timings are medians and ratios measured in the same run; nothing here
# asserts a time (tests/integration/test_request_economy.sh asserts counts).
#
#   bash bench/run.sh            # full run, a few minutes on 2 cores
#   bash bench/run.sh --quick    # smaller counts, well under a minute
#   bash bench/run.sh --help     # every option
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OUT=$ROOT/docs/performance.md

# Iteration counts (per scenario; --quick divides them).
ITER=400         # warm loads per scenario at 0 ms
DELAY_ITER=60    # loads and signatures per scenario at 20 ms
SIGN_ITER=300    # signatures per scenario at 0 ms
ROUNDS=20        # interleaved rounds
COLD=12          # cold processes per scenario
RSS_LOADS=10000  # loads for the memory figure (checkpoint at RSS_LOADS/10)
STIME_SECONDS=3  # length of one s_time run
STIME_RUNS=3     # s_time runs per configuration
NGINX_BLOCKS=100
NGINX_RUNS=5
COEX_ROUNDS=20   # interleaved rounds of the cost-to-others loads
COEX_N=50        # loads per round and context
DEB13=""         # a Debian 13 chroot for the OpenSSL 3.5 figures
CONC_SECONDS=10  # length of each many-clients handshake run (bench/async.sh)
H2_REQUESTS=3000 # requests per HTTP/1.1-or-HTTP/2 run (bench/h2.sh)
DELAY_MS=20
QUICK=0

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  cat <<EOT

options (defaults in brackets):
  --quick               small counts (a smoke run; figures are rough)
  --out FILE            where the Markdown report goes [docs/performance.md]
  --iterations N        warm loads per scenario at 0 ms [$ITER]
  --delay-iterations N  loads/signatures per scenario at added latency [$DELAY_ITER]
  --sign-iterations N   signatures per scenario at 0 ms [$SIGN_ITER]
  --rounds N            interleaved rounds per scenario set [$ROUNDS]
  --cold N              cold processes per scenario [$COLD]
  --rss-loads N         loads for peak RSS (checkpoint at N/10) [$RSS_LOADS]
  --stime-seconds N     length of one s_time run [$STIME_SECONDS]
  --stime-runs N        s_time runs per configuration [$STIME_RUNS]
  --nginx-blocks N      server blocks [$NGINX_BLOCKS]
  --nginx-runs N        nginx starts per configuration [$NGINX_RUNS]
  --delay-ms N          the added latency [$DELAY_MS]
  --conc-seconds N      length of each 64-client handshake run [$CONC_SECONDS]
  --coexist-rounds N    rounds of the cost-to-others loads [$COEX_ROUNDS]
  --debian13 DIR        also measure the cost to others with OpenSSL 3.5, in
                        this Debian 13 chroot (scripts/test-debian13.sh makes
                        one; needs root)
EOT
}

while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --out) OUT=$2; shift ;;
    --iterations) ITER=$2; shift ;;
    --delay-iterations) DELAY_ITER=$2; shift ;;
    --sign-iterations) SIGN_ITER=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --cold) COLD=$2; shift ;;
    --rss-loads) RSS_LOADS=$2; shift ;;
    --stime-seconds) STIME_SECONDS=$2; shift ;;
    --stime-runs) STIME_RUNS=$2; shift ;;
    --nginx-blocks) NGINX_BLOCKS=$2; shift ;;
    --nginx-runs) NGINX_RUNS=$2; shift ;;
    --delay-ms) DELAY_MS=$2; shift ;;
    --conc-seconds) CONC_SECONDS=$2; shift ;;
    --coexist-rounds) COEX_ROUNDS=$2; shift ;;
    --debian13) DEB13=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1 (--help)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$QUICK" = 1 ]; then
  ITER=80 DELAY_ITER=12 SIGN_ITER=60 ROUNDS=3 COLD=4 RSS_LOADS=2000
  STIME_SECONDS=1 STIME_RUNS=1 NGINX_RUNS=2 COEX_ROUNDS=3 COEX_N=10
  CONC_SECONDS=2 H2_REQUESTS=500
fi

for b in bench/hwc-load_bench bench/hwc-sign_bench tools/hwcloud-store \
  tests/integration/helpers/tls_load \
  tests/emulator/hwc-emulator provider/hwcloud.so; do
  [ -e "$BUILD/$b" ] || {
    echo "run.sh: $BUILD/$b is missing: run 'bash scripts/build.sh' first" >&2
    exit 1
  }
done
for c in openssl python3 curl; do
  command -v "$c" >/dev/null || { echo "run.sh: $c is needed" >&2; exit 1; }
done

export HWC_SOURCE_DIR=$ROOT HWC_BUILD_DIR=$BUILD
export HWC_EMULATOR=$BUILD/tests/emulator/hwc-emulator
export HWC_MODULE_DIR=$BUILD/provider
export HWC_TOOL=$BUILD/tools/hwcloud-store
export HWC_TEST_TMP=${HWC_BENCH_TMP:-$(mktemp -d /tmp/hwc-bench.XXXXXX)}
mkdir -p "$HWC_TEST_TMP"
# Nothing from the caller's environment may change what is measured.
for v in $(env | sed -n 's/^\(HWCLOUD_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
unset OPENSSL_CONF

PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${NGX:-}" ] && [ -s "$NGX/nginx.pid" ] &&
    kill -QUIT "$(cat "$NGX/nginx.pid")" 2>/dev/null
  [ -z "${HWC_BENCH_TMP:-}" ] && rm -rf "$HWC_TEST_TMP"
  return 0
}
trap cleanup EXIT # kept by emu_start, run after the emulator stops
# shellcheck source=/dev/null
. "$ROOT/tests/integration/lib.sh"
set +e +o pipefail # lib.sh turns these on; failures are handled below
set -u

T=$HWC_TEST_TMP
RES=$T/results.jsonl
: > "$RES"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
# note SCENARIO TEXT: a scenario that could not be measured, and why.
note() {
  python3 -c 'import json,sys; print(json.dumps({"scenario":sys.argv[1],"not_measured":sys.argv[2]}))' \
    "$1" "$2" >> "$RES"
  log "not measured: $1: $2"
}
emit() { python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])))' "$1" >> "$RES"; }
stats_json() { emu_stats | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = {k: v for k, v in d["requests"].items() if "/_emu/" not in k}
print(json.dumps({"requests": sum(r.values()), "connections": d["service_connections"],
                  "logins": sum(v for k, v in r.items() if "/v3/auth/tokens" in k),
                  "signs": sum(v for k, v in r.items() if "/kms/sign" in k),
                  "exports": sum(v for k, v in r.items() if k.endswith("/export"))}))'; }
elapsed() { python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$1" "$2"; }
delay() { [ "$1" -gt 0 ] && emu_fault "{\"match\":\"$2\",\"action\":\"delay\",\"delay_ms\":$1,\"count\":-1}"; return 0; }

log "starting the emulator (results in $T)"
emu_start || exit 1
export HWC_BENCH_EMU_PID=$_EMU_PID # bench/async.sh reads its CPU time
# The provider logs in with a password (one login per process and token
# lifetime is part of what is counted); the bare libcurl requests use the
# emulator's static token.
AUTH=("auth = password" "iam_user = $EMU_IAM_USER"
  "iam_password = $EMU_IAM_PASSWORD" "iam_domain = $EMU_IAM_DOMAIN")
hwc_write_conf "${AUTH[@]}" "cache_ttl = 0"
mv "$T/openssl.cnf" "$T/uncached.cnf"
# The start-up blocks name their objects with ?region=/?project_id=.
hwc_write_conf "${AUTH[@]}" "uri_pem = yes" "uri_pem_overrides = yes"
mv "$T/openssl.cnf" "$T/nginx.cnf" # uri_pem only where it is needed
hwc_write_conf "${AUTH[@]}"
mv "$T/openssl.cnf" "$T/cached.cnf"
unset OPENSSL_CONF
CACHED=$T/cached.cnf UNCACHED=$T/uncached.cnf PLAIN=$T/plain.cnf
# Local files are loaded without the provider: what users have today.
printf 'openssl_conf = openssl_init\n[openssl_init]\nproviders = p\n[p]\ndefault = d\n[d]\nactivate = 1\n' \
  > "$PLAIN"
SCM_URI=scm:cert/$EMU_SCM_RSA

# The same certificate, chain and key as one local PEM file.
if ! OPENSSL_CONF=$CACHED "$HWC_TOOL" export "$SCM_URI" -o "$T/bundle.pem" >/dev/null ||
  ! OPENSSL_CONF=$CACHED openssl pkey -in "$SCM_URI" >> "$T/bundle.pem"; then
  echo "run.sh: cannot export $SCM_URI" >&2
  exit 1
fi

#------------------------------------------------------------------ loads
log "loads: file, cached, uncached, bare libcurl (0 and $DELAY_MS ms), cold processes"
"$BUILD/bench/hwc-load_bench" --uri "$SCM_URI" --file "$T/bundle.pem" \
  --conf-cached "$CACHED" --conf-uncached "$UNCACHED" --iterations "$ITER" \
  --rounds "$ROUNDS" --delays "0,$DELAY_MS" --delay-iterations "$DELAY_ITER" \
  --cold "$COLD" --conf-plain "$PLAIN" >> "$RES" || note load "hwc-load_bench failed"

#------------------------------------------------------------- signatures
for key in "$EMU_KMS_RSA2048" "$EMU_KMS_EC256"; do
  log "signatures with kms:key/$key vs bare libcurl (0 and $DELAY_MS ms)"
  "$BUILD/bench/hwc-sign_bench" --key-id "$key" --conf "$CACHED" \
    --iterations "$SIGN_ITER" --delay-iterations "$DELAY_ITER" \
    --rounds "$ROUNDS" --delays "0,$DELAY_MS" >> "$RES" ||
    note "sign.$key" "hwc-sign_bench failed"
done

#-------------------------------------------------------------------- RSS
CHECK=$((RSS_LOADS / 10))
for mode in cached uncached; do
  log "peak RSS: $RSS_LOADS $mode loads of $SCM_URI"
  conf=$CACHED
  [ "$mode" = uncached ] && conf=$UNCACHED
  "$BUILD/bench/hwc-load_bench" --rss --uri "$SCM_URI" --conf "$conf" \
    --loads "$RSS_LOADS" --checkpoint "$CHECK" --label "rss.$mode@0" >> "$RES" ||
    note "rss.$mode@0" "hwc-load_bench --rss failed"
done

#------------------------------------------------------- TLS handshakes
free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}
wait_accept() { # LOG: until s_server says ACCEPT (10 s)
  for _ in $(seq 1 100); do grep -q ACCEPT "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
# A local CA, a certificate for the KMS key (a CSR the key signs itself)
# and a file key of the same type with its certificate.
make_tls_material() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/ca.key" -out "$T/ca.pem" -subj "/CN=bench CA" -days 2 \
    -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null &&
    OPENSSL_CONF=$CACHED openssl req -new -key "kms:key/$EMU_KMS_RSA2048" \
      -subj /CN=127.0.0.1 2>/dev/null |
    openssl x509 -req -CA "$T/ca.pem" -CAkey "$T/ca.key" -days 2 \
      -out "$T/kms.crt" 2>/dev/null &&
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
      -out "$T/file.key" 2>/dev/null &&
    openssl req -new -key "$T/file.key" -subj /CN=127.0.0.1 2>/dev/null |
    openssl x509 -req -CA "$T/ca.pem" -CAkey "$T/ca.key" -days 2 \
      -out "$T/file.crt" 2>/dev/null
}
# stime NAME CERT KEY DELAY: s_server with that key, STIME_RUNS s_time runs.
stime() {
  local name=$1 cert=$2 key=$3 d=$4 port slog pid run out n t0 t1
  port=$(free_port)
  slog=$T/s_server.$name.$d.log
  emu_reset
  OPENSSL_CONF=$CACHED openssl s_server -accept "127.0.0.1:$port" \
    -cert "$cert" -key "$key" -www >"$slog" 2>&1 </dev/null &
  pid=$!
  PIDS+=("$pid")
  if ! wait_accept "$slog"; then
    kill "$pid" 2>/dev/null
    note "tls.$name@$d" "s_server did not start: $(tail -c 300 "$slog" | tr '\n' ' ')"
    return
  fi
  local start_counts
  start_counts=$(stats_json)
  for run in $(seq 1 "$STIME_RUNS"); do
    emu_reset
    delay "$d" /kms/sign
    t0=$(date +%s.%N)
    out=$(openssl s_time -connect "127.0.0.1:$port" -new -time "$STIME_SECONDS" 2>&1)
    t1=$(date +%s.%N)
    n=$(sed -n 's/^\([0-9]*\) connections in [0-9.]*s;.*/\1/p' <<<"$out" | head -1)
    if [ -z "$n" ] || [ "$n" -eq 0 ]; then
      note "tls.$name@$d" "s_time made no connection: $(tail -c 300 <<<"$out" | tr '\n' ' ')"
      break
    fi
    emit "$(python3 -c '
import json, sys
c = json.loads(sys.argv[5])
c.update(scenario="tls.%s@%s" % (sys.argv[1], sys.argv[2]), run=int(sys.argv[6]),
         handshakes=int(sys.argv[3]), seconds=float(sys.argv[4]),
         per_second=int(sys.argv[3]) / float(sys.argv[4]), delay_ms=int(sys.argv[2]),
         server_start=json.loads(sys.argv[7]))
print(json.dumps(c))' "$name" "$d" "$n" "$(elapsed "$t0" "$t1")" \
      "$(stats_json)" "$run" "$start_counts")"
  done
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}
log "TLS handshakes: openssl s_time against s_server (kms: key, file key)"
if make_tls_material; then
  for d in 0 "$DELAY_MS"; do
    stime kms "$T/kms.crt" "kms:key/$EMU_KMS_RSA2048" "$d"
  done
  stime file "$T/file.crt" "$T/file.key" 0
else
  note "tls" "could not make the certificates (openssl req with the kms: key failed)"
fi

#------------------------------------------- many clients: ssl-mode-async
# HAProxy (ssl-mode-async, nbthread 1) and nginx workers sign in KMS from
# a worker that runs as another user: the API's CA must be readable.
chmod 755 "$EMU_STATE_DIR"
chmod 644 "$EMU_CA"
chmod 711 "$T"
log "TLS handshakes from 64 clients: HAProxy ssl-mode-async, nginx (bench/async.sh)"
bash "$ROOT/bench/async.sh" "$BUILD" "$T/nginx.cnf" "$T/async" "$CONC_SECONDS" \
  "$DELAY_MS" >> "$RES" || note conc "bench/async.sh failed"

#----------------------------------------- HTTP/1.1 pool against HTTP/2
log "64 KMS requests in flight: a pool of HTTP/1.1 connections, HTTP/2 streams (bench/h2.sh)"
bash "$ROOT/bench/h2.sh" "$BUILD" "$T/h2" "$H2_REQUESTS" "$DELAY_MS" 3 >> "$RES" ||
  note h2 "bench/h2.sh failed"

#------------------------------------------------------------------ nginx
# NGINX_BLOCKS server blocks, each naming its own object: the emulator
# has a few dozen exportable SCM certificates, so block i uses certificate
# i mod N with a query that repeats the configured region/project (the
# same request, another URI: another object to the provider).
nginx_bench() {
  command -v nginx >/dev/null || { note nginx "nginx is not installed"; return; }
  NGX=$T/nginx
  mkdir -p "$NGX/keys" "$NGX/files" "$NGX/logs"
  chmod 711 "$T"
  chmod 755 "$NGX" "$NGX/keys" "$NGX/files"
  local ids=() id i
  mapfile -t ids < <(for off in 0 50; do
      emu_curl "$EMU_URL/v3/scm/certificates?limit=50&offset=$off"; echo; done |
    python3 -c 'import json,sys
for line in sys.stdin:
  if not line.strip(): continue
  for c in json.loads(line).get("certificates", []):
    if c["name"] in ("www-example-com", "emu-pkcs8") or c["name"].startswith("emu-extra-cert-"):
      print(c["id"])')
  local good=()
  for id in "${ids[@]}"; do
    if OPENSSL_CONF=$CACHED "$HWC_TOOL" export "scm:cert/$id" \
         -o "$NGX/files/$id.chain.pem" >/dev/null 2>&1 &&
       OPENSSL_CONF=$CACHED openssl pkey -in "scm:cert/$id" \
         -out "$NGX/files/$id.key.pem" 2>/dev/null; then
      good+=("$id")
    fi
  done
  if [ "${#good[@]}" -eq 0 ]; then
    note nginx "no exportable SCM certificate"; return
  fi
  local suffixes=("" "?region=$EMU_REGION" "?project_id=$EMU_PROJECT_ID"
    "?region=$EMU_REGION&project_id=$EMU_PROJECT_ID")
  local port uri n=${#good[@]} distinct
  port=$(free_port)
  : > "$NGX/scm.conf"; : > "$NGX/file.conf"
  declare -A seen=()
  for i in $(seq 0 $((NGINX_BLOCKS - 1))); do
    id=${good[$((i % n))]}
    uri="scm:cert/$id${suffixes[$(((i / n) % ${#suffixes[@]}))]}"
    seen[$uri]=1
    if ! OPENSSL_CONF=$CACHED "$HWC_TOOL" uri2pem "$uri" -o "$NGX/keys/$i.pem" \
        >"$NGX/uri2pem.log" 2>&1; then
      note nginx "hwcloud-store uri2pem failed: $(tail -c 300 "$NGX/uri2pem.log" | tr '\n' ' ')"
      return
    fi
    for kind in scm file; do
      local key=$NGX/keys/$i.pem
      [ "$kind" = file ] && key=$NGX/files/$id.key.pem
      cat >> "$NGX/$kind.conf" <<EOB
server {
    listen 127.0.0.1:$port ssl;
    server_name site$i.example.com;
    ssl_certificate     $NGX/files/$id.chain.pem;
    ssl_certificate_key $key;
    return 200 "ok\n";
}
EOB
    done
  done
  distinct=${#seen[@]}
  for kind in scm file; do
    cat > "$NGX/$kind.nginx.conf" <<EOC
daemon on;
master_process on;
worker_processes 1;
user www-data;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $NGX/body;
    proxy_temp_path $NGX/proxy;
    fastcgi_temp_path $NGX/fastcgi;
    uwsgi_temp_path $NGX/uwsgi;
    scgi_temp_path $NGX/scgi;
    include $NGX/$kind.conf;
}
EOC
  done
  local run kind conf t0 t1 pid out
  for run in $(seq 1 "$NGINX_RUNS"); do
    for kind in scm file; do
      conf=$T/nginx.cnf
      [ "$kind" = file ] && conf=$PLAIN
      emu_reset
      t0=$(date +%s.%N)
      if ! out=$(OPENSSL_CONF=$conf nginx -p "$NGX/" -c "$NGX/$kind.nginx.conf" \
          -e "$NGX/logs/error.log" 2>&1); then
        note "nginx.$kind" "nginx did not start: $(tail -c 400 <<<"$out" | tr '\n' ' ')"
        return
      fi
      t1=$(date +%s.%N)
      # daemon on: the command returns once every key is loaded and the
      # socket listens; make sure it does.
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null ||
        { note "nginx.$kind" "nginx does not listen"; return; }
      emit "$(python3 -c '
import json, sys
c = json.loads(sys.argv[4])
c.update(scenario="nginx.%s@0" % sys.argv[1], run=int(sys.argv[2]),
         seconds=float(sys.argv[3]), blocks=int(sys.argv[5]), distinct=int(sys.argv[6]),
         certificates=int(sys.argv[7]), delay_ms=0)
print(json.dumps(c))' "$kind" "$run" "$(elapsed "$t0" "$t1")" "$(stats_json)" \
        "$NGINX_BLOCKS" "$distinct" "$n")"
      pid=$(cat "$NGX/nginx.pid")
      kill -QUIT "$pid" 2>/dev/null # not `nginx -s`: it would load every key again
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
      rm -f "$NGX/nginx.pid"
    done
  done
}
log "nginx start-up: $NGINX_BLOCKS server blocks, keys from scm: vs files"
nginx_bench

#-------------------------------------------------------- cost to others
# coexist.sh prints scenarios "coexist.*" and "coexist_ir.*": prefixed
# here with the OpenSSL that ran them.
prefix() { sed "s/\"scenario\":\"coexist/\"scenario\":\"$1.coexist/"; }
log "cost to programs that never name hwcloud URIs (bench/coexist.sh)"
bash "$ROOT/bench/coexist.sh" "$BUILD" "$COEX_ROUNDS" "$COEX_N" | prefix host >> "$RES" ||
  note host.coexist "bench/coexist.sh failed"
deb13_umount() {
  local m
  for m in src dev proc; do umount "$DEB13/$m" 2>/dev/null || true; done
}
if [ -n "$DEB13" ]; then
  log "cost to others with OpenSSL 3.5 in $DEB13"
  if [ "$(id -u)" != 0 ] || [ ! -x "$DEB13/usr/bin/openssl" ]; then
    note deb13.coexist "--debian13 needs root and a Debian 13 chroot at $DEB13"
  else
    trap 'deb13_umount; cleanup' EXIT
    mkdir -p "$DEB13/src" "$DEB13/proc" "$DEB13/dev"
    mount --bind "$ROOT" "$DEB13/src" && mount -t proc proc "$DEB13/proc" &&
      mount --bind /dev "$DEB13/dev" &&
      chroot "$DEB13" bash -c "cmake -S /src -B /root/hwc-bench-build >/dev/null &&
        cmake --build /root/hwc-bench-build -j$(nproc) --target hwcloud hwc-coexist_bench >/dev/null &&
        bash /src/bench/coexist.sh /root/hwc-bench-build $COEX_ROUNDS $COEX_N" |
      prefix deb13 >> "$RES" || note deb13.coexist "the chroot run failed"
    python3 -c 'import json,sys; print(json.dumps({"scenario":"deb13.openssl","version":sys.argv[1]}))' \
      "$(chroot "$DEB13" openssl version)" >> "$RES"
    deb13_umount
  fi
fi

#----------------------------------------------------------------- report
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
python3 "$ROOT/bench/report.py" --results "$RES" --out "$OUT" \
  --loadavg "$LOAD_START" --loadavg-end "$LOAD_END" --quick "$QUICK" \
  --params "iterations=$ITER, delay iterations=$DELAY_ITER, sign iterations=$SIGN_ITER, rounds=$ROUNDS, cold processes=$COLD, RSS loads=$RSS_LOADS, s_time ${STIME_RUNS}x${STIME_SECONDS}s, nginx blocks=$NGINX_BLOCKS x $NGINX_RUNS starts, cost-to-others rounds=${COEX_ROUNDS}x${COEX_N}, 64-client runs ${CONC_SECONDS}s, added latency=${DELAY_MS} ms" \
  --delay "$DELAY_MS"
log "report written to $OUT"
