# lib.sh: what every integration test sources. Starts an emulator (through
# emu_lib.sh), writes an openssl.cnf that activates hwcloud and default
# against it, and offers small assertion helpers. Tests fail loudly: a
# check that cannot run is a failure, never a skip.
set -euo pipefail

: "${HWC_SOURCE_DIR:?run through ctest (HWC_SOURCE_DIR unset)}"
: "${HWC_BUILD_DIR:?run through ctest (HWC_BUILD_DIR unset)}"
: "${HWC_MODULE_DIR:=$HWC_BUILD_DIR/provider}"
if [ -z "${HWC_TEST_TMP:-}" ]; then
  HWC_TEST_TMP=$(mktemp -d /tmp/hwc-test.XXXXXX)
  # Removed at exit unless kept for debugging (emu_start keeps this trap).
  [ -n "${HWC_KEEP_TMP:-}" ] || trap 'rm -rf "$HWC_TEST_TMP"' EXIT
fi
export HWC_TEST_TMP
# shellcheck source=emu_lib.sh
. "$HWC_SOURCE_DIR/tests/integration/emu_lib.sh"

TESTS_RUN=0
TESTS_FAILED=0

# Extensions every test CA made with `openssl req -x509` needs: without a
# configuration file req adds no basicConstraints, and OpenSSL 3.5 refuses
# such a certificate as an issuer ("invalid CA certificate").
HWC_CA_EXT=(-addext basicConstraints=critical,CA:TRUE
  -addext keyUsage=critical,keyCertSign,cRLSign)

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

pass() {
  TESTS_RUN=$((TESTS_RUN + 1))
  echo "ok $TESTS_RUN - $*"
}

# Writes $HWC_TEST_TMP/openssl.cnf; extra lines for the hwcloud section
# may be given as arguments.
hwc_write_conf() {
  local conf=$HWC_TEST_TMP/openssl.cnf
  {
    echo "openssl_conf = openssl_init"
    echo "[openssl_init]"
    echo "providers = provider_sect"
    echo "[provider_sect]"
    echo "default = default_sect"
    echo "hwcloud = hwcloud_sect"
    echo "[default_sect]"
    echo "activate = 1"
    echo "[hwcloud_sect]"
    echo "module = $HWC_MODULE_DIR/hwcloud.so"
    echo "activate = 1"
    echo "endpoint = $EMU_URL"
    echo "ca_file = $EMU_CA"
    echo "region = $EMU_REGION"
    echo "project_id = $EMU_PROJECT_ID"
    echo "domain_id = $EMU_DOMAIN_ID"
    echo "retries = 3"
    # The emulator's OBS download host (DCS links go to OBS hosts only).
    echo "dcs_download_hosts = 127.0.0.1"
    for line in "$@"; do echo "$line"; done
  } > "$conf"
  export OPENSSL_CONF=$conf
  export OPENSSL_MODULES=$HWC_MODULE_DIR
}

# Starts the emulator and points openssl at it with a static token.
hwc_setup() {
  emu_start
  hwc_write_conf "$@"
  export HWCLOUD_TOKEN=$EMU_TOKEN
}

# run_ok DESC CMD...: CMD must exit 0; its output lands in $OUT.
run_ok() {
  local desc=$1
  shift
  if ! OUT=$("$@" 2>&1); then
    echo "$OUT" >&2
    fail "$desc: command failed: $*"
  fi
  pass "$desc"
}

# run_fail DESC PATTERN CMD...: CMD must exit non-zero and print PATTERN.
run_fail() {
  local desc=$1 pattern=$2
  shift 2
  if OUT=$("$@" 2>&1); then
    echo "$OUT" >&2
    fail "$desc: command succeeded but should have failed: $*"
  fi
  if ! grep -qE -- "$pattern" <<<"$OUT"; then
    echo "$OUT" >&2
    fail "$desc: output lacks /$pattern/"
  fi
  # A loader that fails must end the stream (nginx and stunnel loop on eof).
  if grep -q "without eof or error" <<<"$OUT"; then
    echo "$OUT" >&2
    fail "$desc: the loader failed without eof or an error"
  fi
  pass "$desc"
}

# expect_in DESC PATTERN: $OUT must match PATTERN.
expect_in() {
  if ! grep -qE -- "$2" <<<"$OUT"; then
    echo "$OUT" >&2
    fail "$1: output lacks /$2/"
  fi
  pass "$1"
}

expect_eq() {
  if [ "$2" != "$3" ]; then
    fail "$1: expected '$3', got '$2'"
  fi
  pass "$1"
}

# emu_total: every service request the emulator answered (admin excluded).
emu_total() {
  emu_stats | python3 -c 'import json,sys; r=json.load(sys.stdin)["requests"]; print(sum(n for k,n in r.items() if "/_emu/" not in k))'
}

# hwc_done: the summary line; fails when the emulator flagged a request
# as one that no official SDK would send (see tests/emulator/README.md).
hwc_done() {
  local flagged=$_EMU_FLAGGED
  if [ -n "$_EMU_PID" ]; then
    flagged+=$(emu_flags) || fail "cannot read the emulator's flags"
  fi
  if [ -n "$flagged" ]; then
    echo "$flagged" >&2
    fail "the emulator flagged requests that the official SDKs never send"
  fi
  echo "$TESTS_RUN passed, 0 failed"
}
