# shellcheck shell=bash
# servers_lib.sh: helpers for the tests that run real servers (nginx,
# HAProxy, Apache, curl against s_server) with keys from the emulator.
# Source it after lib.sh. Everything lives under $HWC_TEST_TMP; servers
# listen on loopback only, on free ports, with their own pid files.

: "${HWC_TOOL:?run through ctest (HWC_TOOL unset)}"

# doc_block DOC NAME: the fenced block that follows "<!-- test:NAME -->"
# in docs/DOC, so that tests run the configuration the docs show.
doc_block() {
  local doc=$HWC_SOURCE_DIR/docs/$1
  awk -v want="<!-- test:$2 -->" '
    $0 == want { armed = 1; next }
    armed && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }
  ' "$doc" > "$HWC_TEST_TMP/block.$2"
  [ -s "$HWC_TEST_TMP/block.$2" ] || fail "docs/$1 has no block test:$2"
  cat "$HWC_TEST_TMP/block.$2"
}

# The paths the docs use, mapped into the test directory.
ETC=""
doc_paths() {
  sed -e "s#/etc/hwcloud/#$ETC/#g" -e "s#/var/www/html#$HWC_TEST_TMP/www#g"
}

# free_port: a TCP port nobody listens on right now.
free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

# wait_port PORT: until something accepts on 127.0.0.1:PORT (15 s).
wait_port() {
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

# stop_pidfile FILE [SIGNAL]: stop the process named in FILE, wait for it.
stop_pidfile() {
  local f=$1 sig=${2:-TERM} pid
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  kill -"$sig" "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# servers_setup [hwcloud section lines...]: the emulator, an openssl.cnf for
# the tools (uri_pem off), $ETC holding a copy of the emulator's CA that
# unprivileged workers can read, and a web root.
servers_setup() {
  hwc_setup "$@"
  ETC=$HWC_TEST_TMP/etc
  mkdir -p "$ETC" "$HWC_TEST_TMP/www"
  # Workers run as www-data/haproxy: they must reach ca_file (transport.c
  # reads it for every new connection) and the web root.
  chmod 711 "$HWC_TEST_TMP"
  chmod 755 "$ETC" "$HWC_TEST_TMP/www"
  install -m 0644 "$EMU_CA" "$ETC/api-ca.pem"
  echo "hello from hwcloud" > "$HWC_TEST_TMP/www/index.html"
  chmod 644 "$HWC_TEST_TMP/www/index.html"
  # The static token as a file only root can read (servers read it at
  # start, before they drop privileges).
  (umask 077; printf '%s\n' "$EMU_TOKEN" > "$ETC/token")
}

# server_conf DOC NAME: the doc's openssl.cnf for a server, with the
# emulator's endpoint and CA added (the only lines the docs do not have:
# real clouds use the default endpoints and the system CAs).
server_conf() {
  local out=$HWC_TEST_TMP/openssl-$2.cnf
  {
    doc_block "$1" "$2" | doc_paths |
      sed -e "s/0123456789abcdef0123456789abcdef/$EMU_PROJECT_ID/"
    echo "endpoint = $EMU_URL"
    echo "ca_file = $ETC/api-ca.pem"
  } > "$out"
  echo "$out"
}

# kms_cert ID CN: a certificate for the KMS key ID, as the docs say to
# make one: a CSR signed by the key itself (one remote signature), then
# signed by a CA (a local test CA here). Writes $ETC/CN.crt; the CA is
# $ETC/test-ca.pem.
kms_cert() {
  local id=$1 cn=$2
  if [ ! -f "$ETC/test-ca.pem" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout "$HWC_TEST_TMP/test-ca.key" -out "$ETC/test-ca.pem" \
      -subj "/CN=hwcloud test CA" "${HWC_CA_EXT[@]}" -days 2 2>/dev/null ||
      fail "cannot make the test CA"
  fi
  OPENSSL_CONF=$HWC_TEST_TMP/openssl.cnf openssl req -new \
    -key "kms:key/$id" -subj "/CN=$cn" -out "$HWC_TEST_TMP/$cn.csr" \
    >"$HWC_TEST_TMP/$cn.req.log" 2>&1 || {
    cat "$HWC_TEST_TMP/$cn.req.log" >&2
    fail "KMS key $id cannot sign a CSR (remote signing through the hwcloud keymgmt/signature is needed)"
  }
  printf 'subjectAltName=DNS:%s,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' \
    "$cn" > "$HWC_TEST_TMP/$cn.ext"
  openssl x509 -req -in "$HWC_TEST_TMP/$cn.csr" -CA "$ETC/test-ca.pem" \
    -CAkey "$HWC_TEST_TMP/test-ca.key" -CAcreateserial -days 2 \
    -extfile "$HWC_TEST_TMP/$cn.ext" -out "$ETC/$cn.crt" 2>/dev/null ||
    fail "cannot sign the certificate for $cn"
  chmod 644 "$ETC/$cn.crt"
}

# fetch_pages N NAME PORT CAFILE [curl args...]: N separate curl runs
# (each a full TLS handshake) of https://NAME:PORT/ pinned to loopback;
# every one must return the test page.
fetch_pages() {
  local n=$1 name=$2 port=$3 ca=$4 body
  shift 4
  for i in $(seq 1 "$n"); do
    if ! body=$(curl -sS --fail --max-time 20 --cacert "$ca" \
      --resolve "$name:$port:127.0.0.1" "$@" "https://$name:$port/" 2>&1); then
      echo "$body" >&2
      fail "fetch $i of https://$name:$port/ failed"
    fi
    grep -q "hello from" <<<"$body" || fail "fetch $i of $name: unexpected page: $body"
  done
  pass "$name: $n pages fetched over TLS"
}

# signs: KMS sign requests the emulator answered so far.
signs() {
  emu_count "POST /kms/sign"
}

# scm_exports: SCM export requests (each one hands out a private key).
scm_exports() {
  emu_count "POST /export"
}
