#!/usr/bin/env bash
# The host of every service per cloud and region, as `hwcloud-store check
# --json` prints it (without credentials: nothing is sent anywhere), against
# the hosts the official SDKs' region tables name. A wrong host fails here.
. "$(dirname "$0")/lib.sh"
TOOL=${HWC_TOOL:-$HWC_BUILD_DIR/tools/hwcloud-store}
conf=$HWC_TEST_TMP/empty.cnf
: >"$conf"

# cloud region iam kms scm dcs codearts ("-": not available there)
while read -r cloud region iam kms scm dcs codearts; do
  [ -n "$cloud" ] && [ "${cloud:0:1}" != "#" ] || continue
  set +e
  out=$(env -i PATH="$PATH" HWCLOUD_CLOUD="$cloud" HWCLOUD_REGION="$region" \
    "$TOOL" --config "$conf" check --json 2>/dev/null)
  set -e
  python3 - "$out" "$iam" "$kms" "$scm" "$dcs" "$codearts" <<'PY' ||
import json, sys
d = json.loads(sys.argv[1])
want = dict(zip(["iam", "kms", "scm", "dcs", "codearts"], sys.argv[2:7]))
bad = []
for svc, host in want.items():
    got = d["endpoints"].get(svc)
    if host == "-":
        if got is not None or "not available" not in d["endpoint_errors"].get(svc, ""):
            bad.append("%s: %r / %r" % (svc, got, d["endpoint_errors"].get(svc)))
    elif got != "https://" + host:
        bad.append("%s: got %r, want https://%s" % (svc, got, host))
assert not d["ok"] and "no credentials" in d["error"], d["error"]
assert not bad, bad
PY
    fail "$cloud $region: $out"
  pass "$cloud $region: iam $iam, kms $kms, scm $scm, dcs $dcs, codearts $codearts"
done <<'TABLE'
# Huawei Cloud
huaweicloud ap-southeast-1 iam.ap-southeast-1.myhuaweicloud.com kms.ap-southeast-1.myhuaweicloud.com scm.ap-southeast-1.myhuaweicloud.com dcs.ap-southeast-1.myhuaweicloud.com cloudbuild-ext.ap-southeast-1.myhuaweicloud.com
huaweicloud ap-southeast-3 iam.ap-southeast-3.myhuaweicloud.com kms.ap-southeast-3.myhuaweicloud.com scm.ap-southeast-1.myhuaweicloud.com dcs.ap-southeast-3.myhuaweicloud.com cloudbuild-ext.ap-southeast-3.myhuaweicloud.com
huaweicloud cn-north-4 iam.cn-north-4.myhuaweicloud.com kms.cn-north-4.myhuaweicloud.com scm.cn-north-4.myhuaweicloud.com dcs.cn-north-4.myhuaweicloud.com cloudbuild-ext.cn-north-4.myhuaweicloud.com
huaweicloud cn-east-3 iam.cn-east-3.myhuaweicloud.com kms.cn-east-3.myhuaweicloud.com scm.cn-north-4.myhuaweicloud.com dcs.cn-east-3.myhuaweicloud.com cloudbuild-ext.cn-east-3.myhuaweicloud.com
huaweicloud eu-west-0 iam.eu-west-0.myhuaweicloud.com kms.eu-west-0.myhuaweicloud.com scm.ap-southeast-1.myhuaweicloud.com dcs.eu-west-0.myhuaweicloud.com cloudbuild-ext.eu-west-0.myhuaweicloud.com
huaweicloud eu-west-101 iam.eu-west-101.myhuaweicloud.eu kms.eu-west-101.myhuaweicloud.eu scm.eu-west-101.myhuaweicloud.eu dcs.eu-west-101.myhuaweicloud.com cloudbuild-ext.eu-west-101.myhuaweicloud.eu
huaweicloud my-kualalumpur-1 iam.my-kualalumpur-1.myhuaweicloud.com kms.my-kualalumpur-1.myhuaweicloud.com scm.my-kualalumpur-1.myhuaweicloud.com dcs.my-kualalumpur-1.myhuaweicloud.com cloudbuild-ext.my-kualalumpur-1.myhuaweicloud.com
huaweicloud ru-northwest-2 iam.myhuaweicloud.com kms.ru-northwest-2.myhuaweicloud.com scm.ap-southeast-1.myhuaweicloud.com dcs.ru-northwest-2.myhuaweicloud.com cloudbuild-ext.ru-northwest-2.myhuaweicloud.com
huaweicloud eu-de iam.myhuaweicloud.com kms.eu-de.myhuaweicloud.com scm.ap-southeast-1.myhuaweicloud.com dcs.eu-de.myhuaweicloud.com cloudbuild-ext.eu-de.myhuaweicloud.com
# Open Telekom Cloud: no SCM, no CodeArts
otc eu-de iam.eu-de.otc.t-systems.com kms.eu-de.otc.t-systems.com - dcs.eu-de.otc.t-systems.com -
otc eu-nl iam.eu-nl.otc.t-systems.com kms.eu-nl.otc.t-systems.com - dcs.eu-nl.otc.t-systems.com -
otc eu-ch2 iam-pub.eu-ch2.sc.otc.t-systems.com kms.eu-ch2.sc.otc.t-systems.com - dcs.eu-ch2.sc.otc.t-systems.com -
TABLE

# An explicit endpoint wins over the table, per service.
set +e
out=$(env -i PATH="$PATH" HWCLOUD_REGION=eu-west-101 \
  HWCLOUD_DCS_ENDPOINT=https://dcs.example.test "$TOOL" --config "$conf" check --json 2>/dev/null)
set -e
python3 -c 'import json,sys; e=json.loads(sys.argv[1])["endpoints"]; assert e["dcs"]=="https://dcs.example.test" and e["kms"]=="https://kms.eu-west-101.myhuaweicloud.eu", e' "$out" ||
  fail "dcs_endpoint override: $out"
pass "dcs_endpoint overrides the table; the others keep theirs"

hwc_done
