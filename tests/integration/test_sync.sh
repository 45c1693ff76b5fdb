#!/usr/bin/env bash
# hwcloud-store sync against the emulator: the files it writes (leaf,
# chain, full chain, a key file naming scm:cert/<id>; modes and owners),
# writing only what differs (certificates compared as DER), one run of each
# deploy hook per run, the exit codes (0 nothing to do, 3 updated, 1
# failed, 2 configuration), --dry-run, --json, scm:name/ entries, symbolic
# links, and failures that leave every file as it was: the API failing, a
# file that cannot be written, a hook that fails.
. "$(dirname "$0")/lib.sh"
hwc_setup
T=$HWC_TEST_TMP
TOOL=$HWC_TOOL
W=$T/www
mkdir -p "$W" "$T/api"

# rc CMD...: runs CMD, stdout in $OUT, stderr in $ERR, exit status in $RC.
rc() {
  set +e
  OUT=$("$@" 2>"$T/stderr")
  RC=$?
  set -e
  ERR=$(cat "$T/stderr")
}
sync_run() { rc "$TOOL" sync --sync-config "$T/sync.conf" "$@"; }
hooks_ran() { [ -f "$T/hook.log" ] && wc -l <"$T/hook.log" || echo 0; }
# state: every file's checksum, inode and mode (a rewrite changes the inode)
state() { (cd "$T" && find www api -type f -printf '%p %i %m %U\n' | sort && find www api -type f | sort | xargs cat | sha256sum); }

if [ "$(id -u)" = 0 ]; then OWNER=nobody GROUP=nogroup; else OWNER=$(id -un) GROUP=$(id -gn); fi
cat >"$T/sync.conf" <<EOF
# every entry's files are replaced together; hooks run once per run
openssl_conf = $OPENSSL_CONF
deploy_hook = echo "\$HWCLOUD_SYNC_ENTRIES" >> $T/hook.log
key_mode = 0640

[www]
certificate = scm:cert/$EMU_SCM_RSA
cert = $W/cert.pem
chain = $W/chain.pem
fullchain = $W/fullchain.pem
key = $W/key.pem
key_owner = $OWNER
key_group = $GROUP

[api]
certificate = scm:name/$EMU_SCM_RSA_NAME
fullchain = $T/api/fullchain.pem
key = $T/api/key.pem
EOF

# --- help, usage, configuration errors ---------------------------------
rc "$TOOL" sync --help
expect_eq "sync --help exits 0" "$RC" 0
expect_in "sync --help names the exit codes" "3 files updated"
rc "$TOOL" --help
expect_in "--help lists sync" "^  sync "
rc "$TOOL" sync --bogus
expect_eq "sync with an unknown option: exit 2" "$RC" 2
rc "$TOOL" sync --sync-config "$T/none.conf"
expect_eq "a missing sync configuration: exit 2" "$RC" 2
grep -q "none.conf: No such file" <<<"$ERR" || fail "missing configuration: $ERR"
printf '[x]\ncertificate = scm:cert/%s\ncert = rel.pem\n' "$EMU_SCM_RSA" >"$T/bad.conf"
rc "$TOOL" sync --sync-config "$T/bad.conf"
expect_eq "a relative path: exit 2" "$RC" 2
grep -q "bad.conf:3: cert = rel.pem: give an absolute path" <<<"$ERR" || fail "bad configuration: $ERR"
pass "configuration errors name the file and line"
rc "$TOOL" --json sync --sync-config "$T/bad.conf"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["ok"] is False and d["exit_status"] == 2 and "absolute path" in d["error"]' "$OUT" ||
  fail "--json configuration error: $OUT"
pass "--json: configuration error"
expect_eq "configuration errors made no request" "$(emu_total)" 0

# The shipped example parses, and its certificate is the emulator's
# (the docs' sample id): a dry run would write its files.
install -m 0644 "$HWC_SOURCE_DIR/sync.conf.example" "$T/example.conf"
rc "$TOOL" --config "$OPENSSL_CONF" sync --sync-config "$T/example.conf" --dry-run
expect_eq "sync.conf.example parses: a dry run would update" "$RC" 3
expect_in "sync.conf.example: its entry" "^www.example.com: would update .*\\(scm:cert/scs1690083443906,"

# --- first run: everything is new --------------------------------------
emu_reset
(umask 077 && "$TOOL" sync --sync-config "$T/sync.conf" >"$T/out" 2>"$T/stderr") && RC=0 || RC=$?
OUT=$(cat "$T/out")
expect_eq "first sync: exit 3 (updated)" "$RC" 3
expect_in "first sync: one line for www" "^www: updated cert, chain, fullchain, key \(scm:cert/$EMU_SCM_RSA, serial [0-9A-F]+, expires 20[0-9-]+ [0-9:]+ UTC, in 36[45] days\)$"
expect_in "first sync: scm:name/ resolved to the id" "^api: updated fullchain, key \(scm:cert/$EMU_SCM_RSA,"
expect_in "first sync: the hook once, for both entries" "^hook 'echo .*' \(www api\): ok$"
expect_eq "the hook ran once" "$(hooks_ran)" 1
expect_eq "the hook got the changed entries" "$(cat "$T/hook.log")" "www api"
expect_eq "cert: the leaf only" "$(grep -c 'BEGIN CERTIFICATE' "$W/cert.pem")" 1
expect_eq "chain: the two CA certificates" "$(grep -c 'BEGIN CERTIFICATE' "$W/chain.pem")" 2
expect_eq "fullchain: leaf then chain" "$(cat "$W/fullchain.pem")" "$(cat "$W/cert.pem" "$W/chain.pem")"
grep -qE "CN *= *www.example.com" <<<"$(openssl x509 -in "$W/cert.pem" -noout -subject)" || fail "cert is not the leaf"
"$TOOL" export "scm:cert/$EMU_SCM_RSA" -o "$T/export.pem" >/dev/null
expect_eq "fullchain: what export writes" "$(cat "$W/fullchain.pem")" "$(cat "$T/export.pem")"
expect_eq "key: the wrapped scm:cert/<id> URI" "$(cat "$W/key.pem")" "$("$TOOL" uri2pem "scm:cert/$EMU_SCM_RSA")"
expect_eq "key of the scm:name/ entry names the id, not the name" "$(cat "$T/api/key.pem")" "$(cat "$W/key.pem")"
grep -q PRIVATE "$W"/* && fail "a private key was written"
pass "no private key on disk"
expect_eq "cert mode 0644 whatever the umask" "$(stat -c %a "$W/cert.pem")" 644
expect_eq "key_mode at the top applies" "$(stat -c %a "$W/key.pem")" 640
expect_eq "key_owner" "$(stat -c %U "$W/key.pem")" "$OWNER"
expect_eq "key_group" "$(stat -c %G "$W/key.pem")" "$GROUP"
[ -z "$(find "$W" "$T/api" -name '.*hwc-*')" ] || fail "temporary files left"
pass "no temporary file left"
# two entries, one certificate: the name is looked up once, each chain once
expect_eq "one export per entry" "$(emu_count "POST /export")" 2

# --- nothing to do ------------------------------------------------------
before=$(state)
sync_run
expect_eq "second sync: exit 0" "$RC" 0
expect_in "second sync: unchanged" "^www: unchanged \(scm:cert/$EMU_SCM_RSA, serial"
expect_eq "second sync: no hook" "$(hooks_ran)" 1
expect_eq "second sync: no file touched (same inodes)" "$(state)" "$before"

# The same certificates written differently are still the same.
sed -i 's/$/\r/' "$W/fullchain.pem"
printf '# a comment\n' | cat - "$W/cert.pem" >"$T/c" && cat "$T/c" >"$W/cert.pem"
before=$(state)
sync_run
expect_eq "CRLF and a comment: same certificates, exit 0" "$RC" 0
expect_eq "... and nothing rewritten" "$(state)" "$before"

# --- a change of one file; --dry-run -------------------------------------
cp "$EMU_SCM_ROOT" "$W/cert.pem"
before=$(state)
sync_run --dry-run
expect_eq "--dry-run with a change: exit 3" "$RC" 3
expect_in "--dry-run: would update cert only" "^www: would update cert \("
expect_in "--dry-run: the hook would run" "\(www\): would run \(dry run\)"
expect_eq "--dry-run wrote nothing" "$(state)" "$before"
expect_eq "--dry-run ran no hook" "$(hooks_ran)" 1
sync_run
expect_eq "sync after a change: exit 3" "$RC" 3
expect_in "only cert was updated" "^www: updated cert \("
expect_in "api unchanged" "^api: unchanged"
expect_eq "the hook ran again, for www only" "$(tail -1 "$T/hook.log")" "www"

# Owner or mode drift is repaired (and counts as a change).
chmod 600 "$W/chain.pem"
sync_run
expect_eq "mode drift: exit 3" "$RC" 3
expect_in "mode drift named" "^www: updated chain \(owner/mode\)"
expect_eq "mode repaired" "$(stat -c %a "$W/chain.pem")" 644

# --- --json ---------------------------------------------------------------
rc "$TOOL" --json sync --sync-config "$T/sync.conf"
expect_eq "--json: exit 0" "$RC" 0
python3 - "$OUT" "$EMU_SCM_RSA" <<'PY' || fail "sync --json: unexpected document: $OUT"
import json, sys
d = json.loads(sys.argv[1])
assert d["ok"] is True and d["changed"] is False and d["exit_status"] == 0
e = {x["name"]: x for x in d["entries"]}
w = e["www"]
assert w["state"] == "unchanged" and w["uri"] == "scm:cert/" + sys.argv[2]
assert set(w["files"]) == {"cert", "chain", "fullchain", "key"}
assert all(f["state"] == "unchanged" for f in w["files"].values())
assert len(w["serial"]) >= 16 and w["days_left"] >= 364 and w["not_after_unix"] > 0
assert e["api"]["certificate"].startswith("scm:name/")
assert d["hooks"] == []
PY
pass "--json: entries, files, serial, expiry"

# --- symbolic links are followed ------------------------------------------
mv "$W/chain.pem" "$W/chain-real.pem"
ln -s chain-real.pem "$W/chain.pem"
cp "$EMU_SCM_ROOT" "$W/chain-real.pem"
sync_run
expect_eq "symlinked chain: exit 3" "$RC" 3
[ -L "$W/chain.pem" ] || fail "the symbolic link was replaced"
expect_eq "the link's target was updated" "$(grep -c 'BEGIN CERTIFICATE' "$W/chain-real.pem")" 2
pass "symbolic links are kept and their targets written"

# --- failures leave everything as it was ----------------------------------
cp "$EMU_SCM_ROOT" "$W/cert.pem"
before=$(state)
hooks=$(hooks_ran)
emu_reset
emu_fault '{"match":"/export","action":"status","status":503,"count":-1}'
sync_run
expect_eq "API failing: exit 1" "$RC" 1
expect_in "API failing: the entry FAILED with the service's answer" "^www: FAILED: .*HTTP 503 .*request id .*\(its files were left as they were\)$"
grep -q "\[www\] .*HTTP 503" <<<"$ERR" || fail "API failing: no message on stderr: $ERR"
pass "API failing: the reason on stderr"
expect_eq "API failing: no file changed" "$(state)" "$before"
expect_eq "API failing: no hook" "$(hooks_ran)" "$hooks"
emu_reset

# One entry fails (its directory is gone), the other is updated: the hook
# still runs for the updated one, and the exit status says failed.
mv "$T/api" "$T/api.away"
sync_run
expect_eq "one entry failing: exit 1" "$RC" 1
expect_in "www updated" "^www: updated cert \("
expect_in "api failed" "^api: FAILED: .*api/fullchain.pem.*(No such file|cannot create)"
expect_eq "the hook ran for www" "$(tail -1 "$T/hook.log")" "www"
mv "$T/api.away" "$T/api"

# A file of the set cannot be written: none of the set is.
cp "$EMU_SCM_ROOT" "$W/cert.pem"
rm "$W/chain.pem" && mkdir "$W/chain.pem"
before=$(state)
hooks=$(hooks_ran)
sync_run
expect_eq "a set member that cannot be written: exit 1" "$RC" 1
expect_in "it is named" "^www: FAILED: .*chain.pem: not a regular file"
expect_eq "... and the rest of the set is untouched" "$(state)" "$before"
expect_eq "... and no hook ran" "$(hooks_ran)" "$hooks"
rmdir "$W/chain.pem"

# A failing hook is a failure.
sed -i "s#^deploy_hook = .*#deploy_hook = exit 7#" "$T/sync.conf"
sync_run
expect_eq "failing hook: exit 1" "$RC" 1
expect_in "failing hook: reported" "^hook 'exit 7' \(www\): FAILED: exit status 7$"
grep -q "deploy hook 'exit 7': exit status 7" <<<"$ERR" || fail "failing hook: not on stderr: $ERR"
pass "failing hook: on stderr"
sync_run
expect_eq "after the failed hook the files are current: exit 0" "$RC" 0

# An unknown certificate: the service's 404.
sed -i "s#^certificate = scm:cert/.*#certificate = scm:cert/0000000000000000#" "$T/sync.conf"
sync_run
expect_eq "unknown certificate: exit 1" "$RC" 1
expect_in "unknown certificate: SCM.0404" "^www: FAILED: .*SCM.0404"

# The configuration must not be writable by others: its hooks run as root.
chmod 666 "$T/sync.conf"
sync_run
expect_eq "group/world-writable configuration: exit 2" "$RC" 2
grep -q "writable by group or others" <<<"$ERR" || fail "writable configuration: $ERR"
pass "a world-writable configuration is refused"

hwc_done
