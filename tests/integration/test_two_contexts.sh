#!/usr/bin/env bash
# hwcloud in two library contexts at once, with different settings (A
# caches, B does not), then one context freed and the other used again,
# in both orders: the survivor loads, signs and raises readable errors,
# and memcheck finds no invalid access and no leak. Under ASan (the
# sanitizer stage) the helper runs instrumented instead.
. "$(dirname "$0")/lib.sh"
hwc_setup
HELPER=$HWC_BUILD_DIR/tests/integration/helpers/two_contexts
[ -x "$HELPER" ] || fail "helper not built: $HELPER"

conf() { # conf FILE CACHE_TTL: a context's own openssl.cnf
  cat >"$1" <<CNF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
hwcloud = hwcloud_sect
[default_sect]
activate = 1
[hwcloud_sect]
module = $HWC_MODULE_DIR/hwcloud.so
activate = 1
endpoint = $EMU_URL
ca_file = $EMU_CA
region = $EMU_REGION
project_id = $EMU_PROJECT_ID
cache_ttl = $2
CNF
}
conf "$HWC_TEST_TMP/a.cnf" 300
conf "$HWC_TEST_TMP/b.cnf" 0
unset OPENSSL_CONF

run() {
  if [ -n "${HWC_ASAN_PRELOAD:-}" ]; then
    "$HELPER" "$@"
  else
    command -v valgrind >/dev/null || fail "valgrind is not installed"
    valgrind --tool=memcheck --error-exitcode=3 --leak-check=full \
      --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
      --suppressions="$HWC_SOURCE_DIR/tests/sanitizer/valgrind.supp" \
      --num-callers=40 "$HELPER" "$@"
  fi
}

for order in ab ba; do
  emu_reset
  run_ok "two contexts, freed in order $order" run "$HWC_TEST_TMP/a.cnf" \
    "$HWC_TEST_TMP/b.cnf" "kms:key/$EMU_KMS_EC256" "scm:cert/$EMU_SCM_RSA" "$order"
  expect_in "$order: the survivor still loads and signs" \
    "context (A|B) loaded and signed"
  expect_in "$order: the survivor's errors read as hwcloud's" "error text intact"
  expect_in "$order: finished" "two_contexts: ok"
  # Each context keeps its own settings and cache: A (cache_ttl 300)
  # exports once for all its loads, B (cache_ttl 0) once per load: A 1 + B 2,
  # then B 2 more (ab) or A none (ba).
  exports=$(emu_count "POST /export")
  if [ "$order" = ab ]; then want=5; else want=3; fi
  expect_eq "$order: exports follow each context's cache setting" "$exports" "$want"
done
hwc_done
