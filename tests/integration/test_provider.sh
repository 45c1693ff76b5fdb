#!/usr/bin/env bash
# The module itself: openssl lists it with name and version and its four
# store schemes; only OSSL_provider_init is exported; cmake --install puts
# it into libcrypto's modules directory; bad configuration stops it.
. "$(dirname "$0")/lib.sh"
export OPENSSL_MODULES=$HWC_MODULE_DIR
unset OPENSSL_CONF

run_ok "openssl list -providers" openssl list -providers -provider hwcloud
expect_in "active with name" "name: Huawei Cloud provider"
expect_in "version" "version: [0-9]+\.[0-9]+\.[0-9]+"
expect_in "status" "status: active"
run_ok "openssl list -store-loaders" openssl list -store-loaders -provider hwcloud
for s in kms scm dcs codearts; do expect_in "scheme $s" "^ *$s @ hwcloud"; done

exports=$(nm -D --defined-only "$HWC_MODULE_DIR/hwcloud.so" | awk '$2 == "T" {print $3}')
expect_eq "only OSSL_provider_init is exported" "$exports" "OSSL_provider_init"

dest=$HWC_TEST_TMP/destdir
run_ok "cmake --install" env DESTDIR="$dest" cmake --install "$HWC_BUILD_DIR"
modulesdir=$(pkg-config --variable=modulesdir libcrypto)
[ -f "$dest$modulesdir/hwcloud.so" ] || fail "hwcloud.so not installed into $modulesdir"
pass "installed into libcrypto's modules directory ($modulesdir)"

run_ok "openssl.cnf.example activates the provider" \
  env OPENSSL_CONF="$HWC_SOURCE_DIR/openssl.cnf.example" openssl list -providers
expect_in "hwcloud from the example" "name: Huawei Cloud provider"

run_fail "bad region stops the provider" "setting region \(from HWCLOUD_REGION\)" \
  env HWCLOUD_REGION=EU_DE openssl list -providers -provider hwcloud
run_fail "bad endpoint names its source" "setting endpoint \(from HWCLOUD_ENDPOINT\).*https://" \
  env HWCLOUD_ENDPOINT=http://plain openssl list -providers -provider hwcloud
hwc_done
