#!/usr/bin/env bash
# A listing of more than 5,000 keys: one request per page, and the client's
# peak RSS stays under the documented bound (docs/uris.md: 48 MiB) and
# close to that of a tiny listing (one page in memory at a time).
. "$(dirname "$0")/lib.sh"
emu_start --extra-keys 7600
hwc_write_conf
export HWCLOUD_TOKEN=$EMU_TOKEN
BOUND_KIB=$((48 * 1024))
SLACK_KIB=$((8 * 1024))
# Under ASan (shadow memory, quarantine) RSS is no measure of what the code
# keeps; the bounds widen there and LeakSanitizer checks for leaks.
if [ -n "${HWC_ASAN_PRELOAD:-}" ]; then
  BOUND_KIB=$((512 * 1024))
  SLACK_KIB=$((256 * 1024))
fi

peak_rss() { # URI -> "<names> <peak KiB>"
  python3 - "$1" <<'PY'
import resource, subprocess, sys
p = subprocess.run(["openssl", "storeutl", sys.argv[1]], capture_output=True, text=True)
if p.returncode != 0:
    sys.stderr.write(p.stderr)
    sys.exit(1)
names = sum(1 for l in p.stdout.splitlines() if ": Name: " in l)
print(names, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}

read -r small small_rss < <(peak_rss "kms:keystore/$EMU_KMS_KEYSTORE") || fail "small listing failed"
emu_reset
read -r big big_rss < <(peak_rss "kms:key/") || fail "large listing failed"
[ "$big" -ge 5000 ] || fail "expected at least 5000 keys, listed $big"
pass "listed $big keys"
pages=$(emu_count list-keys)
total=$(emu_curl -X POST "$EMU_URL/v1.0/$EMU_PROJECT_ID/kms/list-keys" \
  -d '{"limit":"1","key_spec":"ALL"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
expect_eq "one request per page of 100, in one pass" "$pages" "$(( (total + 99) / 100 ))"
[ "$big_rss" -le "$BOUND_KIB" ] || fail "peak RSS $big_rss KiB exceeds $BOUND_KIB KiB"
pass "peak RSS $big_rss KiB for $big names (bound $BOUND_KIB KiB)"
[ "$big_rss" -le $((small_rss + SLACK_KIB)) ] || fail "RSS grows with the listing: $small_rss -> $big_rss KiB"
pass "RSS of $small names: $small_rss KiB; of $big names: $big_rss KiB (bounded)"
hwc_done
