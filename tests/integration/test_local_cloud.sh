#!/usr/bin/env bash
# scripts/local-cloud.sh: the emulator as a local cloud in the background,
# with a state directory that a restart reuses: the same port (while it is
# free), project, ids, CA, token and certificates, so that key files and
# chains made before a restart still work after it; the openssl.cnf it
# writes is openssl.cnf.example with the local cloud filled in; a second
# directory is a second cloud, with the documented ids too.
. "$(dirname "$0")/lib.sh"
T=$HWC_TEST_TMP
LC="bash $HWC_SOURCE_DIR/scripts/local-cloud.sh"
export BUILD_DIR=$HWC_BUILD_DIR
D=$T/cloud
unset OPENSSL_CONF OPENSSL_MODULES
HOLDER=""
cleanup() {
  [ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
  $LC stop "$D" >/dev/null 2>&1 || true
  $LC stop "$T/other" >/dev/null 2>&1 || true
  [ -n "${HWC_KEEP_TMP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

# start DIR: starts (or finds) the cloud; its exports in $EXPORTS, what it
# says in $OUT.
start() {
  EXPORTS=$($LC start "$1" 2>"$T/start.err") || {
    cat "$T/start.err" >&2
    fail "local-cloud.sh start $1 failed"
  }
  OUT=$(cat "$T/start.err")
  pass "local-cloud.sh start $1"
}

# What a restart must keep: identity, ids, CA, token, the configuration.
snapshot() {
  {
    grep -vE '^EMU_(PID)=' "$D/env"
    sha256sum "$D/ca.pem" "$D/scm-root.pem" "$D/token" "$D/local-ca.pem" | sed "s#$D/##"
    # the configuration, but for the port of the endpoint
    grep -v '^endpoint = ' "$D/openssl.cnf" | sha256sum
    grep -v '^endpoint = ' "$D/openssl-servers.cnf" | sha256sum
    openssl storeutl -certs scm:cert/scs1690083443906 | openssl crl2pkcs7 -nocrl -certfile /dev/stdin |
      sha256sum | sed 's/-$/scm chain/'
    openssl pkey -pubin -in kms:key/0228d84c-a771-4a21-acbb-6cdd53fcc8de | sha256sum | sed 's/-$/kms key/'
  } | grep -vE '^EMU_(PORT|HTTP_PORT|URL|HTTP_URL)='
}

start "$D"
expect_in "says where its state is" "state in $D"
grep -qx "export OPENSSL_CONF=$D/openssl.cnf" <<<"$EXPORTS" || fail "no OPENSSL_CONF export: $EXPORTS"
pass "prints the exports on stdout"
eval "$EXPORTS"
expect_eq "OPENSSL_MODULES" "$OPENSSL_MODULES" "$HWC_BUILD_DIR/provider"
[ "$(command -v hwcloud-store)" = "$HWC_BUILD_DIR/tools/hwcloud-store" ] || fail "hwcloud-store is not on PATH"
pass "hwcloud-store on PATH"
run_ok "status: running" $LC status "$D"
run_ok "check against the local cloud" hwcloud-store check
expect_in "the local cloud's module, active" "^loaded by OpenSSL: +yes, Huawei Cloud provider .*, active$"
expect_eq "token file mode" "$(stat -c %a "$D/token")" 600

# openssl.cnf is openssl.cnf.example with the local cloud's settings.
{ diff "$HWC_SOURCE_DIR/openssl.cnf.example" "$OPENSSL_CONF" || true; } | grep '^>' | sed 's/ = .*//' | sort > "$T/changed"
printf '> %s\n' ca_file dcs_download_hosts endpoint module project_id token_file | sort > "$T/want"
diff "$T/want" "$T/changed" || fail "openssl.cnf differs from openssl.cnf.example in other lines"
pass "openssl.cnf: openssl.cnf.example with the local cloud's six settings"
{ diff "$OPENSSL_CONF" "$D/openssl-servers.cnf" || true; } | grep '^>' | sed 's/ = .*//' | sort > "$T/changed"
printf '> %s\n' cache_ttl uri_pem | sort > "$T/want"
diff "$T/want" "$T/changed" || fail "openssl-servers.cnf: not openssl.cnf with uri_pem and cache_ttl"
pass "openssl-servers.cnf: openssl.cnf with uri_pem = yes and cache_ttl = 0"

# Files made before a restart, to use after it.
hwcloud-store uri2pem kms:key/0228d84c-a771-4a21-acbb-6cdd53fcc8de -o "$T/kms.key.pem" >/dev/null
hwcloud-store export scm:cert/scs1690083443906 -o "$T/chain.pem" >/dev/null
port=$(sed -n 's/^EMU_PORT=//p' "$D/env")
snapshot > "$T/before"
[ -s "$T/before" ] || fail "empty snapshot"

start "$D"
expect_in "start while running: says so" "already running"
run_ok "stop" $LC stop "$D"
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && fail "the emulator still listens after stop"
pass "stopped: nothing listens on $port"
set +e
$LC status "$D" 2>/dev/null
rc=$?
set -e
expect_eq "status after stop: 3" "$rc" 3

start "$D"
eval "$EXPORTS"
expect_eq "the same port" "$(sed -n 's/^EMU_PORT=//p' "$D/env")" "$port"
snapshot > "$T/after"
diff "$T/before" "$T/after" || fail "the restarted cloud differs"
pass "restart: same project, ids, CA, token, certificates and configuration"
hwcloud-store export scm:cert/scs1690083443906 -o "$T/chain2.pem" >/dev/null
expect_eq "the same chain, byte for byte" "$(sha256sum <"$T/chain2.pem")" "$(sha256sum <"$T/chain.pem")"
run_ok "a key file made before the restart" \
  env OPENSSL_CONF="$D/openssl-servers.cnf" openssl pkey -in "$T/kms.key.pem" -noout -text
expect_in "is the KMS key" "held in Huawei Cloud KMS"
run_ok "the chain made before the restart verifies" \
  openssl verify -CAfile "$D/scm-root.pem" -untrusted "$T/chain.pem" "$T/chain.pem"

# The port taken by someone else: another one, and the files say which.
$LC stop "$D" >/dev/null 2>&1
python3 -c 'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(120)' "$port" &
HOLDER=$!
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
start "$D"
eval "$EXPORTS"
newport=$(sed -n 's/^EMU_PORT=//p' "$D/env")
[ "$newport" != "$port" ] || fail "started on a port that is taken"
pass "another port ($newport) while $port is taken"
grep -q "^endpoint = https://127.0.0.1:$newport$" "$OPENSSL_CONF" || fail "openssl.cnf does not name the new port"
run_ok "works on the new port" openssl storeutl -noout scm:cert/scs1690083443906
snapshot > "$T/moved"
diff "$T/before" "$T/moved" || fail "the cloud on another port differs"
pass "on another port: the same cloud"
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null || true
HOLDER=""

# Another directory: another cloud (project, token), the same documented ids.
start "$T/other"
[ "$(sed -n 's/^EMU_PROJECT_ID=//p' "$T/other/env")" != "$(sed -n 's/^EMU_PROJECT_ID=//p' "$D/env")" ] ||
  fail "two state directories got the same project"
pass "another directory: another project"
for v in EMU_KMS_RSA2048 EMU_KMS_EC256 EMU_SCM_RSA EMU_SCM_EC EMU_DCS_ZIP; do
  expect_eq "$v is the documented id" "$(sed -n "s/^$v=//p" "$T/other/env")" "$(sed -n "s/^$v=//p" "$D/env")"
done
run_ok "stop the second cloud" $LC stop "$T/other"

run_ok "the usage" bash -c "$LC 2>&1; test \$? = 2"
expect_in "names start and stop" "local-cloud.sh start"
hwc_done
