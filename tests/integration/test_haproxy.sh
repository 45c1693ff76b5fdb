#!/usr/bin/env bash
# HAProxy (2.6 on Debian 12, 3.0 on Debian 13) in master-worker mode
# serving TLS with keys from the emulator, configured as docs/haproxy.md
# says (the blocks are read from it): crt files written by
# `hwcloud-store export`, PEM-wrapped URI key files beside them. First
# without chroot and privilege drop, then with Debian's defaults (chroot,
# user haproxy, daemon), where a kms: key signs from inside the chroot.
# Last, HAProxy loading the provider itself with ssl-provider and
# ssl-provider-path from an openssl.cnf that does not activate it
# (docs/haproxy.md section 6; HAProxy 2.6 and later).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers_lib.sh"

H=""
stop_haproxy() {
  [ -n "$H" ] && stop_pidfile "$H/haproxy.pid" TERM
  return 0
}
trap stop_haproxy EXIT

command -v haproxy >/dev/null || fail "haproxy is not installed (scripts/install-deps.sh --test)"
id haproxy >/dev/null 2>&1 || fail "no user haproxy (Debian's haproxy package creates it)"
servers_setup
H=$HWC_TEST_TMP/haproxy
mkdir -p "$H/chroot"
PORT=$(free_port)

run_ok "export the SCM chain as the crt file" \
  "$HWC_TOOL" export "scm:cert/$EMU_SCM_RSA" -o "$ETC/www.example.com.pem"
run_ok "uri2pem for the SCM key (<crt>.key)" \
  "$HWC_TOOL" uri2pem "scm:cert/$EMU_SCM_RSA" -o "$ETC/www.example.com.pem.key"
run_ok "uri2pem for the KMS key (<crt>.key)" \
  "$HWC_TOOL" uri2pem "kms:key/$EMU_KMS_EC256" -o "$ETC/kms.example.com.pem.key"
kms_cert "$EMU_KMS_EC256" kms.example.com
cp "$ETC/kms.example.com.crt" "$ETC/kms.example.com.pem"

CONF=$(server_conf haproxy.md openssl-haproxy)
doc_block haproxy.md haproxy-cfg | doc_paths |
  sed -e "s#/var/lib/haproxy#$H/chroot#" \
    -e "s#/run/haproxy/admin.sock#$H/admin.sock#" \
    -e "s#bind :443 #bind 127.0.0.1:$PORT #" > "$H/debian.cfg"
# The same without chroot and privilege drop (test-only variant).
sed -e '/^\tchroot /d' -e '/^\tuser /d' -e '/^\tgroup /d' "$H/debian.cfg" > "$H/plain.cfg"

hap() {
  env -u HWCLOUD_TOKEN OPENSSL_CONF="${HAP_CONF:-$CONF}" haproxy "$@"
}
start_haproxy() {
  : > "$H/haproxy.log"
  hap -W -f "$1" -p "$H/haproxy.pid" > "$H/haproxy.log" 2>&1 ||
    { cat "$H/haproxy.log" >&2; fail "haproxy -f $1 did not start"; }
  wait_port "$PORT" || { cat "$H/haproxy.log" >&2; fail "haproxy does not listen on $PORT"; }
  sleep 0.3
}

run_ok "haproxy -c accepts the documented configuration" hap -c -f "$H/debian.cfg"

# Without uri_pem the key files cannot be used.
sed '/^uri_pem/d' "$CONF" > "$HWC_TEST_TMP/openssl-haproxy-off.cnf"
run_fail "uri_pem off: haproxy finds no private key" "unable to load private key from file" \
  env -u HWCLOUD_TOKEN OPENSSL_CONF="$HWC_TEST_TMP/openssl-haproxy-off.cnf" \
  haproxy -c -f "$H/debian.cfg"

# 1. No chroot, no privilege drop.
start_haproxy "$H/plain.cfg"
emu_reset
fetch_pages 5 www.example.com "$PORT" "$EMU_SCM_ROOT"
expect_eq "plain, SCM key: no KMS signature" "$(signs)" 0
fetch_pages 6 kms.example.com "$PORT" "$ETC/test-ca.pem"
expect_eq "plain, KMS key: one KMS sign per full handshake" "$(signs)" 6
stop_haproxy

# 2. Debian's defaults: chroot, user haproxy, daemon (master-worker).
start_haproxy "$H/debian.cfg"
master=$(cat "$H/haproxy.pid")
worker=$(pgrep -P "$master" haproxy | head -1)
[ -n "$worker" ] || fail "no haproxy worker process"
expect_eq "worker runs as haproxy" "$(ps -o user= -p "$worker" | tr -d ' ')" haproxy
expect_eq "worker is chrooted" "$(readlink "/proc/$worker/root")" "$H/chroot"
emu_reset
fetch_pages 5 www.example.com "$PORT" "$EMU_SCM_ROOT"
expect_eq "chroot, SCM key: nothing fetched after the privilege drop" "$(emu_total)" 0
# A kms: key signs from inside the empty chroot: the provider must need no
# file there (the API's CA bundle is held in memory).
for i in $(seq 1 6); do
  if ! OUT=$(curl -sS --fail --max-time 20 --cacert "$ETC/test-ca.pem" \
    --resolve "kms.example.com:$PORT:127.0.0.1" "https://kms.example.com:$PORT/" 2>&1); then
    echo "$OUT" >&2
    fail "chroot, KMS key: handshake $i failed. BLOCKED on provider/net/transport.c: after chroot the worker cannot read ca_file ($ETC/api-ca.pem is outside $H/chroot); the provider must read ca_file once at load and hand it to libcurl with CURLOPT_CAINFO_BLOB"
  fi
done
pass "chroot, KMS key: 6 pages fetched over TLS"
expect_eq "chroot, KMS key: one KMS sign per full handshake" "$(signs)" 6

# Renewal: export, then reload (SIGUSR2 to the master) fetches the key again.
run_ok "export again (renewal)" \
  "$HWC_TOOL" export "scm:cert/$EMU_SCM_RSA" -o "$ETC/www.example.com.pem"
emu_reset
kill -USR2 "$master"
for _ in $(seq 1 50); do
  [ "$(scm_exports)" -ge 1 ] && break
  sleep 0.2
done
[ "$(scm_exports)" -ge 1 ] || fail "the reload did not fetch the SCM key again"
pass "reload fetched the SCM key again"
sleep 1
fetch_pages 3 www.example.com "$PORT" "$EMU_SCM_ROOT"
stop_haproxy

# 3. HAProxy loads hwcloud itself (ssl-provider); openssl.cnf only holds
# its settings. OPENSSL_MODULES is unset: ssl-provider-path finds it.
read -r hv_major hv_minor < <(haproxy -v |
  sed -n 's/^HAProxy version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
echo "# HAProxy $hv_major.$hv_minor"
if [ "${hv_major:-0}" -lt 2 ] || { [ "$hv_major" -eq 2 ] && [ "$hv_minor" -lt 6 ]; }; then
  echo "# SKIPPED, not counted: ssl-provider needs HAProxy 2.6 or later"
else
  PCONF=$(server_conf haproxy.md openssl-haproxy-provider)
  OUT=$(env -u OPENSSL_MODULES OPENSSL_CONF="$PCONF" openssl list -providers 2>&1)
  if grep -qi hwcloud <<<"$OUT"; then
    echo "$OUT" >&2
    fail "ssl-provider: openssl.cnf without activate still loads hwcloud"
  fi
  pass "ssl-provider: other programs reading that openssl.cnf do not load hwcloud"
  doc_block haproxy.md haproxy-provider |
    sed -e "s#^\tssl-provider-path .*#\tssl-provider-path $HWC_MODULE_DIR#" > "$H/provider.lines"
  grep -q "ssl-provider-path $HWC_MODULE_DIR" "$H/provider.lines" ||
    fail "docs/haproxy.md: the haproxy-provider block has no ssl-provider-path line"
  sed -e "/^global/r $H/provider.lines" "$H/plain.cfg" > "$H/provider.cfg"
  export -n OPENSSL_MODULES
  HAP_CONF=$PCONF
  run_fail "ssl-provider: without the lines HAProxy finds no key" \
    "No Private Key found|unable to load" hap -c -f "$H/plain.cfg"
  run_ok "ssl-provider: haproxy -c accepts the configuration" hap -c -f "$H/provider.cfg"
  start_haproxy "$H/provider.cfg"
  OUT=$(python3 - "$H/admin.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show ssl providers\n")
print(s.makefile().read())
PY
)
  expect_in "ssl-provider: HAProxy reports hwcloud loaded" "hwcloud"
  emu_reset
  fetch_pages 3 www.example.com "$PORT" "$EMU_SCM_ROOT"
  fetch_pages 3 kms.example.com "$PORT" "$ETC/test-ca.pem"
  expect_eq "ssl-provider: one KMS sign per full handshake" "$(signs)" 3
  stop_haproxy
  unset HAP_CONF
fi

hwc_done
