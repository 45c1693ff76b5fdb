#!/usr/bin/env bash
# hwcloud-store check --sync-config/--days/--textfile: days left to the
# certificate each sync entry deployed (read from its file), a failure
# below the threshold, the node-exporter textfile (atomic, valid text
# format, the numbers of the report); plain `check` unchanged.
. "$(dirname "$0")/lib.sh"
hwc_setup
T=$HWC_TEST_TMP
TOOL=$HWC_TOOL
mkdir -p "$T/www" "$T/ec" "$T/metrics"

# rc CMD...: runs CMD, stdout in $OUT, stderr in $ERR, exit status in $RC.
rc() {
  set +e
  OUT=$("$@" 2>"$T/stderr")
  RC=$?
  set -e
  ERR=$(cat "$T/stderr")
}

cat >"$T/sync.conf" <<EOF
openssl_conf = $OPENSSL_CONF
[www]
certificate = scm:cert/$EMU_SCM_RSA
fullchain = $T/www/fullchain.pem
[ec]
certificate = scm:cert/$EMU_SCM_EC
cert = $T/ec/cert.pem
chain = $T/ec/chain.pem
EOF
# The EC certificate is renewed for 5 days only, then deployed by sync.
OUT=$(emu_admin POST /_emu/scm/renew "{\"id\":\"$EMU_SCM_EC\",\"days\":5}")
grep -q '"ok": *true' <<<"$OUT" || fail "renewal failed: $OUT"
rc "$TOOL" sync --sync-config "$T/sync.conf"
expect_eq "sync deployed both" "$RC" 3

# --- plain check is unchanged -----------------------------------------------
rc "$TOOL" check
expect_eq "plain check: exit 0" "$RC" 0
grep -q "^certificates" <<<"$OUT" && fail "plain check reports certificates"
pass "plain check: no certificate report"
rc "$TOOL" check --json
python3 -c 'import json,sys; assert "certificates" not in json.loads(sys.argv[1])' "$OUT" ||
  fail "plain check --json has certificates"
pass "plain check --json: no certificates key"

# --- the default threshold (14 days) fails the short certificate ------------
emu_reset
rc "$TOOL" check --sync-config "$T/sync.conf"
expect_eq "a certificate with 4 days left, threshold 14: exit 1" "$RC" 1
expect_in "the report's heading" "^certificates \($T/sync.conf, at least 14 days left\):$"
expect_in "www: a year left, ok" "^  www: $T/www/fullchain.pem: expires 20[0-9-]+ [0-9:]+ UTC, in 36[45] days: ok$"
expect_in "ec: read from cert, EXPIRES SOON" "^  ec: $T/ec/cert.pem: expires .* in [45] days: EXPIRES SOON$"
expect_in "the result says so" "^result: FAILED$"
grep -qE "\[ec\] $T/ec/cert.pem: the certificate has [45] days left \(fewer than 14\)" <<<"$ERR" ||
  fail "no reason on stderr: $ERR"
pass "the reason on stderr"
expect_eq "the report made no SCM request" "$(emu_count "/v3/scm")" 0

rc "$TOOL" check --sync-config "$T/sync.conf" --days 3
expect_eq "threshold 3 days: exit 0" "$RC" 0
expect_in "result ok" "^result: ok$"
rc "$TOOL" check --sync-config "$T/sync.conf" --days 0
expect_eq "threshold 0 (only expired fails): exit 0" "$RC" 0
# Without --config and OPENSSL_CONF, the provider configuration is the
# sync configuration's openssl_conf, as for sync itself.
rc env -u OPENSSL_CONF "$TOOL" check --sync-config "$T/sync.conf" --days 3
expect_eq "the sync configuration's openssl_conf: exit 0" "$RC" 0
expect_in "... is the configuration file shown" "^configuration file: $OPENSSL_CONF$"

rc "$TOOL" check --json --sync-config "$T/sync.conf" --days 30
expect_eq "--json, threshold 30: exit 1" "$RC" 1
python3 - "$OUT" <<'PY' || fail "check --json certificates: $OUT"
import json, sys
d = json.loads(sys.argv[1])
c = d["certificates"]
assert d["ok"] is False and c["ok"] is False and c["min_days"] == 30
e = {x["name"]: x for x in c["entries"]}
assert e["www"]["ok"] is True and e["www"]["days_left"] >= 364
assert e["ec"]["ok"] is False and e["ec"]["days_left"] in (4, 5)
assert e["ec"]["file"].endswith("/ec/cert.pem") and e["ec"]["not_after_unix"] > 0
assert d["call"]["ok"] is True  # the credentials check still ran
PY
pass "check --json: certificates with days_left and ok"

# --- the node-exporter textfile ----------------------------------------------
rc "$TOOL" check --sync-config "$T/sync.conf" --days 3 --textfile "$T/metrics/hwcloud.prom"
expect_eq "--textfile: exit 0" "$RC" 0
expect_eq "textfile mode 0644" "$(stat -c %a "$T/metrics/hwcloud.prom")" 644
expect_eq "no temporary file beside it" "$(ls "$T/metrics")" "hwcloud.prom"
python3 - "$T/metrics/hwcloud.prom" "$T" <<'PY' || fail "textfile: $(cat "$T/metrics/hwcloud.prom")"
import re, sys, time
text = open(sys.argv[1]).read()
T = sys.argv[2]
sample = re.compile(r'^([a-z_]+)(\{[^}]*\})? (-?[0-9]+)$')
label = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"')
seen, typed = {}, set()
for line in text.splitlines():
    if line.startswith("# TYPE "):
        name, kind = line.split()[2:4]
        assert kind == "gauge"
        typed.add(name)
        continue
    if line.startswith("# HELP "):
        continue
    m = sample.match(line)
    assert m, "bad line: " + line
    assert m.group(1) in typed, "sample before its TYPE: " + line
    labels = dict(label.findall(m.group(2) or ""))
    seen[(m.group(1), labels.get("entry"))] = (labels, int(m.group(3)))
days = seen[("hwcloud_certificate_days_left", "ec")]
assert days[1] in (4, 5) and days[0]["file"] == T + "/ec/cert.pem"
assert days[0]["certificate"].startswith("scm:cert/")
assert seen[("hwcloud_certificate_days_left", "www")][1] >= 364
na = seen[("hwcloud_certificate_not_after_timestamp_seconds", "ec")][1]
assert 3 * 86400 < na - time.time() < 6 * 86400
assert seen[("hwcloud_certificate_readable", "www")][1] == 1
assert seen[("hwcloud_check_success", None)][1] == 1
assert abs(seen[("hwcloud_check_timestamp_seconds", None)][1] - time.time()) < 600
PY
pass "textfile: valid text format with the report's numbers"

# An unreadable deployment and failing credentials: still reported, and
# the textfile says the check failed.
rm "$T/www/fullchain.pem"
rc env HWCLOUD_TOKEN=bogus "$TOOL" check --sync-config "$T/sync.conf" --days 3 --textfile "$T/metrics/hwcloud.prom"
expect_eq "missing file and bad token: exit 1" "$RC" 1
expect_in "the missing file is named" "^  www: $T/www/fullchain.pem: FAILED: .*No such file"
grep -q '^hwcloud_certificate_readable{entry="www".*} 0$' "$T/metrics/hwcloud.prom" ||
  fail "textfile lacks readable 0: $(cat "$T/metrics/hwcloud.prom")"
grep -q '^hwcloud_certificate_days_left{entry="www"' "$T/metrics/hwcloud.prom" &&
  fail "textfile has days for an unreadable file"
grep -q '^hwcloud_check_success 0$' "$T/metrics/hwcloud.prom" || fail "textfile lacks check_success 0"
pass "textfile: readable 0, no days, check_success 0"

# --- usage --------------------------------------------------------------------
rc "$TOOL" check --days soon
expect_eq "--days soon: exit 2" "$RC" 2
rc "$TOOL" check --textfile
expect_eq "--textfile without a file: exit 2" "$RC" 2
rc "$TOOL" check --sync-config "$T/none.conf"
expect_eq "a missing sync configuration: exit 1" "$RC" 1
expect_in "... reported in the section" "^  FAILED: .*none.conf"

hwc_done
