#!/usr/bin/env bash
# bench/coexist.sh: what hwcloud costs programs that never name its URIs.
# Loads ordinary PEM keys and certificates (bench/coexist_bench.c) in
# library contexts with the default provider alone and with hwcloud
# activated first or last, uri_pem off and on, and prints JSON lines:
#   - timings: medians of interleaved rounds, and their ratio to the
#     default provider alone;
#   - instructions per load under callgrind (when valgrind is installed):
#     the same for the same binary and inputs whatever else the machine
#     does, so a small ratio can be read on a busy machine.
#
#   bash bench/coexist.sh BUILD_DIR [ROUNDS N]
#
# Run by bench/run.sh; also runs by itself, e.g. inside the Debian 13
# chroot of scripts/test-debian13.sh, for the OpenSSL 3.5 figures.
set -euo pipefail
BUILD=$1
ROUNDS=${2:-20}
N=${3:-50}
BENCH=$BUILD/bench/hwc-coexist_bench
MODULE=$(realpath "$BUILD/provider/hwcloud.so")
[ -x "$BENCH" ] && [ -e "$MODULE" ] || {
  echo "coexist.sh: build $BUILD first" >&2
  exit 1
}
D=$(mktemp -d /tmp/hwc-coexist.XXXXXX)
trap '[ -n "${HWC_COEXIST_KEEP:-}" ] || rm -rf "$D"' EXIT
export OPENSSL_CONF=/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$D/rsa.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$D/ec.pem"
openssl req -x509 -new -key "$D/ec.pem" -subj /CN=coexist -days 30 \
  -out "$D/cert.pem" 2>/dev/null
unset OPENSSL_CONF
for pem in off on; do
  for order in first last; do
    {
      echo "openssl_conf = init"
      echo "[init]"
      echo "providers = provider_sect"
      echo "[provider_sect]"
      if [ "$order" = first ]; then
        echo "hwcloud = hwcloud_sect"
        echo "default = default_sect"
      else
        echo "default = default_sect"
        echo "hwcloud = hwcloud_sect"
      fi
      echo "[default_sect]"
      echo "activate = 1"
      echo "[hwcloud_sect]"
      echo "module = $MODULE"
      echo "activate = 1"
      echo "uri_pem = $([ "$pem" = on ] && echo yes || echo no)"
    } >"$D/$pem-$order.cnf"
  done
done
"$BENCH" "$D" "$D/rsa.pem" "$D/ec.pem" "$D/cert.pem" "$ROUNDS" "$N"
command -v valgrind >/dev/null || exit 0
# Instructions: a run of 21 loads minus a run of 1, over 20.
ir() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BENCH" --only \
    "$1" "$2" "$D" "$D/rsa.pem" "$D/ec.pem" "$D/cert.pem" "$3" 2>&1 |
    sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
for w in 0 1 2 3; do
  for c in default off-last off-first on-last on-first; do
    a=$(ir "$c" "$w" 1)
    b=$(ir "$c" "$w" 21)
    echo "{\"scenario\":\"coexist_ir.$w.$c\",\"instructions\":$(((b - a) / 20))}"
  done
done
