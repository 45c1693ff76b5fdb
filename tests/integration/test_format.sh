#!/usr/bin/env bash
# Every C file of the project is formatted by the repository's .clang-format.
. "$(dirname "$0")/lib.sh"
command -v clang-format >/dev/null || fail "clang-format is not installed"
cd "$HWC_SOURCE_DIR"
bad=()
while IFS= read -r f; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(git ls-files '*.c' '*.h' 2>/dev/null || find provider tools tests bench -name '*.[ch]')
[ ${#bad[@]} -eq 0 ] || fail "not formatted by .clang-format: ${bad[*]}"
pass "every C file is formatted"
hwc_done
