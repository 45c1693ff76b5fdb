#!/usr/bin/env bash
# The README's main job: installs what is missing, builds, starts the
# bundled cloud emulator and loads objects from it through the provider
# with plain `openssl` commands, as any OpenSSL consumer would.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
BUILD=$PWD/${BUILD_DIR:-build}
export HWC_SOURCE_DIR=$PWD HWC_BUILD_DIR=$BUILD
export HWC_EMULATOR=$BUILD/tests/emulator/hwc-emulator
export HWC_MODULE_DIR=$BUILD/provider
. tests/integration/lib.sh
hwc_setup

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
step() { say "$@"; "$@"; }
echo "Emulator at $EMU_URL; provider config: $OPENSSL_CONF"
step openssl list -providers
say openssl storeutl -noout -text "scm:cert/$EMU_SCM_RSA" "| grep ..."
openssl storeutl -noout -text "scm:cert/$EMU_SCM_RSA" | grep -E '^[0-9]+:|Subject:|Issuer:|Private-Key|Total'
step openssl x509 -in "scm:cert/$EMU_SCM_RSA" -noout -subject -issuer -enddate
say openssl pkey -in "kms:key/$EMU_KMS_RSA2048" -noout -text "| grep ..."
openssl pkey -in "kms:key/$EMU_KMS_RSA2048" -noout -text | grep -E 'Public-Key|held in'
printf 'hello\n' > "$HWC_TEST_TMP/msg"
openssl pkey -pubin -in "kms:key/$EMU_KMS_RSA2048" -pubout -out "$HWC_TEST_TMP/pub.pem"
step openssl dgst -sha256 -sign "kms:key/$EMU_KMS_RSA2048" -out "$HWC_TEST_TMP/sig" "$HWC_TEST_TMP/msg"
step openssl dgst -sha256 -verify "$HWC_TEST_TMP/pub.pem" -signature "$HWC_TEST_TMP/sig" "$HWC_TEST_TMP/msg"
echo
echo "Requests the emulator answered:"
emu_stats | python3 -c 'import json,sys; r=json.load(sys.stdin)["requests"]; [print("  %3d  %s" % (n,k)) for k,n in sorted(r.items()) if "/_emu/" not in k]'
