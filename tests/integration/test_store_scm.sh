#!/usr/bin/env bash
# scm:cert/<id> through real consumers: storeutl (every decoding case the
# service may produce), x509, and a TLS handshake with s_server/s_client.
. "$(dirname "$0")/lib.sh"
hwc_setup

run_ok "storeutl loads leaf, chain and key" \
  openssl storeutl -noout -text "scm:cert/$EMU_SCM_RSA"
expect_in "4 objects" "Total found: 4"
expect_in "leaf subject printed" "Subject: .*CN *= *www.example.com"
expect_in "private key printed" "Private-Key: \(2048 bit"

first=$(openssl storeutl "scm:cert/$EMU_SCM_RSA" 2>&1 | grep -m1 -E '^[0-9]+: ')
expect_eq "leaf comes first" "$first" "0: Certificate"

run_ok "-certs returns only certificates" \
  openssl storeutl -certs "scm:cert/$EMU_SCM_RSA"
expect_in "3 certificates" "Total found: 3"
if grep -q "Private key" <<<"$OUT"; then fail "-certs returned a key"; fi

run_ok "-keys returns only the key" openssl storeutl -keys "scm:cert/$EMU_SCM_RSA"
expect_in "1 key" "Total found: 1"

run_ok "provider named on the command line, settings from the environment" \
  env -u OPENSSL_CONF HWCLOUD_ENDPOINT="$EMU_URL" HWCLOUD_CA_FILE="$EMU_CA" \
  HWCLOUD_PROJECT_ID="$EMU_PROJECT_ID" HWCLOUD_REGION="$EMU_REGION" \
  openssl storeutl -provider hwcloud -provider default -noout -text \
  "scm:cert/$EMU_SCM_RSA"
expect_in "found via -provider" "Total found: 4"

for v in CRLF GLUED NOLEAF NULLCHAIN EMPTYCHAIN PKCS8 SEC1PARAMS WS REVERSED EC; do
  id_var=EMU_SCM_$v
  id=${!id_var:?emulator did not export $id_var}
  run_ok "decoding case $v loads" openssl storeutl -noout -text "scm:cert/$id"
  expect_in "$v: has a key" "Total found: [2-9]"
  leaf=$(openssl storeutl -certs "scm:cert/$id" 2>/dev/null | head -1)
  expect_eq "$v: leaf first" "$leaf" "0: Certificate"
  subj=$(openssl x509 -in "scm:cert/$id" -noout -subject 2>&1)
  if ! grep -qE "CN ?= ?(www|ec)\.example\.com" <<<"$subj"; then
    fail "$v: first certificate is not the leaf: $subj"
  fi
  pass "$v: x509 reads the leaf"
done

# REVERSED lists root, intermediate, leaf and repeats the intermediate.
run_ok "reversed chain de-duplicated" openssl storeutl -certs "scm:cert/$EMU_SCM_REVERSED"
expect_in "leaf + 2 unique chain certificates" "Total found: 3"

run_fail "a key matching no certificate is an error" \
  "no certificate matches the private key" \
  openssl storeutl -noout "scm:cert/$EMU_SCM_MISMATCH"

run_ok "x509 reads the leaf" openssl x509 -in "scm:cert/$EMU_SCM_RSA" -noout -subject
expect_in "leaf subject" "CN ?= ?www.example.com"

# TLS: s_server with certificate, chain and key from SCM (RSA and EC).
tls_handshake() {
  local id=$1 name=$2 port log
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  log=$HWC_TEST_TMP/s_server.$name.log
  openssl s_server -accept "127.0.0.1:$port" -naccept 1 \
    -cert "scm:cert/$id" -cert_chain "scm:cert/$id" -key "scm:cert/$id" \
    -www >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do grep -q ACCEPT "$log" && break; sleep 0.1; done
  grep -q ACCEPT "$log" || { cat "$log" >&2; fail "$name: s_server did not start"; }
  OUT=$(echo | openssl s_client -connect "127.0.0.1:$port" -verify_return_error \
    -CAfile "$EMU_SCM_ROOT" -servername "$name" 2>&1) || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  grep -q "Verify return code: 0 (ok)" <<<"$OUT" || { echo "$OUT" >&2; cat "$log" >&2; fail "$name: handshake not verified"; }
  pass "$name: TLS handshake verified against the SCM root"
}
tls_handshake "$EMU_SCM_RSA" www.example.com
tls_handshake "$EMU_SCM_EC" ec.example.com

hwc_done
