#!/usr/bin/env bash
# The include lines of provider/ only point down the layers
# (scripts/check-layers.py, docs/architecture.md): no include against the
# allowed directions, no cycle between folders, no file outside a layer
# folder, every include naming its folder. The checker is also run on
# copies of provider/ with one bad line each, where it must fail and name
# the file and line, so that a checker that accepts everything fails here.
. "$(dirname "$0")/lib.sh"
CHECK=$HWC_SOURCE_DIR/scripts/check-layers.py
command -v python3 >/dev/null || fail "python3 is not installed"

out=$(python3 "$CHECK" "$HWC_SOURCE_DIR/provider") ||
  fail "provider/ breaks its layers:
$out"
pass "provider/: $out"

# A copy of provider/ with one line changed; prints the checker's output
# and fails unless the checker fails too.
must_refuse() { # what file line-to-append
  local copy=$HWC_TEST_TMP/provider.$TESTS_RUN out
  rm -rf "$copy"
  cp -r "$HWC_SOURCE_DIR/provider" "$copy"
  printf '%s\n' "$3" >>"$copy/$2"
  if out=$(python3 "$CHECK" "$copy"); then
    fail "$1: the checker accepted it"
  fi
  printf '%s\n' "$out"
}
lines_of() { wc -l <"$HWC_SOURCE_DIR/provider/$1"; }

line=$(($(lines_of core/buf.c) + 1))
out=$(must_refuse "core including net" core/buf.c '#include "net/transport.h"')
grep -qF "provider/core/buf.c:$line: core may not include net/transport.h" <<<"$out" ||
  fail "core including net: not named with file and line: $out"
grep -qE "^cycle between folders: .*(core -> net \(provider/core/buf.c:$line\)|net -> core)" <<<"$out" ||
  fail "core including net: no cycle reported: $out"
pass "core/buf.c including net/transport.h: refused at its line, and the cycle core <-> net named"

line=$(($(lines_of formats/pem.c) + 1))
out=$(must_refuse "formats including services" formats/pem.c '#include "services/kms.h"')
grep -qF "provider/formats/pem.c:$line: formats may not include services/kms.h" <<<"$out" ||
  fail "formats including services: not named with file and line: $out"
pass "formats/pem.c including services/kms.h (a side step, no cycle): refused at its line"

line=$(($(lines_of resolve/fetch.h) + 1))
out=$(must_refuse "resolve including ossl" resolve/fetch.h '#include "ossl/provider.h"')
grep -qF "provider/resolve/fetch.h:$line: resolve may not include ossl/provider.h" <<<"$out" ||
  fail "resolve including ossl: not named with file and line: $out"
pass "resolve/fetch.h including ossl/provider.h: refused at its line"

line=$(($(lines_of services/kms.c) + 1))
out=$(must_refuse "an include without its folder" services/kms.c '#include "kms.h"')
grep -qF "provider/services/kms.c:$line: #include \"kms.h\" names no header" <<<"$out" ||
  fail "an include without its folder: not named: $out"
pass "services/kms.c including \"kms.h\" without its folder: refused at its line"

copy=$HWC_TEST_TMP/provider.outside
cp -r "$HWC_SOURCE_DIR/provider" "$copy"
touch "$copy/stray.c"
mkdir "$copy/misc" && touch "$copy/misc/util.c"
if out=$(python3 "$CHECK" "$copy"); then
  fail "files outside the layer folders: the checker accepted them"
fi
grep -qF "provider/stray.c: outside every layer folder" <<<"$out" &&
  grep -qF "provider/misc/util.c: misc/ is not a layer" <<<"$out" ||
  fail "files outside the layer folders: not named: $out"
pass "provider/stray.c and provider/misc/util.c: refused as outside the layers"
hwc_done
