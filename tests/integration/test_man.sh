#!/usr/bin/env bash
# The man pages hwcloud-store(1) and hwcloud(7) (man/): they render
# without a warning from groff (as lintian checks them), hwcloud-store(1)
# has every command and option the tool's own --help texts list, every key
# of the sync configuration and every exit status, hwcloud(7) every
# HUAWEICLOUD_SDK_* variable the provider reads (its settings are checked
# item by item by tests/unit/check_man.c), and `cmake --install` puts both,
# and the systemd units, where `man` and systemd find them.
. "$(dirname "$0")/lib.sh"
T=$HWC_TEST_TMP
MAN1=$HWC_SOURCE_DIR/man/hwcloud-store.1
MAN7=$HWC_SOURCE_DIR/man/hwcloud.7
command -v man >/dev/null || fail "man is not installed (scripts/install-deps.sh --test)"

# render FILE: the page as text; groff's warnings land in $T/warnings.
# groff 1.23 (Debian 13) marks bold with escape sequences unless
# GROFF_NO_SGR is set (col -b removes only overstriking), and may print
# \- as U+2212 and hyphens as U+2010: both become '-', so that options
# can be looked for as typed.
render() {
  GROFF_NO_SGR=1 LC_ALL=C.UTF-8 MANWIDTH=200 man --warnings -E UTF-8 -l -Tutf8 "$1" 2>"$T/warnings" |
    col -bx | sed 's/\xe2\x88\x92/-/g; s/\xe2\x80\x90/-/g'
}
for page in "$MAN1" "$MAN7"; do
  render "$page" >"$T/$(basename "$page").txt"
  [ ! -s "$T/warnings" ] || fail "$(basename "$page"): groff warns: $(cat "$T/warnings")"
  pass "$(basename "$page") renders without a warning"
done
TXT1=$T/hwcloud-store.1.txt
TXT7=$T/hwcloud.7.txt

# --- hwcloud-store(1) against the tool ------------------------------------
cmds=$("$HWC_TOOL" --help | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1}')
[ -n "$cmds" ] || fail "hwcloud-store --help lists no command"
for c in $cmds; do
  grep -q "hwcloud-store $c" "$TXT1" || fail "hwcloud-store(1) has no 'hwcloud-store $c'"
  [ "$c" = help ] && continue
  opts=$("$HWC_TOOL" "$c" --help | grep -oE -- '(^|[ [])--?[a-z][a-z-]*' | sed 's/^[[ ]*//' | sort -u)
  for o in $opts; do
    grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" "$TXT1" || fail "hwcloud-store(1) lacks option $o of '$c --help'"
  done
done
pass "hwcloud-store(1): every command and option of the tool's --help"
for k in openssl_conf certificate cert chain fullchain key deploy_hook owner group mode key_mode; do
  grep -qE "(^|[ (])$k([ ,.)]|$)" "$TXT1" || fail "hwcloud-store(1) does not document the sync key $k"
done
pass "hwcloud-store(1): the sync configuration's keys"
for s in 0 1 2 3; do
  sed -n '/^EXIT STATUS/,/^[A-Z]/p' "$TXT1" | grep -qE "^ +$s( |$)" || fail "hwcloud-store(1): exit status $s missing"
done
pass "hwcloud-store(1): exit statuses 0, 1, 2 and 3"

# --- hwcloud(7) against the provider's sources -----------------------------
sdk=$(grep -rhoE 'HUAWEICLOUD_SDK_[A-Z_]+' "$HWC_SOURCE_DIR/provider" | sort -u)
[ -n "$sdk" ] || fail "no HUAWEICLOUD_SDK_ variable found in provider/"
for v in $sdk; do
  grep -q "$v" "$TXT7" || fail "hwcloud(7) does not name $v"
done
pass "hwcloud(7): every HUAWEICLOUD_SDK_* variable the provider reads"
for u in kms:key/ kms:alias/ kms:keystore/ scm:cert/ scm:name/ dcs:ssl/ codearts:keystore/; do
  grep -q "$u" "$TXT7" || fail "hwcloud(7) lacks the URI form $u"
done
pass "hwcloud(7): every URI form"

# --- cmake --install: man finds the pages, the units name the tool ---------
DEST=$T/root
DESTDIR=$DEST cmake --install "$HWC_BUILD_DIR" --prefix /usr/local >"$T/install.log" 2>&1 ||
  fail "cmake --install failed: $(cat "$T/install.log")"
for f in share/man/man1/hwcloud-store.1 share/man/man7/hwcloud.7 \
  lib/systemd/system/hwcloud-sync.service lib/systemd/system/hwcloud-sync.timer bin/hwcloud-store; do
  [ -f "$DEST/usr/local/$f" ] || fail "cmake --install did not install $f"
done
pass "cmake --install: man pages, systemd units, the tool"
export GROFF_NO_SGR=1
run_ok "man -w finds hwcloud-store" env MANPATH="$DEST/usr/local/share/man" man -w hwcloud-store
expect_eq "... in section 1" "$OUT" "$DEST/usr/local/share/man/man1/hwcloud-store.1"
run_ok "man 7 hwcloud renders" env MANPATH="$DEST/usr/local/share/man" MANWIDTH=80 man 7 hwcloud
expect_in "man 7 hwcloud: its NAME" "hwcloud +- +OpenSSL 3 provider"
grep -qx "ExecStart=/usr/local/bin/hwcloud-store sync --sync-config /etc/hwcloud/sync.conf" \
  "$DEST/usr/local/lib/systemd/system/hwcloud-sync.service" ||
  fail "the service does not run the installed tool: $(grep ExecStart "$DEST/usr/local/lib/systemd/system/hwcloud-sync.service")"
pass "the installed service runs the installed tool"

hwc_done
