#!/usr/bin/env bash
# The Debian package as an operator gets it: built the Debian way
# (dpkg-buildpackage -us -uc -b, once per run, unit tests left to the
# ctest run itself), lintian with no error or warning, `apt-get install
# ./hwcloud-provider_*.deb`, the demo against the emulator through the
# installed module and tool only (no OPENSSL_MODULES, no module path in
# openssl.cnf), man pages, the sync units installed but neither enabled nor
# started; then `apt-get purge` leaves nothing behind: no file or
# directory of the package, no conffile, no systemd state. The purge runs
# at exit whatever happened, so the host is as before for later tests.
# Needs root (apt-get); reported as skipped (77) otherwise, and in the
# sanitizer runs of the suite.
. "$(dirname "$0")/lib.sh"
PKG=hwcloud-provider
T=$HWC_TEST_TMP
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: installing a package needs root"
  exit 77
fi
# The package is built from the sources, not from this build directory: a
# sanitizer run of the suite would only build and test it a second time.
if [ -n "${HWC_ASAN_PRELOAD:-}${HWC_TSAN_PRELOAD:-}" ]; then
  echo "SKIP: sanitizer build (the plain run of the suite tests the package)"
  exit 77
fi
for t in dpkg-buildpackage dh lintian apt-get man; do
  command -v "$t" >/dev/null || fail "$t is missing (scripts/install-deps.sh --test)"
done
export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -y -qq -o DPkg::Lock::Timeout=600)

# One install at a time on this machine (sessions share it); a package
# left by an interrupted run of this test is removed, any other refused.
mkdir -p /run/lock
exec 9>/run/lock/hwcloud-deb-test.lock
flock 9
MARK=/run/lock/hwcloud-deb-test.installed
# installed: dpkg knows the package in any state but "not installed"
installed() {
  local s
  s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null) || return 1
  [ "${s:1:1}" != n ]
}
if installed; then
  [ -e "$MARK" ] || fail "$PKG is installed on this host, not by this test: it would be removed"
  "${APT[@]}" purge "$PKG" >/dev/null
fi
# (an EXIT trap that returns keeps the script's exit status)
cleanup() {
  if installed; then "${APT[@]}" purge "$PKG" >/dev/null 2>&1 || true; fi
  rm -f "$MARK"
  rm -rf "$T"
}
trap cleanup EXIT # kept by emu_start, run after the emulator stops

# --- build, once --------------------------------------------------------------
SRC=$T/src/$PKG
mkdir -p "$SRC"
if git -C "$HWC_SOURCE_DIR" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$HWC_SOURCE_DIR" && git ls-files -co --exclude-standard -z | tar --null -cf - -T -) | tar -xf - -C "$SRC"
else
  tar -C "$HWC_SOURCE_DIR" --exclude='./build*' --exclude=./.git --exclude='./obj-*' \
    -cf - . | tar -xf - -C "$SRC"
fi
start=$(date +%s)
(cd "$SRC" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" DEB_BUILD_PROFILES=nocheck \
  dpkg-buildpackage -us -uc -b >"$T/build.log" 2>&1) || {
  tail -40 "$T/build.log" >&2
  fail "dpkg-buildpackage -us -uc -b failed"
}
DEB=$(ls "$T"/src/${PKG}_*.deb)
pass "dpkg-buildpackage -us -uc -b made $(basename "$DEB") in $(($(date +%s) - start)) s"
run_ok "lintian: no error, no warning" lintian --fail-on error,warning "$T"/src/${PKG}_*.changes
if grep -qE '^[EW]: ' <<<"$OUT"; then
  echo "$OUT" >&2
  fail "lintian reported errors or warnings"
fi

MODDIR=$(openssl version -m | sed -n 's/^MODULESDIR: "\(.*\)"$/\1/p')
[ -n "$MODDIR" ] || fail "openssl version -m names no modules directory"
dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's#^\.##; s#/$##' | grep -v '^$' >"$T/contents"
grep -qx "$MODDIR/hwcloud.so" "$T/contents" || fail "the package does not put hwcloud.so in $MODDIR"
pass "the module goes to libcrypto's modules directory ($MODDIR)"
# What existed before, so that the purge can be checked against it.
while read -r p; do [ -e "$p" ] && echo "$p"; done <"$T/contents" >"$T/existed"

# --- install ------------------------------------------------------------------
touch "$MARK"
run_ok "apt-get install ./$(basename "$DEB")" "${APT[@]}" install --no-install-recommends "$DEB"
installed || fail "$PKG is not installed after apt-get install"
for f in /usr/bin/hwcloud-store "$MODDIR/hwcloud.so" \
  /usr/share/doc/$PKG/openssl.cnf.example /usr/share/doc/$PKG/sync.conf.example \
  /usr/share/doc/$PKG/copyright /usr/share/man/man1/hwcloud-store.1.gz \
  /usr/share/man/man7/hwcloud.7.gz; do
  [ -f "$f" ] || fail "not installed: $f"
done
pass "installed: module, tool, docs, openssl.cnf.example, man pages"
export GROFF_NO_SGR=1 # plain text from groff 1.23 too
run_ok "man hwcloud-store" env MANWIDTH=80 man hwcloud-store
expect_in "man hwcloud-store: its NAME" "hwcloud-store +- +key files, certificate files"
run_ok "man 7 hwcloud" env MANWIDTH=80 man 7 hwcloud
expect_in "man 7 hwcloud: the settings" "cache_ttl"
UNITS=$(dpkg -L "$PKG" | grep -E '/systemd/system/hwcloud-sync\.(service|timer)$' | sort)
expect_eq "the service and the timer" "$(wc -l <<<"$UNITS")" 2
grep -qx "ExecStart=/usr/bin/hwcloud-store sync --sync-config /etc/hwcloud/sync.conf" \
  $(grep service <<<"$UNITS") || fail "the service does not run /usr/bin/hwcloud-store"
grep -q "^RandomizedDelaySec=" $(grep timer <<<"$UNITS") || fail "the timer has no randomised delay"
pass "the service runs the packaged tool, the timer is randomised"
[ ! -e /etc/systemd/system/timers.target.wants/hwcloud-sync.timer ] || fail "the timer was enabled"
pass "the timer is not enabled: no timers.target.wants link"
if command -v systemctl >/dev/null; then # (a chroot may have no systemd)
  run_ok "systemctl is-enabled hwcloud-sync.timer" sh -c 'systemctl is-enabled hwcloud-sync.timer || true'
  expect_eq "systemctl: the timer is disabled" "$OUT" "disabled"
fi

# --- the demo, through installed paths only -----------------------------------
emu_start
unset OPENSSL_MODULES
cat >"$T/openssl.cnf" <<EOF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
hwcloud = hwcloud_sect
[default_sect]
activate = 1
[hwcloud_sect]
# no module line: libcrypto finds hwcloud.so in its modules directory
activate = 1
endpoint = $EMU_URL
ca_file = $EMU_CA
region = $EMU_REGION
project_id = $EMU_PROJECT_ID
token = $EMU_TOKEN
EOF
export OPENSSL_CONF=$T/openssl.cnf
run_ok "openssl list -providers" openssl list -providers
expect_in "the installed hwcloud provider is active" "hwcloud"
run_ok "openssl storeutl scm:cert/<id>" openssl storeutl -certs "scm:cert/$EMU_SCM_RSA"
expect_in "... the leaf and its chain" "Total found: 3"
run_ok "openssl x509 -in scm:cert/<id>" openssl x509 -in "scm:cert/$EMU_SCM_RSA" -noout -subject
expect_in "... the leaf" "CN *= *www.example.com"
printf 'hello\n' >"$T/msg"
run_ok "openssl pkey: the public half of a KMS key" \
  openssl pkey -pubin -in "kms:key/$EMU_KMS_RSA2048" -pubout -out "$T/pub.pem"
run_ok "openssl dgst -sign with the KMS key" \
  openssl dgst -sha256 -sign "kms:key/$EMU_KMS_RSA2048" -out "$T/sig" "$T/msg"
run_ok "the signature verifies" \
  openssl dgst -sha256 -verify "$T/pub.pem" -signature "$T/sig" "$T/msg"
expect_eq "KMS signed it" "$(emu_count "POST /kms/sign")" 1
run_ok "/usr/bin/hwcloud-store check" /usr/bin/hwcloud-store check
mkdir -p "$T/www"
printf '[www]\ncertificate = scm:cert/%s\nfullchain = %s\nkey = %s\n' \
  "$EMU_SCM_RSA" "$T/www/fullchain.pem" "$T/www/key.pem" >"$T/sync.conf"
set +e
/usr/bin/hwcloud-store sync --sync-config "$T/sync.conf" >"$T/sync.out" 2>&1
rc=$?
set -e
expect_eq "/usr/bin/hwcloud-store sync: exit 3" "$rc" 3
OUT=$(cat "$T/sync.out")
expect_in "... wrote the chain and the key file" "^www: updated fullchain, key "
emu_stop

# --- purge: nothing left ------------------------------------------------------
conffiles=$(dpkg-query -W -f='${Conffiles}\n' "$PKG" | awk 'NF {print $1}')
run_ok "apt-get purge $PKG" "${APT[@]}" purge "$PKG"
rm -f "$MARK"
installed && fail "$PKG is still installed"
left=()
while read -r p; do
  if grep -qxF "$p" "$T/existed"; then
    [ -e "$p" ] || fail "the purge removed $p, which was there before"
  elif [ -e "$p" ] || [ -L "$p" ]; then
    left+=("$p")
  fi
done <"$T/contents"
[ ${#left[@]} -eq 0 ] || fail "left after purge: ${left[*]}"
pass "every file and directory of the package is gone (and nothing that was there before)"
for c in $conffiles; do
  [ ! -e "$c" ] || fail "conffile left after purge: $c"
done
pass "no conffile left ($(wc -w <<<"$conffiles") in the package)"
state=$(find /etc/systemd /var/lib/systemd /lib/systemd /usr/lib/systemd -name '*hwcloud*' 2>/dev/null || true)
[ -z "$state" ] || fail "systemd state left: $state"
[ -z "$(ls /var/lib/dpkg/info/"$PKG".* 2>/dev/null)" ] || fail "dpkg still has files of $PKG"
pass "no systemd or dpkg state left"

hwc_done
