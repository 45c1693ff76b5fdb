#!/usr/bin/env bash
# No interference: hwcloud changes nothing for keys it did not load,
# whichever provider is activated first. Every command of the matrix runs
# in three modes: "without" (the default provider alone: the reference),
# "first" (openssl.cnf activates hwcloud, then default) and "last"
# (default, then hwcloud). Deterministic results must be byte for byte
# those of "without"; randomised ones are cross-checked (each mode
# verifies the others' signatures, decrypts their ciphertexts).
#
# The matrix: key generation (RSA, RSA-PSS, EC on every named curve the
# default provider offers, from parameter files, ED25519/ED448/X25519/
# X448); import from parameters and in-memory operations on the keys so
# made (helper keyops: with hwcloud first, libcrypto gives them to
# hwcloud's keymgmt, which must hand everything on); pkey encodings;
# pkeyutl sign/verify/verifyrecover/encrypt/decrypt/derive; dgst; req,
# x509, ca, cms, pkcs12; TLS 1.3 and 1.2 (ECDHE, RSA key exchange) with
# RSA, ECDSA P-256 and P-384 certificates between servers and clients of
# every mode; the ClientHello's supported_groups. hwcloud logs nothing but
# its init line and the emulator sees no request.
#
# Then: the providers given on the command line in both orders, a global
# property query that prefers hwcloud, a kms:key/ EC key serving TLS 1.2
# ECDHE-ECDSA with -groups P-256 with hwcloud first and last (and its
# private half written by no encoder), and the README's examples in both
# orders (openssl.cnf and command line).
. "$(dirname "$0")/lib.sh"

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap stop_server EXIT
# uri_pem = yes: hwcloud offers all its algorithms (keymgmt, signature,
# asym cipher, encoders, decoders) from the start, the widest surface for
# interference. Without it nothing is offered until a KMS key is loaded
# (test_uri_pem checks that).
hwc_setup "uri_pem = yes"
cd "$HWC_TEST_TMP" || exit 1
exec </dev/null
KEYOPS=$HWC_BUILD_DIR/tests/integration/helpers/keyops
MODES=(without first last)
HWC_MODES=(first last)

#--------------------------------------------------------------- modes

# hwc_setup wrote default, then hwcloud: "last". "first" swaps the two
# activation lines; "pref" is "last" with a global property query that
# prefers hwcloud.
CONF_last=$OPENSSL_CONF
CONF_first=$HWC_TEST_TMP/first.cnf
CONF_pref=$HWC_TEST_TMP/pref.cnf
CONF_without=$HWC_TEST_TMP/without.cnf
awk '/^default = default_sect$/ { d = $0; next }
     /^hwcloud = hwcloud_sect$/ { print; print d; next } { print }' \
  "$CONF_last" >"$CONF_first"
awk '{ print } /^\[openssl_init\]$/ { print "alg_section = evp_props" }
     END { print "[evp_props]"; print "default_properties = ?provider=hwcloud" }' \
  "$CONF_last" >"$CONF_pref"
{
  echo "openssl_conf = openssl_init"
  echo "[openssl_init]"
  echo "providers = provider_sect"
  echo "[provider_sect]"
  echo "default = default_sect"
  echo "[default_sect]"
  echo "activate = 1"
} >"$CONF_without"
grep -A2 '^\[provider_sect\]' "$CONF_first" | tail -2 | tr '\n' ' ' |
  grep -q '^hwcloud = hwcloud_sect default = default_sect $' ||
  fail "first.cnf does not activate hwcloud first"
: >hwc-stderr.log

# in_mode MODE CMD-ARGS...: openssl (bounded: 60 s) in MODE. The stderr of
# hwcloud modes is kept (for the debug lines) and also shown.
in_mode() {
  local m=$1 conf rc=0 err=$HWC_TEST_TMP/last.err
  shift
  conf=CONF_$m
  if [ "$m" = without ]; then
    OPENSSL_CONF=${!conf} timeout 60 openssl "$@"
    return
  fi
  HWCLOUD_DEBUG=1 OPENSSL_CONF=${!conf} timeout 60 openssl "$@" 2>"$err" ||
    rc=$?
  cat "$err" >>hwc-stderr.log
  cat "$err" >&2
  return $rc
}
without() { in_mode without "$@"; }

# each DESC ARGS...: ARGS in every mode, where @ stands for the mode (its
# output directory); all must succeed.
each() {
  local desc=$1 m a args
  shift
  for m in "${MODES[@]}"; do
    args=()
    for a in "$@"; do args+=("${a//@/$m}"); done
    run_ok "$desc ($m)" in_mode "$m" "${args[@]}"
    grep -v '^hwcloud\[' <<<"$OUT" >"$m/last.out" || true
  done
}
# same DESC FILE: FILE (in each mode's directory) is that of "without".
same() {
  local m
  for m in "${HWC_MODES[@]}"; do
    run_ok "$1: $m as without" cmp "$m/$2" "without/$2"
  done
}
# cross DESC CMD-ARGS...: for every mode M and every mode O, CMD in mode M
# with % standing for O and @ for M.
cross() {
  local desc=$1 m o a args
  shift
  for m in "${MODES[@]}"; do
    for o in "${MODES[@]}"; do
      args=()
      for a in "$@"; do
        a=${a//%/$o}
        args+=("${a//@/$m}")
      done
      run_ok "$desc: made $o, used $m" in_mode "$m" "${args[@]}"
    done
  done
}

emu_reset
mkdir -p "${MODES[@]}" pref cli
printf 'a message for file keys\n' >msg
without dgst -sha256 -binary msg >msg.sha256

#------------------------------------------------------- the providers

for m in "${HWC_MODES[@]}"; do
  run_ok "hwcloud is active ($m)" in_mode "$m" list -providers
  expect_in "hwcloud listed ($m)" "hwcloud"
done
for kind in digest cipher mac kdf; do
  each "list -$kind-algorithms" list "-$kind-algorithms" -verbose
  same "list -$kind-algorithms" last.out
done

#------------------------------------------------------- key generation

each "genpkey RSA" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
  -out @/gen-rsa.key
each "genpkey RSA-PSS" genpkey -algorithm RSA-PSS \
  -pkeyopt rsa_keygen_bits:2048 -out @/gen-pss.key
for t in ED25519 ED448 X25519 X448; do
  each "genpkey $t" genpkey -algorithm "$t" -out "@/gen-$t.key"
done
each "genpkey EC P-256" genpkey -algorithm EC \
  -pkeyopt ec_paramgen_curve:P-256 -out @/gen-ec.key
each "genpkey -genparam EC P-384" genpkey -genparam -algorithm EC \
  -pkeyopt ec_paramgen_curve:P-384 -out @/p384.param
same "genpkey -genparam EC P-384" p384.param
each "genpkey -paramfile (a template)" genpkey -paramfile @/p384.param \
  -out @/gen-p384.key
each "ecparam -genkey" ecparam -name secp521r1 -genkey -noout \
  -out @/gen-p521.key
for k in gen-rsa gen-pss gen-ED25519 gen-ED448 gen-X25519 gen-X448 gen-ec \
  gen-p384 gen-p521; do
  for m in "${HWC_MODES[@]}"; do
    run_ok "$k made $m is valid without hwcloud" without pkey \
      -in "$m/$k.key" -check -noout
    without pkey -in "$m/$k.key" -text_pub -noout |
      grep -vE '^ {4}|^pub:|^Modulus|^Exponent' >"$m/$k.shape"
  done
  run_ok "$k made without hwcloud reads with it" in_mode first pkey \
    -in "without/$k.key" -check -noout
  without pkey -in "without/$k.key" -text_pub -noout |
    grep -vE '^ {4}|^pub:|^Modulus|^Exponent' >"without/$k.shape"
  same "$k: same type and parameters" "$k.shape"
done

# Every named curve of the default provider: the same outcome in every
# mode, on the same curve.
mapfile -t CURVES < <(without ecparam -list_curves |
  sed -n 's/^ *\([A-Za-z0-9_-]*\) *:.*/\1/p')
[ "${#CURVES[@]}" -gt 60 ] || fail "only ${#CURVES[@]} curves listed"
for c in "${CURVES[@]}"; do
  for m in "${MODES[@]}"; do
    if in_mode "$m" genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$c" \
      -text -out "$m/curve.txt" 2>/dev/null; then
      grep -E '^(ASN1 OID|NIST CURVE):' "$m/curve.txt" >"$m/curve-$c" ||
        echo "no curve name" >"$m/curve-$c"
    else
      echo "genpkey failed" >"$m/curve-$c"
    fi
  done
  same "genpkey EC $c" "curve-$c"
done
pass "${#CURVES[@]} curves generated alike in every mode"

# Fixed keys for the comparisons (made without hwcloud).
for k in rsa ec; do
  cp "without/gen-$k.key" "$k.key"
  without pkey -in "$k.key" -pubout -out "$k.pub"
done
cp without/gen-p384.key ec384.key
without genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out peer.key
without pkey -in peer.key -pubout -out peer.pub
without pkey -in without/gen-X25519.key -pubout -out x25519.pub

#----------------------------------- import from parameters, in memory

# keyops imports the file key with EVP_PKEY_fromdata, generates keys by
# name and from templates, and uses them; with hwcloud first, libcrypto
# made them in hwcloud's keymgmt (its stderr says so).
for k in rsa ec ec384; do
  for m in "${MODES[@]}"; do
    run_ok "keyops $k ($m)" env OPENSSL_CONF="$(eval echo "\$CONF_$m")" \
      HWCLOUD_DEBUG=1 timeout 60 "$KEYOPS" "$k.key"
    grep -v '^provider \|^hwcloud\[' <<<"$OUT" >"$m/keyops-$k.out"
    grep '^provider ' <<<"$OUT" | sort -u >"$m/keyops-$k.prov"
  done
  same "keyops $k" "keyops-$k.out"
  expect_eq "keyops $k: hwcloud first made the keys" \
    "$(cut -d: -f2 first/keyops-$k.prov | sort -u | tr -d ' \n')" hwcloud
  expect_eq "keyops $k: hwcloud last did not" \
    "$(cut -d: -f2 last/keyops-$k.prov | sort -u | tr -d ' \n')" default
done

#------------------------------------------------------------ encoders

each "pkey -text RSA" pkey -in rsa.key -text -noout -out @/rsa.txt
same "pkey -text RSA" rsa.txt
each "pkey -text EC" pkey -in ec.key -text -noout -out @/ec.txt
same "pkey -text EC" ec.txt
each "pkey PEM" pkey -in rsa.key -out @/rsa.pem
same "pkey PEM" rsa.pem
each "pkey DER" pkey -in ec.key -outform DER -out @/ec.der
same "pkey DER" ec.der
each "pkey traditional PEM" pkey -in rsa.key -traditional -out @/rsa-trad.pem
same "pkey traditional PEM" rsa-trad.pem
each "pkey -pubout" pkey -in rsa.key -pubout -out @/rsa.pub
same "pkey -pubout" rsa.pub
each "pkey -aes256 (encrypted PEM)" pkey -in ec.key -aes256 \
  -passout pass:secret -out @/ec-enc.pem
cross "encrypted PEM decrypts" pkey -in %/ec-enc.pem -passin pass:secret \
  -out @/ec-dec-%.pem
for m in "${MODES[@]}"; do
  run_ok "encrypted PEM made $m is the same key" cmp "without/ec-dec-$m.pem" \
    without/gen-ec.key
done

#------------------------------------------------------ dgst, pkeyutl

each "pkeyutl -sign RSA PKCS#1" pkeyutl -sign -inkey rsa.key \
  -pkeyopt digest:sha256 -in msg.sha256 -out @/rsa-pkcs1.sig
same "pkeyutl -sign RSA PKCS#1" rsa-pkcs1.sig
each "dgst -sha384 -sign RSA" dgst -sha384 -sign rsa.key -out @/rsa-dgst.sig \
  msg
same "dgst -sha384 -sign RSA" rsa-dgst.sig
each "pkeyutl -sign RSA raw (no digest)" pkeyutl -sign -inkey rsa.key \
  -in msg -out @/rsa-raw.sig
same "pkeyutl -sign RSA raw" rsa-raw.sig
each "pkeyutl -verifyrecover" pkeyutl -verifyrecover -pubin -inkey rsa.pub \
  -in without/rsa-raw.sig -out @/recovered
for m in "${MODES[@]}"; do
  run_ok "verifyrecover gives the message ($m)" cmp msg "$m/recovered"
done
PSS=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:max)
each "dgst -sign RSA-PSS" dgst -sha256 -sign rsa.key "${PSS[@]}" \
  -out @/rsa-pss.sig msg
each "dgst -sign ECDSA" dgst -sha256 -sign ec.key -out @/ec.sig msg
each "pkeyutl -sign ECDSA over a digest" pkeyutl -sign -inkey ec.key \
  -in msg.sha256 -out @/ec-pkeyutl.sig
each "pkeyutl -sign Ed25519" pkeyutl -sign -inkey without/gen-ED25519.key \
  -rawin -in msg -out @/ed.sig
same "Ed25519 (deterministic)" ed.sig
cross "PSS verifies" dgst -sha256 -verify rsa.pub "${PSS[@]}" \
  -signature %/rsa-pss.sig msg
cross "ECDSA verifies" dgst -sha256 -verify ec.pub -signature %/ec.sig msg
cross "ECDSA (pkeyutl) verifies" pkeyutl -verify -pubin -inkey ec.pub \
  -in msg.sha256 -sigfile %/ec-pkeyutl.sig
cross "RSA PKCS#1 verifies with the private key file" dgst -sha384 \
  -prverify rsa.key -signature %/rsa-dgst.sig msg
for m in "${MODES[@]}"; do
  run_fail "a signature of another message fails ($m)" "Verification failure" \
    in_mode "$m" dgst -sha256 -verify ec.pub -signature without/ec.sig \
    msg.sha256
done
each "pkeyutl -derive ECDH" pkeyutl -derive -inkey ec.key -peerkey peer.pub \
  -out @/ecdh.bin
same "pkeyutl -derive ECDH" ecdh.bin
each "pkeyutl -derive X25519" pkeyutl -derive \
  -inkey without/gen-X25519.key -peerkey x25519.pub -out @/x25519.bin
same "pkeyutl -derive X25519" x25519.bin

# RSA encryption: OAEP and PKCS#1 v1.5 (which KMS could not decrypt).
head -c 64 /dev/urandom >secret
each "pkeyutl -encrypt PKCS#1 v1.5" pkeyutl -encrypt -pubin -inkey rsa.pub \
  -in secret -out @/pkcs1.ct
each "pkeyutl -encrypt OAEP" pkeyutl -encrypt -pubin -inkey rsa.pub \
  -pkeyopt rsa_padding_mode:oaep -in secret -out @/oaep.ct
cross "PKCS#1 v1.5 decrypts" pkeyutl -decrypt -inkey rsa.key \
  -in %/pkcs1.ct -out @/pkcs1-%.pt
cross "OAEP decrypts" pkeyutl -decrypt -inkey rsa.key \
  -pkeyopt rsa_padding_mode:oaep -in %/oaep.ct -out @/oaep-%.pt
for m in "${MODES[@]}"; do
  for o in "${MODES[@]}"; do
    run_ok "plaintexts ($o to $m)" cmp secret "$m/pkcs1-$o.pt"
    run_ok "OAEP plaintexts ($o to $m)" cmp secret "$m/oaep-$o.pt"
  done
done

#------------------------------------------------------ certificates

each "req -new RSA" req -new -key rsa.key -subj /CN=file.example \
  -out @/rsa.csr
same "req -new RSA (PKCS#1: deterministic)" rsa.csr
each "req -new EC" req -new -key ec.key -subj /CN=file.example -out @/ec.csr
cross "CSR verifies" req -verify -noout -in %/ec.csr
each "req -x509 -newkey (a key made and used in memory)" req -x509 \
  -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout @/new.key \
  -subj /CN=new -days 2 -out @/new.pem
each "req -new -newkey rsa" req -new -newkey rsa:2048 -nodes \
  -keyout @/new-rsa.key -subj /CN=new-rsa -out @/new-rsa.csr
cross "self-signed certificate verifies" verify -CAfile %/new.pem %/new.pem
cross "CSR of a new RSA key verifies" req -verify -noout -in %/new-rsa.csr
each "req -x509 CA" req -x509 -new -key ec.key -subj /CN=file-ca -days 2 \
  "${HWC_CA_EXT[@]}" -out @/ca.pem
printf 'subjectAltName=IP:127.0.0.1\n' >ext.cnf
each "x509 -req (CA signs the RSA CSR)" x509 -req -in without/rsa.csr \
  -CA @/ca.pem -CAkey ec.key -set_serial 7 -days 2 -extfile ext.cnf \
  -out @/server.pem
each "x509 -req (CA signs the EC CSR)" x509 -req -in without/ec.csr \
  -CA @/ca.pem -CAkey ec.key -set_serial 8 -days 2 -extfile ext.cnf \
  -out @/server-ec.pem
cross "certificate verifies" verify -CAfile %/ca.pem %/server.pem
each "x509 -text" x509 -in without/server.pem -noout -text -out @/x509.txt
same "x509 -text" x509.txt

# openssl ca, with its own database in each mode.
for m in "${MODES[@]}"; do
  mkdir -p "$m/ca"
  : >"$m/ca/index.txt"
  echo 01 >"$m/ca/serial"
  cat >"$m/ca/ca.cnf" <<EOF
[ca]
default_ca = ca_sect
[ca_sect]
dir = $HWC_TEST_TMP/$m/ca
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $HWC_TEST_TMP/without/ca.pem
private_key = $HWC_TEST_TMP/ec.key
default_md = sha256
default_days = 2
policy = policy_any
[policy_any]
commonName = supplied
EOF
done
each "ca signs the RSA CSR" ca -batch -config @/ca/ca.cnf \
  -in without/rsa.csr -notext -out @/ca-rsa.pem
cross "certificate from ca verifies" verify -CAfile without/ca.pem \
  %/ca-rsa.pem

# CMS: signed (RSA and ECDSA) and enveloped (RSA key transport, ECDH).
without pkey -in ec384.key -pubout -out ec384.pub
without x509 -req -in without/ec.csr -CA without/ca.pem -CAkey ec.key \
  -set_serial 9 -days 2 -extfile ext.cnf -force_pubkey ec384.pub \
  -out server-ec384.pem
for k in rsa ec; do
  cert=without/server.pem
  [ "$k" = ec ] && cert=without/server-ec.pem
  each "cms -sign $k" cms -sign -nodetach -binary -in msg -signer "$cert" -inkey "$k.key" \
    -outform PEM -out "@/signed-$k.p7"
  cross "cms -verify $k" cms -verify -in "%/signed-$k.p7" -inform PEM \
    -CAfile without/ca.pem -purpose any -out "@/verified-$k-%"
  [ "$k" = ec ] && cert=server-ec384.pem
  each "cms -encrypt to $k" cms -encrypt -binary -in msg -aes256 -recip "$cert" \
    -out "@/enc-$k.p7"
  key=$k.key
  [ "$k" = ec ] && key=ec384.key
  cross "cms -decrypt $k" cms -decrypt -in "%/enc-$k.p7" -recip "$cert" \
    -inkey "$key" -out "@/dec-$k-%"
  for m in "${MODES[@]}"; do
    for o in "${MODES[@]}"; do
      run_ok "cms $k: contents ($o to $m)" cmp msg "$m/dec-$k-$o"
      run_ok "cms $k: signed contents ($o to $m)" cmp msg \
        "$m/verified-$k-$o"
    done
  done
done

# PKCS#12: made in each mode, read in each mode, the same key.
without pkey -in rsa.key -out rsa.pem
each "pkcs12 -export" pkcs12 -export -inkey rsa.key -in without/server.pem \
  -certfile without/ca.pem -passout pass:pw -out @/bundle.p12
cross "pkcs12 reads" pkcs12 -in %/bundle.p12 -passin pass:pw -nodes \
  -out @/p12-%.pem
for m in "${MODES[@]}"; do
  for o in "${MODES[@]}"; do
    without pkey -in "$m/p12-$o.pem" -out "$m/p12key-$o.pem"
    run_ok "pkcs12 ($o to $m): the same key" cmp rsa.pem "$m/p12key-$o.pem"
  done
done

#----------------------------------------------------------------- TLS

# start_server MODE NAME KEY CERT [args...]: s_server of MODE; sets PORT.
start_server() {
  local m=$1 name=$2 key=$3 cert=$4 conf i
  shift 4
  conf=CONF_$m
  : >"$name.out"
  : >"$name.err"
  HWCLOUD_DEBUG=1 OPENSSL_CONF=${!conf} openssl s_server \
    -accept 127.0.0.1:0 -www -key "$key" -cert "$cert" "$@" >"$name.out" \
    2>"$name.err" &
  SERVER_PID=$!
  for ((i = 0; i < 300; i++)); do
    grep -q '^ACCEPT' "$name.out" && break
    kill -0 "$SERVER_PID" 2>/dev/null ||
      { cat "$name.err" >&2; fail "$name: s_server exited"; }
    sleep 0.1
  done
  PORT=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' "$name.out" | head -n1)
  [ -n "$PORT" ] || fail "$name: no ACCEPT line"
}
stop_tls_server() {
  stop_server
  [ "$1" = without ] || cat "$2.err" >>hwc-stderr.log
}
# client MODE DESC [s_client args...]: a verified handshake.
client() {
  local m=$1 desc=$2
  shift 2
  run_ok "$desc" in_mode "$m" s_client -connect "127.0.0.1:$PORT" \
    -CAfile without/ca.pem -verify_return_error -verify_ip 127.0.0.1 \
    -brief "$@"
  expect_in "$desc: verified" "Verification: OK"
}
# handshakes NAME TYPE GROUP: TLS 1.3, TLS 1.2 ECDHE, TLS 1.2 with a client
# that offers GROUP only (an ECDSA certificate's own curve), and RSA key
# exchange for RSA, from clients of every mode.
handshakes() {
  local name=$1 type=$2 group=$3 m curve
  case $group in
  P-256) curve="(prime256v1|P-256)" ;;
  P-384) curve="(secp384r1|P-384)" ;;
  *) curve="(secp521r1|P-521)" ;;
  esac
  for m in "${MODES[@]}"; do
    client "$m" "$name: TLS 1.3, $m client" -tls1_3
    expect_in "$name: TLS 1.3, $m client: TLS 1.3" "Protocol version: TLSv1.3"
    client "$m" "$name: TLS 1.2 ECDHE, $m client" -tls1_2
    expect_in "$name: TLS 1.2 ECDHE, $m client: suite" \
      "Ciphersuite: ECDHE-$type-"
    client "$m" "$name: TLS 1.2 $group only, $m client" -tls1_2 \
      -groups "$group"
    # s_client: "Server Temp Key" in OpenSSL 3.0, "Peer Temp Key" in 3.5.
    expect_in "$name: TLS 1.2 $group only, $m client: group" \
      "(Server|Peer) Temp Key: ECDH, $curve,"
    if [ "$type" = RSA ]; then
      client "$m" "$name: TLS 1.2 RSA key exchange, $m client" -tls1_2 \
        -cipher AES128-GCM-SHA256
      expect_in "$name: RSA key exchange negotiated" \
        "Ciphersuite: AES128-GCM-SHA256"
    fi
  done
}
for sm in "${MODES[@]}"; do
  start_server "$sm" "rsa-$sm" rsa.key without/server.pem
  handshakes "RSA, $sm server" RSA P-521
  stop_tls_server "$sm" "rsa-$sm"
  start_server "$sm" "ec-$sm" ec.key without/server-ec.pem
  handshakes "ECDSA P-256, $sm server" ECDSA P-256
  stop_tls_server "$sm" "ec-$sm"
  start_server "$sm" "ec384-$sm" ec384.key server-ec384.pem
  handshakes "ECDSA P-384, $sm server" ECDSA P-384
  stop_tls_server "$sm" "ec384-$sm"
done

# The ClientHello's groups: what the default provider offers, in order.
# groups_of FILE: the supported_groups lines of a -trace output.
groups_of() {
  awk '/extension_type=supported_groups/ { g = 1; next }
       g && /extension_type=/ { exit } g { print }' "$1"
}
start_server without groups ec.key without/server-ec.pem
for m in "${MODES[@]}"; do
  in_mode "$m" s_client -connect "127.0.0.1:$PORT" -tls1_3 -trace \
    >"$m/trace" 2>&1 || true
  groups_of "$m/trace" >"$m/groups"
done
[ "$(wc -l <without/groups)" -ge 5 ] || fail "no supported_groups in -trace"
grep -qE 'P-256|secp256r1' without/groups ||
  fail "P-256 not offered without hwcloud"
same "supported_groups" groups
stop_tls_server without groups

#------------------------------------- what hwcloud did with file keys

run_ok "hwcloud was loaded" grep -q "hwcloud.*initialised" hwc-stderr.log
if grep "^hwcloud\[" hwc-stderr.log | grep -v "OSSL_provider_init"; then
  fail "hwcloud logged an operation on file keys (lines above)"
fi
pass "no hwcloud operation in the debug log"
if grep -E "hwcloud:|hwc_" hwc-stderr.log; then
  fail "hwcloud raised an error on file keys (lines above)"
fi
pass "no hwcloud error"
expect_eq "the emulator saw no request" "$(emu_total)" 0

#-------------------------------- providers on the command line, pref

# Both orders on the command line (no openssl.cnf), against "without".
for order in "hwcloud default" "default hwcloud"; do
  read -r p1 p2 <<<"$order"
  CLI=(-provider "$p1" -provider "$p2")
  for k in EC:ec_paramgen_curve:P-256 RSA:rsa_keygen_bits:2048; do
    run_ok "genpkey ${k%%:*} ($order)" env OPENSSL_CONF=/dev/null openssl \
      genpkey "${CLI[@]}" -algorithm "${k%%:*}" -pkeyopt "${k#*:}" \
      -out "cli/$p1-${k%%:*}.key"
    run_ok "genpkey ${k%%:*} ($order): valid" without pkey \
      -in "cli/$p1-${k%%:*}.key" -check -noout
  done
  start_server without "cli-$p1" ec.key without/server-ec.pem
  env OPENSSL_CONF=/dev/null openssl s_client "${CLI[@]}" \
    -connect "127.0.0.1:$PORT" -tls1_3 -trace >"cli/trace-$p1" 2>&1 || true
  groups_of "cli/trace-$p1" >"cli/groups-$p1"
  run_ok "supported_groups ($order)" cmp "cli/groups-$p1" without/groups
  stop_tls_server without "cli-$p1"
  : >"cli-$p1.out"
  env OPENSSL_CONF=/dev/null openssl s_server "${CLI[@]}" \
    -accept 127.0.0.1:0 -www -key ec.key -cert without/server-ec.pem \
    >"cli-$p1.out" 2>"cli-$p1.err" &
  SERVER_PID=$!
  for ((i = 0; i < 300; i++)); do
    grep -q '^ACCEPT' "cli-$p1.out" && break
    sleep 0.1
  done
  PORT=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' "cli-$p1.out" | head -n1)
  [ -n "$PORT" ] || { cat "cli-$p1.err" >&2; fail "s_server ($order)"; }
  client without "ECDSA P-256, TLS 1.2, s_server $order" -tls1_2
  expect_in "ECDSA P-256, s_server $order: suite" "Ciphersuite: ECDHE-ECDSA-"
  stop_server
done

# A global property query that prefers hwcloud (hwcloud activated last).
MODES=(without pref)
HWC_MODES=(pref)
each "genpkey EC (?provider=hwcloud)" genpkey -algorithm EC \
  -pkeyopt ec_paramgen_curve:P-256 -out @/gen-ec.key
each "genpkey RSA (?provider=hwcloud)" genpkey -algorithm RSA -out @/gen.key
run_ok "keyops ec (?provider=hwcloud)" env OPENSSL_CONF="$CONF_pref" \
  timeout 60 "$KEYOPS" ec.key
grep -v '^provider \|^hwcloud\[' <<<"$OUT" >pref/keyops-ec.out
expect_in "keyops ec (?provider=hwcloud): hwcloud made the keys" \
  "provider imported: hwcloud"
same "keyops ec (?provider=hwcloud)" keyops-ec.out
start_server pref ec-pref ec.key without/server-ec.pem
client without "ECDSA P-256, TLS 1.2, pref server" -tls1_2
expect_in "ECDSA P-256, pref server: suite" "Ciphersuite: ECDHE-ECDSA-"
in_mode pref s_client -connect "127.0.0.1:$PORT" -tls1_3 -trace \
  >pref/trace 2>&1 || true
groups_of pref/trace >pref/groups
same "supported_groups (?provider=hwcloud)" groups
stop_tls_server pref ec-pref
MODES=(without first last)
HWC_MODES=(first last)

#------------------------------------------------- a KMS EC key, TLS 1.2

# Its certificate from a CSR signed in KMS; served with hwcloud first and
# last, to clients that offer only P-256.
EC=kms:key/$EMU_KMS_EC256
run_ok "CSR signed in KMS" in_mode first req -new -key "$EC" \
  -subj /CN=127.0.0.1 -out kms-ec.csr
run_ok "certificate for the KMS key" without x509 -req -in kms-ec.csr \
  -CA without/ca.pem -CAkey ec.key -set_serial 10 -days 2 -extfile ext.cnf \
  -out kms-ec.pem
for sm in "${HWC_MODES[@]}"; do
  emu_reset
  start_server "$sm" "kms-$sm" "$EC" kms-ec.pem
  for m in without first; do
    client "$m" "KMS EC key, $sm server, $m client: TLS 1.2 P-256" -tls1_2 \
      -groups P-256
    expect_in "KMS EC key, $sm server: ECDHE-ECDSA" "Ciphersuite: ECDHE-ECDSA-"
  done
  client without "KMS EC key, $sm server: TLS 1.3" -tls1_3
  stop_server
  expect_eq "KMS EC key, $sm server: one sign per handshake" \
    "$(emu_count "POST /kms/sign")" 3
  run_ok "KMS key PEM ($sm): the URI, not a private key" in_mode "$sm" \
    pkey -in "$EC" -out "$sm/kms.pem"
  run_ok "KMS key PEM ($sm): HWCLOUD PROVIDER URI" \
    grep -q "BEGIN HWCLOUD PROVIDER URI" "$sm/kms.pem"
  run_fail "KMS key DER ($sm): refused" "no DER form" in_mode "$sm" pkey \
    -in "$EC" -outform DER -out "$sm/kms.der"
  run_fail "KMS key traditional PEM ($sm): no private key either" \
    "unsupported|no DER form|encoder" in_mode "$sm" pkey -in "$EC" \
    -traditional -out "$sm/kms-trad.pem"
done
if grep -l "PRIVATE KEY" first/kms*.pem last/kms*.pem 2>/dev/null; then
  fail "a KMS key was written as a private key"
fi
pass "no KMS private key written"

#------------------------------------------ the README's examples, both orders

SCM=scm:cert/$EMU_SCM_EC
for m in "${HWC_MODES[@]}"; do
  run_ok "README storeutl -text ($m)" in_mode "$m" storeutl -noout -text "$SCM"
  grep -v '^hwcloud\[' <<<"$OUT" >"$m/readme-storeutl"
  run_ok "README x509 -subject ($m)" in_mode "$m" x509 -in "$SCM" -noout \
    -subject
  grep -v '^hwcloud\[' <<<"$OUT" >"$m/readme-x509"
  run_ok "README pkey -pubin -text ($m)" in_mode "$m" pkey -pubin -in "$EC" \
    -text -noout
  grep -v '^hwcloud\[' <<<"$OUT" >"$m/readme-pkey"
  start_server "$m" "readme-$m" "$SCM" "$SCM" -cert_chain "$SCM"
  for v in -tls1_2 -tls1_3; do
    run_ok "README s_server ($m): $v" in_mode without s_client \
      -connect "127.0.0.1:$PORT" -CAfile "$EMU_SCM_ROOT" -servername \
      ec.example.com -verify_return_error -brief "$v"
    expect_in "README s_server ($m): $v verified" "Verification: OK"
  done
  stop_server
done
for f in readme-storeutl readme-x509 readme-pkey; do
  run_ok "$f: first as last" cmp first/$f last/$f
done
# Without openssl.cnf, the environment names the service; both orders.
for order in "hwcloud default" "default hwcloud"; do
  read -r p1 p2 <<<"$order"
  run_ok "README storeutl -provider $order" env OPENSSL_CONF=/dev/null \
    HWCLOUD_ENDPOINT="$EMU_URL" HWCLOUD_CA_FILE="$EMU_CA" \
    HWCLOUD_REGION="$EMU_REGION" HWCLOUD_PROJECT_ID="$EMU_PROJECT_ID" \
    HWCLOUD_DOMAIN_ID="$EMU_DOMAIN_ID" openssl storeutl -provider "$p1" \
    -provider "$p2" -certs "$SCM"
  grep -v '^hwcloud\[' <<<"$OUT" >"cli/readme-$p1"
  expect_in "README storeutl -provider $order: certificates" \
    "Certificate:|BEGIN CERTIFICATE"
done
run_ok "README storeutl: both orders alike" cmp cli/readme-hwcloud \
  cli/readme-default

hwc_done
