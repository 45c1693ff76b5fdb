#!/usr/bin/env bash
# The module itself: openssl lists it with name and version and its four
# store schemes; only OSSL_provider_init is exported; cmake --install puts
# it into libcrypto's modules directory; a bad configuration leaves it
# loaded but inactive, with the reason in its name.
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

run_ok "bad region: the provider still loads" \
  env HWCLOUD_REGION=EU_DE openssl list -providers -provider hwcloud
expect_in "bad region: inactive" "status: inactive"
expect_in "bad region: the name says why" \
  "name: Huawei Cloud provider \(unusable: setting region \(from HWCLOUD_REGION\)"
run_ok "bad endpoint: the provider still loads" \
  env HWCLOUD_ENDPOINT=http://plain openssl list -providers -provider hwcloud
expect_in "bad endpoint names its source" "setting endpoint \(from HWCLOUD_ENDPOINT\).*https://"
hwc_done
