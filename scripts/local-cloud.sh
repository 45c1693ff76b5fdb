#!/usr/bin/env bash
# local-cloud.sh: the bundled emulator as a local Huawei Cloud to try
# hwcloud by hand, with the guides of docs/ (their "Try it locally"
# sections work as written against it).
#
#   scripts/local-cloud.sh start [DIR]   start it in the background (or find it
#                                        running); prints what to export
#   scripts/local-cloud.sh env [DIR]     print what to export again
#   scripts/local-cloud.sh status [DIR]  running or not (exit 0 / 3)
#   scripts/local-cloud.sh stop [DIR]    stop it (its state stays in DIR)
#   scripts/local-cloud.sh wait PORT     wait (15 s at most) until a server
#                                        listens on 127.0.0.1:PORT
#
#   eval "$(scripts/local-cloud.sh start)"
#
# DIR: $HWCLOUD_LOCAL_DIR, else <build>/local-cloud (<build>: $BUILD_DIR,
# else ./build). The cloud keeps its state there: a restart has the same
# port (while it is free), project, key and certificate ids, CA and token,
# so key files, chains and configurations made with it stay valid. The ids
# are those the docs show (docs/uris.md, "Try it locally", lists them).
# Files written into DIR: openssl.cnf (openssl.cnf.example with the local
# cloud filled in), openssl-servers.cnf (the same, with uri_pem = yes and
# cache_ttl = 0, for the servers of the guides), token, env.sh,
# credentials.sh, local-ca.pem/.key (a CA to sign certificate requests),
# keystores/ (CodeArts keystores, password changeit).
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-build}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
EMULATOR=$BUILD/tests/emulator/hwc-emulator
MODULE_DIR=$BUILD/provider
TOOLS=$BUILD/tools

usage() {
  sed -n '6,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 1 ] || usage
CMD=$1
if [ "$CMD" = wait ]; then
  [ $# -eq 2 ] || usage
  for _ in $(seq 1 150); do
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$2" 2>/dev/null && exit 0
    sleep 0.1
  done
  printf 'local-cloud: nothing listens on 127.0.0.1:%s\n' "$2" >&2
  exit 1
fi
DIR=${2:-${HWCLOUD_LOCAL_DIR:-$BUILD/local-cloud}}
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac

say() { printf '%s\n' "$*" >&2; }

# The pid of the emulator serving DIR, if it runs.
running_pid() {
  local pid
  [ -s "$DIR/emulator.pid" ] || return 1
  pid=$(cat "$DIR/emulator.pid")
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "hwc-emulator --state-dir $DIR " || return 1
  echo "$pid"
}

# emu VAR: a value of the emulator's DIR/env.
emu() {
  sed -n "s/^$1=//p" "$DIR/env"
}

# A TCP port nobody listens on right now; $1 when that one is free.
free_port() {
  python3 - "${1:-0}" <<'PY'
import socket, sys
want = int(sys.argv[1])
for port in ([want] if want else []) + [0]:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(s.getsockname()[1])
    break
PY
}

build_if_needed() {
  if [ ! -x "$EMULATOR" ] || [ ! -f "$MODULE_DIR/hwcloud.so" ] || [ ! -x "$TOOLS/hwcloud-store" ]; then
    say "local-cloud: building first (scripts/build.sh)"
    BUILD_DIR=$BUILD bash "$SRC/scripts/build.sh" >&2
  fi
}

start_emulator() {
  local pid i
  rm -f "$DIR/env"
  # HWC_EMU_EXTRA_KEYS would change the cloud from one start to the next.
  mkdir -p "$BUILD/emu-cache"
  env -u HWC_EMU_EXTRA_KEYS setsid "$EMULATOR" --state-dir "$DIR" \
    --fixture-cache "$BUILD/emu-cache" >"$DIR/emulator.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$DIR/emulator.pid"
  for i in $(seq 1 600); do
    if [ -f "$DIR/env" ] && grep -qx "EMU_PID=$pid" "$DIR/env"; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$DIR/emulator.log" >&2
  kill "$pid" 2>/dev/null || true
  rm -f "$DIR/emulator.pid"
  say "local-cloud: the emulator did not start (log above)"
  exit 1
}

# openssl.cnf.example with the local cloud's settings filled in; more
# lines for the hwcloud section may follow as arguments.
write_conf() {
  local out=$1 line
  shift
  set -- "module = $MODULE_DIR/hwcloud.so" "project_id = $(emu EMU_PROJECT_ID)" \
    "endpoint = $(emu EMU_URL)" "ca_file = $DIR/ca.pem" "token_file = $DIR/token" \
    "dcs_download_hosts = 127.0.0.1" "$@"
  cp "$SRC/openssl.cnf.example" "$out.tmp"
  for line in "$@"; do
    # The commented-out line of that key in the hwcloud section.
    sed -i "/^\[hwcloud_sect\]/,\$ s|^# ${line%% =*} = .*|$line|" "$out.tmp"
  done
  mv "$out.tmp" "$out"
}

write_files() {
  local port
  (umask 077 && emu EMU_TOKEN >"$DIR/token.tmp" && mv "$DIR/token.tmp" "$DIR/token")
  (umask 077 && emu EMU_IAM_PASSWORD >"$DIR/iam-password.tmp" &&
    mv "$DIR/iam-password.tmp" "$DIR/iam-password")
  write_conf "$DIR/openssl.cnf"
  write_conf "$DIR/openssl-servers.cnf" "uri_pem = yes" "cache_ttl = 0"
  mkdir -p "$DIR/keystores"
  cp "$SRC/tests/fixtures/keystores/store.p12" "$DIR/keystores/app.p12"
  cp "$SRC/tests/fixtures/keystores/store.jks" "$DIR/keystores/app.jks"
  if [ ! -s "$DIR/local-ca.pem" ]; then
    OPENSSL_CONF=/dev/null openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
      -nodes -keyout "$DIR/local-ca.key" -out "$DIR/local-ca.pem" -days 3650 \
      -subj "/CN=hwcloud local CA" -addext basicConstraints=critical,CA:TRUE \
      -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  fi
  # A port for the guides' servers: the same as last time while it is free
  # (while the cloud runs, whatever listens there may be one of them).
  port=$(cat "$DIR/server-port" 2>/dev/null || echo 0)
  if [ "$1" = new ] || [ "$port" = 0 ]; then
    port=$(free_port "$port")
  fi
  echo "$port" >"$DIR/server-port"
  cat >"$DIR/env.sh" <<EOF
# Written by scripts/local-cloud.sh: the shell settings for the local cloud.
export OPENSSL_CONF=$DIR/openssl.cnf
export OPENSSL_MODULES=$MODULE_DIR
case ":\$PATH:" in *":$TOOLS:"*) ;; *) export PATH="$TOOLS:\$PATH" ;; esac
# nginx, haproxy and apache2 live in /usr/sbin on Debian
case ":\$PATH:" in *":/usr/sbin:"*) ;; *) export PATH="\$PATH:/usr/sbin" ;; esac
export HWCLOUD_LOCAL=$DIR
export HWCLOUD_LOCAL_PORT=$port
export HWCLOUD_SOURCE=$SRC
EOF
  cat >"$DIR/credentials.sh" <<EOF
# Written by scripts/local-cloud.sh: the local cloud's other credentials
# (docs/authentication.md, "Try it locally"). They open nothing but it.
LOCAL_AK=$(emu EMU_AK)
LOCAL_SK=$(emu EMU_SK)
LOCAL_IAM_USER=$(emu EMU_IAM_USER)
LOCAL_IAM_DOMAIN=$(emu EMU_IAM_DOMAIN)
LOCAL_IAM_PASSWORD_FILE=$DIR/iam-password
LOCAL_AGENCY_NAME=$(emu EMU_AGENCY_NAME)
LOCAL_AGENCY_DOMAIN=$(emu EMU_AGENCY_DOMAIN)
LOCAL_METADATA_ENDPOINT=$(emu EMU_HTTP_URL)
EOF
}

print_env() {
  grep -v '^#' "$DIR/env.sh"
}

summary() {
  say "local cloud: $(emu EMU_URL) (state in $DIR, log $DIR/emulator.log)"
  say "  project $(emu EMU_PROJECT_ID) in region $(emu EMU_REGION)"
  say "  KMS keys kms:key/$(emu EMU_KMS_RSA2048) (RSA 2048, alias my-tls-key), kms:key/$(emu EMU_KMS_EC256) (EC P-256)"
  say "  SCM certificates scm:cert/$(emu EMU_SCM_RSA) (www.example.com), scm:cert/$(emu EMU_SCM_EC) (ec.example.com)"
  say "  DCS dcs:ssl/$(emu EMU_DCS_ZIP); CodeArts codearts:keystore/app.p12, app.jks (password changeit)"
  say "  servers of the guides: port $(cat "$DIR/server-port"); trust $DIR/scm-root.pem and $DIR/local-ca.pem"
  say "In this shell:      eval \"\$(scripts/local-cloud.sh env)\"   (or: . $DIR/env.sh)"
  say "Stop it:            scripts/local-cloud.sh stop"
  say "Then follow any guide's \"Try it locally\": README.md, docs/*.md"
}

case $CMD in
start)
  build_if_needed
  mkdir -p "$DIR"
  chmod 755 "$DIR" # servers' workers (nobody, www-data) read its CA
  if ! running_pid >/dev/null; then
    start_emulator
    write_files new
    summary
  else
    write_files kept
    say "local cloud: already running on $(emu EMU_URL) (state in $DIR)"
  fi
  print_env
  ;;
env)
  [ -f "$DIR/env.sh" ] || { say "local-cloud: nothing in $DIR (scripts/local-cloud.sh start)"; exit 1; }
  running_pid >/dev/null || say "local-cloud: not running (scripts/local-cloud.sh start)"
  print_env
  ;;
status)
  if pid=$(running_pid); then
    say "local cloud: running (pid $pid) on $(emu EMU_URL), state in $DIR"
  else
    say "local cloud: not running (state in $DIR)"
    exit 3
  fi
  ;;
stop)
  if pid=$(running_pid); then
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    say "local cloud: stopped (state kept in $DIR)"
  else
    say "local cloud: not running"
  fi
  rm -f "$DIR/emulator.pid"
  ;;
*)
  usage
  ;;
esac
